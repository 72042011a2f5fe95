import { packageConfig } from '../../vitest.shared.ts';

export default packageConfig('cpu-x86');
