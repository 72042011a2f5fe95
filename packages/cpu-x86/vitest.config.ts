import { packageConfig } from '../../vitest.shared';

export default packageConfig('cpu-x86');
