// backplane cpu-test: run SingleStepTests files (8086 / 80286 suites) against the CPU.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SingleStepFormatError, SingleStepMetadata, SingleStepRunner, parseSingleStepFile, type CpuModel } from '@backplane/cpu-x86';
import { ExitCode, type CliIo, type Command } from '../commands';

const USAGE = `Usage: backplane cpu-test --cpu 8086|80286 [--skip STATUS,...] [--show N] PATH...

Runs SingleStepTests files (https://github.com/SingleStepTests: <OP>.json.gz, one instruction
per test) against the CPU. PATH is a test file or a folder of them; each folder's
metadata.json gives every opcode's status and the flags to compare (flags-mask, also applied
to the FLAGS image an exception pushed), and its revocation_list.txt (if any) the tests known
to be wrong, which are skipped.

  --cpu 8086|80286    the processor the files were captured from
  --skip STATUS,...   skip tests whose opcode has one of these metadata statuses (e.g. fpu)
  --show N            failures listed per opcode (default 3)

Prints the failures grouped by opcode with the first differing register or byte, then the
line "N passed, N failed" (followed by ", N skipped" when tests were skipped).
Exit codes: 0 all passed, 1 some failed, 2 bad command line, 3 unusable input.`;

interface Group {
  status: string;
  total: number;
  failed: string[];
  failures: number;
}

export const cpuTestCommand: Command = {
  name: 'cpu-test',
  summary: 'Run SingleStepTests CPU test files (8086 / 80286)',
  usage: USAGE,
  run(args: readonly string[], io: CliIo): number {
    let cpu: CpuModel | undefined;
    const skip = new Set<string>();
    let show = 3;
    const paths: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const value = (): string | undefined => args[++i];
      if (a === '--cpu') {
        const v = value();
        if (v !== '8086' && v !== '80286') return usage(io, `--cpu must be 8086 or 80286, not ${v ?? 'nothing'}`);
        cpu = v;
      } else if (a === '--skip') {
        const v = value();
        if (!v) return usage(io, '--skip needs a list of statuses');
        for (const s of v.split(',')) if (s) skip.add(s);
      } else if (a === '--show') {
        const v = Number(value());
        if (!Number.isInteger(v) || v < 0) return usage(io, '--show needs a whole number');
        show = v;
      } else if (a === '--help' || a === '-h') {
        io.out(USAGE + '\n');
        return ExitCode.Ok;
      } else if (a.startsWith('-')) return usage(io, `unknown option ${a}`);
      else paths.push(a);
    }
    if (!cpu) return usage(io, '--cpu is required');
    if (paths.length === 0) return usage(io, 'give at least one test file or folder');

    // Gather the files, each with its folder's metadata and revocation list.
    const files: string[] = [];
    for (const p of paths) {
      if (!existsSync(p)) return bad(io, `${p}: no such file or folder`);
      if (statSync(p).isDirectory()) {
        const found = readdirSync(p)
          .filter((f) => f.endsWith('.json.gz') || (f.endsWith('.json') && f !== 'metadata.json'))
          .sort()
          .map((f) => join(p, f));
        if (found.length === 0) return bad(io, `${p}: no *.json.gz test files`);
        files.push(...found);
      } else files.push(p);
    }
    const metas = new Map<string, SingleStepMetadata | undefined>();
    const revoked = new Map<string, Set<string>>();
    const runner = new SingleStepRunner(cpu);
    const groups = new Map<string, Group>();
    const skipped = new Map<string, number>();
    let passed = 0;
    let failed = 0;

    for (const file of files) {
      const dir = dirname(file);
      let meta: SingleStepMetadata | undefined;
      let revokedHere: Set<string>;
      try {
        if (!metas.has(dir)) metas.set(dir, loadMetadata(dir));
        meta = metas.get(dir);
        if (!revoked.has(dir)) revoked.set(dir, loadRevocations(dir));
        revokedHere = revoked.get(dir)!;
      } catch (e) {
        return bad(io, describe(e));
      }
      if (!meta) return bad(io, `${dir}: no metadata.json beside the test files (it gives each opcode's status and flags mask)`);
      let tests;
      try {
        const raw = readFileSync(file);
        const text = file.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        tests = parseSingleStepFile(JSON.parse(text) as unknown, basename(file));
      } catch (e) {
        return bad(io, `${file}: ${describe(e)}`);
      }
      for (const t of tests) {
        const info = meta.lookup(t.bytes);
        if (skip.has(info.status) || (t.hash !== undefined && revokedHere.has(t.hash))) {
          const why = skip.has(info.status) ? info.status : 'revoked';
          skipped.set(why, (skipped.get(why) ?? 0) + 1);
          continue;
        }
        let g = groups.get(info.key);
        if (!g) groups.set(info.key, (g = { status: info.status, total: 0, failed: [], failures: 0 }));
        g.total++;
        let miss;
        try {
          miss = runner.run(t, info.flagsMask);
        } catch (e) {
          miss = { what: `emulator error: ${describe(e)}` };
        }
        if (!miss) {
          passed++;
          continue;
        }
        failed++;
        g.failures++;
        if (g.failed.length < show) g.failed.push(`  #${t.index} ${t.name} [${t.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ')}]: ${miss.what}`);
      }
    }

    const keys = [...groups.keys()].sort();
    for (const key of keys) {
      const g = groups.get(key)!;
      if (g.failures === 0) continue;
      io.out(`${key} (${g.status}): ${g.failures} of ${g.total} failed\n`);
      for (const line of g.failed) io.out(line + '\n');
    }
    const byStatus = new Map<string, [number, number]>();
    for (const g of groups.values()) {
      const s = byStatus.get(g.status) ?? [0, 0];
      s[0] += g.total - g.failures;
      s[1] += g.failures;
      byStatus.set(g.status, s);
    }
    for (const [status, [p, f]] of [...byStatus].sort()) io.out(`${status}: ${p} passed, ${f} failed\n`);
    let last = `${passed} passed, ${failed} failed`;
    const nSkipped = [...skipped.values()].reduce((a, b) => a + b, 0);
    if (nSkipped > 0) {
      io.out(`skipped: ${[...skipped].map(([why, n]) => `${why} ${n}`).join(', ')}\n`);
      last += `, ${nSkipped} skipped`;
    }
    io.out(last + '\n');
    return failed > 0 ? ExitCode.Failure : ExitCode.Ok;
  },
};

function loadMetadata(dir: string): SingleStepMetadata | undefined {
  for (const d of [dir, dirname(dir)]) {
    const p = join(d, 'metadata.json');
    if (existsSync(p)) {
      try {
        return new SingleStepMetadata(JSON.parse(readFileSync(p, 'utf8')) as unknown);
      } catch (e) {
        throw new SingleStepFormatError(`${p}: ${describe(e)}`);
      }
    }
  }
  return undefined;
}

function loadRevocations(dir: string): Set<string> {
  const p = join(dir, 'revocation_list.txt');
  if (!existsSync(p)) return new Set();
  return new Set(
    readFileSync(p, 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
}

function usage(io: CliIo, message: string): number {
  io.err(`backplane cpu-test: ${message} (see: backplane help cpu-test)\n`);
  return ExitCode.Usage;
}

function bad(io: CliIo, message: string): number {
  io.err(`backplane cpu-test: ${message}\n`);
  return ExitCode.BadInput;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
