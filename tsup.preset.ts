// Shared tsup preset: every package builds ESM + .d.ts from its public face(s).
import type { Options } from 'tsup';

export function preset(entry: Record<string, string> = { index: 'src/index.ts' }, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    tsconfig: 'tsconfig.json',
    ...extra,
  };
}
