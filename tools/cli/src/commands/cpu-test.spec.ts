// backplane cpu-test, driven like a user would: on SingleStepTests files from ../shared.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const samples = resolve(repoRoot, '../shared/testdata/singlestep');
const have = existsSync(samples);

function capture() {
  let out = '';
  let err = '';
  return {
    io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) },
    get out() {
      return out;
    },
    get err() {
      return err;
    },
  };
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1)!;

const scratch = mkdtempSync(join(tmpdir(), 'cpu-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('backplane cpu-test: command line', () => {
  it('requires --cpu (exit 2)', async () => {
    const c = capture();
    expect(await main(['cpu-test', 'x.json.gz'], c.io)).toBe(2);
    expect(c.err).toContain('--cpu is required');
  });

  it('refuses a CPU the suites do not cover (exit 2)', async () => {
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '80386', 'x'], c.io)).toBe(2);
  });

  it('reports a missing path (exit 3)', async () => {
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '8086', join(scratch, 'nope.json.gz')], c.io)).toBe(3);
    expect(c.err).toContain('no such file or folder');
  });

  it('reports a corrupt test file without crashing (exit 3)', async () => {
    const dir = join(scratch, 'corrupt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metadata.json'), JSON.stringify({ opcodes: { '90': { status: 'normal' } } }));
    const file = join(dir, '90.json.gz');
    writeFileSync(file, Buffer.from('not gzip at all'));
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '8086', file], c.io)).toBe(3);
    expect(c.err).toContain('90.json.gz');
  });

  it('reports test files without metadata.json (exit 3)', async () => {
    const dir = join(scratch, 'nometa');
    mkdirSync(join(dir, 'inner'), { recursive: true });
    writeFileSync(join(dir, 'inner', '90.json.gz'), gzipSync('[]'));
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '8086', join(dir, 'inner')], c.io)).toBe(3);
    expect(c.err).toContain('metadata.json');
  });
});

describe.skipIf(!have)(`backplane cpu-test on the SingleStepTests samples${have ? '' : ' (skipped: ../shared/testdata/singlestep is missing)'}`, () => {
  it('8086 ADD r/m8, r8 (00): every test passes, last line "200 passed, 0 failed", exit 0', async () => {
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '8086', join(samples, '8086', '00.json.gz')], c.io)).toBe(0);
    expect(lastLine(c.out)).toBe('200 passed, 0 failed');
  });

  it('80286 PUSHA (60): passes', async () => {
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '80286', join(samples, '80286', '60.json.gz')], c.io)).toBe(0);
    expect(lastLine(c.out)).toBe('200 passed, 0 failed');
  });

  it('--skip fpu counts and names the skipped tests', async () => {
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '8086', '--skip', 'fpu', join(samples, '8086', 'D8.json.gz')], c.io)).toBe(0);
    expect(c.out).toContain('skipped: fpu 200');
    expect(lastLine(c.out)).toBe('0 passed, 0 failed, 200 skipped');
  });

  it('groups a failure by opcode and names the first differing register (exit 1)', async () => {
    // A copy of the 8086 NOP file in which one test expects a wrong AX.
    const dir = join(scratch, 'tampered');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(samples, '8086', 'metadata.json'), join(dir, 'metadata.json'));
    const tests = JSON.parse(gunzipSync(readFileSync(join(samples, '8086', '90.json.gz'))).toString('utf8')) as {
      initial: { regs: { ax: number } };
      final: { regs: Record<string, number> };
    }[];
    tests[0]!.final.regs.ax = tests[0]!.initial.regs.ax ^ 0x1234;
    writeFileSync(join(dir, '90.json.gz'), gzipSync(JSON.stringify(tests)));
    const c = capture();
    expect(await main(['cpu-test', '--cpu', '8086', dir], c.io)).toBe(1);
    expect(c.out).toMatch(/^90 \(normal\): 1 of 200 failed$/m);
    expect(c.out).toMatch(/ax [0-9A-F]{4} != [0-9A-F]{4}/);
    expect(lastLine(c.out)).toBe('199 passed, 1 failed');
  });
});
