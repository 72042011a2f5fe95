// The SingleStepTests samples (../shared/testdata/singlestep, captured from a real 8086 and
// a real 80286): every test of every opcode file, flags (and the FLAGS image an exception
// pushed, whose address the 80286 suite gives for this purpose) compared under the suite's mask.
// Each suite runs twice: through the interpreter, and with every instruction translated into
// a block of its own (the block translator against the same captures).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SingleStepMetadata, SingleStepRunner, parseSingleStepFile, type CpuModel } from '../src/index';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const samples = resolve(repoRoot, '../shared/testdata/singlestep');

const suites: [CpuModel, string][] = [
  ['8086', '8086'],
  ['80286', '80286'],
];

if (!existsSync(samples)) {
  describe('SingleStepTests samples', () => {
    it.skip(`skipped: ${samples} is missing (the SingleStepTests samples live outside the repository, in ../shared/testdata/singlestep)`, () => {});
  });
} else {
  for (const [cpu, folder] of suites) for (const translated of [false, true]) {
    const dir = join(samples, folder);
    const meta = new SingleStepMetadata(JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')));
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json.gz'))
      .sort();
    const runner = new SingleStepRunner(cpu, { translated });
    const totals: Record<string, { passed: number; failed: number }> = {};
    const mode = translated ? ', each instruction translated' : '';

    describe(`${cpu}${mode}: SingleStepTests sample (${files.length} opcode files)`, () => {
      for (const file of files) {
        it(file.replace('.json.gz', ''), () => {
          const tests = parseSingleStepFile(JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString('utf8')), file);
          const failures: string[] = [];
          for (const t of tests) {
            const info = meta.lookup(t.bytes);
            const total = (totals[info.status] ??= { passed: 0, failed: 0 });
            const miss = runner.run(t, info.flagsMask);
            if (!miss) {
              total.passed++;
              continue;
            }
            total.failed++;
            failures.push(`#${t.index} ${t.name} (${info.status}): ${miss.what}`);
          }
          expect(failures, `${cpu} ${file}: failures`).toEqual([]);
        });
      }

      it('per status: every normal test passes, undocumented and alias forms at least 99%', () => {
        for (const [status, { passed, failed }] of Object.entries(totals)) {
          const rate = passed / (passed + failed);
          console.log(`${cpu}${mode} ${status}: ${passed} passed, ${failed} failed`);
          if (status === 'undocumented' || status === 'alias') expect(rate, `${cpu} ${status}`).toBeGreaterThanOrEqual(0.99);
        }
        expect(totals.normal?.passed ?? 0).toBeGreaterThan(0);
      });
    });
  }
}
