import { packageConfig } from '../../vitest.shared';

export default packageConfig('dev-kbc');
