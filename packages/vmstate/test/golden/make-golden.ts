// Writes the golden streams. Run ONLY when adding a new golden (a new format or descriptor
// version); never to "fix" a failing golden test:
//   npx tsx --conditions=@backplane/source packages/vmstate/test/golden/make-golden.ts
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveMachineToBytes } from '../../src/index';
import { GOLDEN_NOW, goldenRam, goldenStateV1, goldenStateV2, goldenV1, goldenV2 } from './fixture';

const here = dirname(fileURLToPath(import.meta.url));
const goldens = [
  { file: 'format1-golden-device-v1.bpstate', descriptor: goldenV1, state: goldenStateV1(), streamFormat: 1 as const },
  { file: 'format1-golden-device-v2.bpstate', descriptor: goldenV2, state: goldenStateV2(), streamFormat: 1 as const },
  { file: 'format2-golden-device-v2.bpstate', descriptor: goldenV2, state: goldenStateV2(), streamFormat: 2 as const },
];
for (const g of goldens) {
  const path = join(here, g.file);
  if (existsSync(path)) {
    console.log(`kept ${g.file} (golden streams are never rewritten)`);
    continue;
  }
  const bytes = await saveMachineToBytes({
    machineType: 'golden',
    now: GOLDEN_NOW,
    devices: [{ device: 'golden', target: { descriptor: g.descriptor, saveState: () => g.state as never, loadState: () => {} } }],
    ram: [{ name: 'ram', bytes: goldenRam() }],
    streamFormat: g.streamFormat,
  });
  writeFileSync(path, bytes);
  console.log(`wrote ${g.file} (${bytes.length} bytes)`);
}
