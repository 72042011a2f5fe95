import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../main';

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

const dir = mkdtempSync(join(tmpdir(), 'bp-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backplane run: the built-in demo', () => {
  it('with no arguments boots the demo: its COM1 output reaches stdout and the run ends halted', async () => {
    const c = capture();
    expect(await main(['run', '--start-time', '2026-01-01T00:00:00Z'], c.io)).toBe(0);
    expect(c.out).toContain('Backplane demo: booted from the built-in floppy image.');
    expect(c.out).toContain('Demo finished');
    expect(c.err).toMatch(/^backplane run: halted after \d+ instructions/);
  });

  it('--json reports instructions, virtual time, stop reason and output', async () => {
    const c = capture();
    expect(await main(['run', '--json', '--start-time', '2026-01-01T00:00:00Z'], c.io)).toBe(0);
    const report = JSON.parse(c.out) as Record<string, unknown>;
    expect(report.stopReason).toBe('halted');
    expect(report.instructions).toBeGreaterThan(1_000_000);
    expect(report.virtualTimeNs).toBeGreaterThan(1e9); // the demo waits 18 ticks of 54.9 ms
    expect(report.serial).toContain('Demo finished');
    expect(report.screen).toContain('Backplane BIOS');
  });

  it('--max-instructions and --until stop the run early', async () => {
    const a = capture();
    await main(['run', '--json', '--max-instructions', '1000'], a.io);
    expect(JSON.parse(a.out)).toMatchObject({ stopReason: 'budget', instructions: 1000 });
    const b = capture();
    await main(['run', '--json', '--until', 'Booting from floppy'], b.io);
    const r = JSON.parse(b.out) as { stopReason: string; screen: string };
    expect(r.stopReason).toBe('until');
    expect(r.screen).toContain('Booting from floppy');
  });
});

describe('backplane run: bad input gets one clear line and a documented exit code', () => {
  it('an unknown option is a usage error (2)', async () => {
    const c = capture();
    expect(await main(['run', '--floppy', 'x.img'], c.io)).toBe(2);
    expect(c.err.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown machine type (3) names the known ones', async () => {
    const c = capture();
    expect(await main(['run', '--machine', 'pc-9.9'], c.io)).toBe(3);
    expect(c.err).toMatch(/unknown machine type "pc-9.9" \(known: pc-1.1, pc-1.0/);
  });

  it('a missing image file (3)', async () => {
    const c = capture();
    expect(await main(['run', '--fda', join(dir, 'missing.img')], c.io)).toBe(3);
    expect(c.err.trim().split('\n')).toHaveLength(1);
  });

  it('a floppy image of a size no floppy has (3)', async () => {
    const odd = join(dir, 'odd.img');
    writeFileSync(odd, Buffer.alloc(1000));
    const c = capture();
    expect(await main(['run', '--fda', odd], c.io)).toBe(3);
    expect(c.err.trim().split('\n')).toHaveLength(1);
  });

  it('a bad number or CPU (2)', async () => {
    const a = capture();
    expect(await main(['run', '--max-instructions', 'lots'], a.io)).toBe(2);
    const b = capture();
    expect(await main(['run', '--cpu', '68000'], b.io)).toBe(2);
  });
});

describe('backplane run: save and load', () => {
  const start = ['--start-time', '2026-01-01T00:00:00Z'];

  it('--save-at N --save FILE, then --load FILE, gives the output of one uninterrupted run', async () => {
    const whole = capture();
    await main(['run', ...start], whole.io);
    const file = join(dir, 'm.bpstate');
    const first = capture();
    expect(await main(['run', ...start, '--save-at', '8000000', '--save', file], first.io)).toBe(0);
    expect(first.err).toMatch(/budget after 8000000 instructions/);
    const second = capture();
    expect(await main(['run', ...start, '--load', file], second.io)).toBe(0);
    expect(first.out + second.out).toBe(whole.out);
  });

  it('a corrupt or truncated stream is refused in one line with exit code 3', async () => {
    const file = join(dir, 'm2.bpstate');
    await main(['run', '--save-at', '2000000', '--save', file], capture().io);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(file);
    const cut = join(dir, 'cut.bpstate');
    writeFileSync(cut, bytes.subarray(0, bytes.length >> 1));
    const c = capture();
    expect(await main(['run', '--load', cut], c.io)).toBe(3);
    expect(c.err.trim().split('\n')).toHaveLength(1);
  });

  it('moves a running machine through a pipe between two processes', async () => {
    const { spawn } = await import('node:child_process');
    const { resolve } = await import('node:path');
    const cli = resolve(import.meta.dirname, '../cli.ts');
    const node = (args: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', '--conditions=@backplane/source', cli, 'run', ...start, ...args], {
        cwd: resolve(import.meta.dirname, '../../../..'),
        env: { ...process.env, TSX_TSCONFIG_PATH: resolve(import.meta.dirname, '../../../../tsconfig.base.json') },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    const saver = node(['--save-at', '8000000', '--save', '-']);
    const loader = node(['--load', '-']);
    saver.stdout.pipe(loader.stdin);
    let out = '';
    let errs = '';
    loader.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    loader.stderr.on('data', (d: Buffer) => (errs += d.toString()));
    saver.stderr.on('data', (d: Buffer) => (errs += d.toString()));
    const code = await new Promise<number | null>((r) => loader.on('close', r));
    expect(errs).toMatch(/halted after/);
    expect(code).toBe(0);
    expect(out).toContain('Demo finished');
    expect(out).not.toContain('booted from the built-in floppy image'); // printed before the move, by the saver
  }, 60_000);
});

describe('backplane run: progress', () => {
  it('draws a progress bar on a terminal for long runs, and nothing when stderr is not a terminal', async () => {
    const tty = capture();
    await main(['run', '--max-instructions', '60000000'], { ...tty.io, errIsTTY: true });
    expect(tty.err).toMatch(/\rrunning \[[# ]{30}\] +\d+%/);
    const pipe = capture();
    await main(['run', '--max-instructions', '60000000'], pipe.io);
    expect(pipe.err).not.toContain('%');
  }, 60_000);

  it('draws saving and loading bars on a terminal once the work outlasts the delay, and none on a pipe', async () => {
    const file = join(dir, 'progress.bpstate');
    const tty = capture();
    expect(await main(['run', '--max-instructions', '1000000', '--save', file], { ...tty.io, errIsTTY: true, progressDelayMs: 0 })).toBe(0);
    expect(tty.err).toMatch(/\rsaving \[[# ]{30}\] +\d+%  [\d.]+ MiB written \(1\.0 MiB of RAM\)/);
    const load = capture();
    expect(await main(['run', '--load', file, '--max-instructions', '1000'], { ...load.io, errIsTTY: true, progressDelayMs: 0 })).toBe(0);
    expect(load.err).toMatch(/\rloading \[[# ]{30}\] +\d+%  [\d.]+ MiB of [\d.]+ MiB/);
    expect(load.err).toContain('\r\x1b[K'); // the bar is cleared before the report
    const pipe = capture();
    expect(await main(['run', '--load', file, '--max-instructions', '1000'], { ...pipe.io, progressDelayMs: 0 })).toBe(0);
    expect(pipe.err).not.toContain('%');
  }, 60_000);
});

const isoTools = ['genisoimage', 'nasm'].every((cmd) => {
  try {
    execFileSync(cmd, [cmd === 'nasm' ? '-v' : '-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!isoTools) console.warn('run.spec: genisoimage or nasm is not installed; skipping the CD-ROM boot (apt-get install genisoimage nasm)');

describe.skipIf(!isoTools)('backplane run: --cdrom and --boot d', () => {
  it('boots a genisoimage ISO with a no-emulation El Torito image; --until stops at its text', async () => {
    const { mkdirSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    const root = join(dir, 'cdroot');
    mkdirSync(root);
    const source = resolve(import.meta.dirname, '../../../../packages/machine-pc/test/fixtures/cdboot.asm');
    execFileSync('nasm', ['-f', 'bin', '-o', join(root, 'cdboot.bin'), source]);
    writeFileSync(join(root, 'hello.txt'), 'Text genisoimage put on the disc.');
    const iso = join(dir, 'boot.iso');
    execFileSync('genisoimage', ['-quiet', '-o', iso, '-b', 'cdboot.bin', '-no-emul-boot', '-boot-load-size', '4', '-c', 'boot.cat', root]);
    const c = capture();
    expect(await main(['run', '--cdrom', iso, '--boot', 'd', '--until', 'CD boot test done', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out) as { stopReason: string; serial: string; screen: string };
    expect(r.stopReason).toBe('until');
    expect(r.screen).toContain('Booting from CD-ROM...');
    expect(r.serial).toContain('CD boot image running, DL=E0');
    expect(r.serial).toContain('HELLO.TXT: Text genisoimage put on the disc.');
  }, 60_000);
});
