// Writes the golden streams. Run ONLY when adding a new golden (a new descriptor version);
// never to "fix" a failing golden test:
//   npx tsx --tsconfig tsconfig.base.json --conditions=@backplane/source packages/dev-uart/test/golden/make-golden.ts
import { saveSection } from '@backplane/vmstate';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { uartStateDescriptor } from '../../src/index';
import { GOLDEN_NOW, goldenUartV1 } from './fixture';

const here = dirname(fileURLToPath(import.meta.url));
const goldens = [{ file: 'uart-16550a-v1.section', state: goldenUartV1() }];
for (const g of goldens) {
  const path = join(here, g.file);
  if (existsSync(path)) {
    console.log(`kept ${g.file} (golden streams are never rewritten)`);
    continue;
  }
  const bytes = saveSection(uartStateDescriptor, g.state, { now: GOLDEN_NOW });
  writeFileSync(path, bytes);
  console.log(`wrote ${g.file} (${bytes.length} bytes)`);
}
