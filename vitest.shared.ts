// Shared vitest preset for every package.
// By default @backplane/* imports resolve to TypeScript sources through the
// "@backplane/source" export condition (no build needed). With
// BACKPLANE_TEST_MODE=dist they resolve to the built `dist` instead.
import { defineConfig } from 'vitest/config';

const mode = process.env.BACKPLANE_TEST_MODE === 'dist' ? 'dist' : 'source';
const conditions = mode === 'source' ? ['@backplane/source', 'node', 'import', 'default'] : ['node', 'import', 'default'];

export function packageConfig(name: string) {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: conditions } },
    test: {
      name,
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      environment: 'node',
      testTimeout: 60_000,
      hookTimeout: 60_000,
      passWithNoTests: true,
    },
  });
}
