// Determinism across real process boundaries (machine-pc issue): run the demo to instruction N in
// one `backplane run` process, save to a file, load in a fresh process and run to the end. The
// serial output of the two processes together, the final screen and the final machine state
// (its saved stream, byte for byte) equal those of one uninterrupted run, for N at every tenth.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../../..');
const cli = resolve(import.meta.dirname, '../cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'bp-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  stopReason: string;
  instructions: number;
  serial: string;
  screen: string;
}

/** One `backplane run` in a fresh Node process (from sources, as the other CLI tests). */
function backplane(args: string[]): Promise<Report> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@backplane/source', cli, 'run', '--json', ...args], {
      cwd: root,
      env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(JSON.parse(out) as Report) : fail(new Error(`backplane run ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const start = ['--start-time', '2026-01-01T00:00:00Z'];

describe('backplane run: a run split across two processes at every tenth equals one run', () => {
  it('same serial output, screen and final state hash for N = 1/10 .. 9/10 of the run', async () => {
    const refState = join(dir, 'ref.bps');
    const ref = await backplane([...start, '--save', refState]);
    expect(ref.stopReason).toBe('halted');
    expect(ref.serial).toContain('Demo finished');
    const total = ref.instructions;

    // Two processes at a time (CI has two cores).
    const splits = Array.from({ length: 9 }, (_, i) => Math.floor((total * (i + 1)) / 10));
    const check = async (n: number) => {
      const mid = join(dir, `at-${n}.bps`);
      const end = join(dir, `end-${n}.bps`);
      const first = await backplane([...start, '--save-at', String(n), '--save', mid]);
      expect(first.instructions, `first half to ${n}`).toBe(n);
      const second = await backplane(['--load', mid, '--save', end]);
      expect(second.stopReason).toBe('halted');
      expect(second.instructions, `split at ${n}`).toBe(total - n);
      expect(first.serial + second.serial, `serial, split at ${n}`).toBe(ref.serial);
      expect(second.screen, `screen, split at ${n}`).toBe(ref.screen);
      expect(hash(end), `final state, split at ${n}`).toBe(hash(refState));
    };
    for (let i = 0; i < splits.length; i += 2) await Promise.all(splits.slice(i, i + 2).map(check));
  }, 240_000);
});
