// backplane state schema|check|inspect: the vmstate tools on the command line.
import { constants, createReadStream } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  VmstateError,
  checkCompatibility,
  formatCheck,
  formatInspect,
  inspectStream,
  parseSchema,
  schemaOf,
  type AnyDescriptor,
  type SchemaDocument,
} from '@backplane/vmstate';
import { ExitCode, type CliIo, type Command } from '../commands';

const USAGE = `Usage:
  backplane state schema MODULE... [--out FILE]
      Dump every state descriptor exported by the given modules (package names or files) as JSON.
  backplane state schema --stream FILE [--out FILE]
      Dump the description a saved stream carries (the saving build's descriptors).
  backplane state check OLD.json NEW.json [--json] [--strict]
      Compare two schema dumps: every change that affects migration, per state, and whether
      old->new and new->old streams load. Exit 1 on breaking changes (those that break old->new,
      or misread either way); with --strict, on anything that affects either direction.
  backplane state inspect FILE [--json] [--no-values]
      Show a stream's sections, versions, subsections, field values, RAM rounds and record
      checksums; on corruption, the byte offset and the section. Exit 3 when the stream is bad.`;

function parseArgs(args: readonly string[], flags: readonly string[], options: readonly string[]): { pos: string[]; flags: Set<string>; opts: Map<string, string> } | string {
  const pos: string[] = [];
  const f = new Set<string>();
  const o = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      if (flags.includes(a)) f.add(a);
      else if (options.includes(a)) {
        const v = args[++i];
        if (v === undefined) return `option ${a} needs a value`;
        o.set(a, v);
      } else return `unknown option ${a}`;
    } else pos.push(a);
  }
  return { pos, flags: f, opts: o };
}

function isDescriptor(v: unknown): v is AnyDescriptor {
  return v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'state' && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { fields?: unknown }).fields === 'object';
}

async function importModule(spec: string): Promise<Record<string, unknown>> {
  const looksLikePath = spec.startsWith('.') || spec.startsWith('/') || isAbsolute(spec) || /\.(m?js|cjs)$/.test(spec);
  return (await import(looksLikePath ? pathToFileURL(resolve(spec)).href : spec)) as Record<string, unknown>;
}

async function schema(args: readonly string[], io: CliIo): Promise<number> {
  const p = parseArgs(args, [], ['--out', '--stream']);
  if (typeof p === 'string') return usage(io, p);
  let doc: SchemaDocument;
  const stream = p.opts.get('--stream');
  if (stream !== undefined) {
    if (p.pos.length) return usage(io, 'give either modules or --stream, not both');
    const r = await access(stream, constants.R_OK).then(() => inspectStream(createReadStream(stream), { values: false })).catch((e: Error) => e);
    if (r instanceof Error) return bad(io, `cannot read ${stream}: ${r.message}`);
    if (!r.description) return bad(io, `${stream}: no description found${r.error ? `: ${r.error.message}` : ''}`);
    doc = r.description;
  } else {
    if (p.pos.length === 0) return usage(io, 'state schema needs at least one module or --stream FILE');
    const found: AnyDescriptor[] = [];
    for (const m of p.pos) {
      let mod: Record<string, unknown>;
      try {
        mod = await importModule(m);
      } catch (e) {
        return bad(io, `cannot load module ${m}: ${e instanceof Error ? e.message : String(e)}`);
      }
      for (const v of Object.values(mod)) if (isDescriptor(v)) found.push(v);
    }
    try {
      doc = schemaOf(found, { label: p.pos.join(' ') });
    } catch (e) {
      return bad(io, e instanceof Error ? e.message : String(e));
    }
  }
  const text = JSON.stringify(doc, null, 2) + '\n';
  const out = p.opts.get('--out');
  if (out !== undefined) await writeFile(out, text);
  else io.out(text);
  return ExitCode.Ok;
}

async function readSchema(file: string): Promise<SchemaDocument | string> {
  try {
    return parseSchema(await readFile(file, 'utf8'));
  } catch (e) {
    return `${file}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

async function check(args: readonly string[], io: CliIo): Promise<number> {
  const p = parseArgs(args, ['--json', '--strict'], []);
  if (typeof p === 'string') return usage(io, p);
  if (p.pos.length !== 2) return usage(io, 'state check needs OLD.json and NEW.json');
  const o = await readSchema(p.pos[0]!);
  if (typeof o === 'string') return bad(io, o);
  const n = await readSchema(p.pos[1]!);
  if (typeof n === 'string') return bad(io, n);
  const r = checkCompatibility(o, n);
  io.out(p.flags.has('--json') ? JSON.stringify(r, null, 2) + '\n' : formatCheck(r));
  const failing = p.flags.has('--strict') ? r.affecting : r.breaking;
  return failing > 0 ? ExitCode.Failure : ExitCode.Ok;
}

async function inspect(args: readonly string[], io: CliIo): Promise<number> {
  const p = parseArgs(args, ['--json', '--no-values'], []);
  if (typeof p === 'string') return usage(io, p);
  if (p.pos.length !== 1) return usage(io, 'state inspect needs one FILE');
  const file = p.pos[0]!;
  let r;
  try {
    await access(file, constants.R_OK);
    r = await inspectStream(createReadStream(file, { highWaterMark: 1 << 20 }), { values: !p.flags.has('--no-values') });
  } catch (e) {
    return bad(io, `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  io.out(p.flags.has('--json') ? JSON.stringify(r, null, 2) + '\n' : formatInspect(r));
  if (!r.ok) {
    io.err(`backplane state inspect: ${file}: ${r.error?.message ?? 'a section could not be decoded'}\n`);
    return ExitCode.BadInput;
  }
  return ExitCode.Ok;
}

function usage(io: CliIo, why: string): number {
  io.err(`backplane state: ${why}\n${USAGE}\n`);
  return ExitCode.Usage;
}
function bad(io: CliIo, why: string): number {
  io.err(`backplane state: ${why}\n`);
  return ExitCode.BadInput;
}

export const stateCommand: Command = {
  name: 'state',
  summary: 'Saved-state tools: schema dump, compatibility check, stream inspection',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    try {
      switch (sub) {
        case 'schema':
          return await schema(rest, io);
        case 'check':
          return await check(rest, io);
        case 'inspect':
          return await inspect(rest, io);
        case undefined:
          return usage(io, 'missing subcommand (schema, check or inspect)');
        default:
          return usage(io, `unknown subcommand "${sub}"`);
      }
    } catch (e) {
      if (e instanceof VmstateError) return bad(io, e.message);
      throw e;
    }
  },
};
