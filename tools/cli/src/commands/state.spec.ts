import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineState, field, saveMachineToBytes, schemaOf, subsection } from '@backplane/vmstate';
import { main } from '../main';

const dir = mkdtempSync(join(tmpdir(), 'bp-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const c = { out: '', err: '', io: { out: (t: string) => void (c.out += t), err: (t: string) => void (c.err += t) } };
  return c;
}

const pit = defineState({
  name: 'pit',
  version: 2,
  fields: { count: field.u16(), mode: field.u8({ range: [0, 5] }), armed: field.timer() },
  subsections: [subsection({ name: 'readback', version: 1, needed: (s) => s.latched, fields: { latched: field.bool() } })],
});

async function streamFile(): Promise<{ file: string; bytes: Uint8Array }> {
  const state = { count: 0x1234, mode: 2, armed: 1500, latched: true };
  const bytes = await saveMachineToBytes({
    machineType: 'pc',
    now: 1000,
    devices: [{ device: 'pit', target: { descriptor: pit, saveState: () => state, loadState: () => {} } }],
    ram: [{ name: 'ram', bytes: new Uint8Array(8192).fill(7, 0, 4096) }],
  });
  const file = join(dir, 'a.bpstate');
  writeFileSync(file, bytes);
  return { file, bytes };
}

describe('backplane state inspect', () => {
  it('shows sections, versions, subsections, values, RAM rounds and checksums', async () => {
    const { file } = await streamFile();
    const c = capture();
    expect(await main(['state', 'inspect', file], c.io)).toBe(0);
    expect(c.out).toContain('section pit#0: pit version 2');
    expect(c.out).toContain('subsections: readback');
    expect(c.out).toContain('count = 4660');
    expect(c.out).toContain('armed = "+500 ns"');
    expect(c.out).toMatch(/RAM "ram": 8192 bytes in 4096-byte pages; 2 records; pages sent: all 2, dirty 0, final 0 \(1 as zero pages\)/);
    expect(c.out).toMatch(/crc 0x[0-9a-f]{8}/);
  });
  it('--json gives the report as JSON', async () => {
    const { file } = await streamFile();
    const c = capture();
    expect(await main(['state', 'inspect', file, '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out);
    expect(r.sections[0].values).toMatchObject({ count: 4660, mode: 2, latched: true });
  });
  it('names the byte offset and section of a corrupt record, exit 3', async () => {
    const { bytes } = await streamFile();
    const bad = bytes.slice();
    const text = new TextDecoder('latin1').decode(bad);
    const at = text.lastIndexOf('pit') + 6; // inside the section payload
    bad[at] ^= 0xff;
    const file = join(dir, 'bad.bpstate');
    writeFileSync(file, bad);
    const c = capture();
    expect(await main(['state', 'inspect', file], c.io)).toBe(3);
    expect(c.err).toMatch(/checksum mismatch.*device pit#0, section "pit", at byte \d+/);
  });
  it('a missing file is exit 3, a missing argument exit 2', async () => {
    const c = capture();
    expect(await main(['state', 'inspect', join(dir, 'nope')], c.io)).toBe(3);
    expect(await main(['state', 'inspect'], c.io)).toBe(2);
  });
});

describe('backplane state schema', () => {
  it('--stream dumps the description a stream carries', async () => {
    const { file } = await streamFile();
    const c = capture();
    expect(await main(['state', 'schema', '--stream', file], c.io)).toBe(0);
    const doc = JSON.parse(c.out);
    expect(doc.format).toBe('backplane-vmstate-schema');
    expect(doc.states[0]).toMatchObject({ name: 'pit', version: 2, subsections: [{ name: 'readback', version: 1 }] });
  });
  it('dumps the descriptors a module exports', async () => {
    const mod = join(dir, 'descs.mjs');
    writeFileSync(mod, `export const d = ${JSON.stringify({ type: 'state', name: 'x', version: 1, minVersion: 1, fields: { a: { kind: 'u8', since: 1, defaultValue: 0 } }, subsections: [] })};\nexport const other = 5;\n`);
    const out = join(dir, 'x.json');
    const c = capture();
    expect(await main(['state', 'schema', mod, '--out', out], c.io)).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).states.map((s: { name: string }) => s.name)).toEqual(['x']);
  });
});

describe('backplane state check', () => {
  const write = (name: string, d: Parameters<typeof schemaOf>[0]) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(schemaOf(d)));
    return f;
  };
  const v1 = defineState({ name: 'fdc', version: 1, fields: { a: field.u8(), b: field.u8() } });
  const v2 = defineState({ name: 'fdc', version: 2, fields: { a: field.u8(), b: field.u8(), c: field.u16({ since: 2 }) } });
  const swapped = defineState({ name: 'fdc', version: 1, fields: { b: field.u8(), a: field.u8() } });
  it('exit 0 for a compatible version bump, saying new->old is refused', async () => {
    const c = capture();
    expect(await main(['state', 'check', write('v1.json', [v1]), write('v2.json', [v2])], c.io)).toBe(0);
    expect(c.out).toContain('fdc (1 -> 2): old->new loads, new->old refused');
  });
  it('exit 1 on a breaking change; --json for machines', async () => {
    const c = capture();
    expect(await main(['state', 'check', write('v1.json', [v1]), write('sw.json', [swapped]), '--json'], c.io)).toBe(1);
    expect(JSON.parse(c.out).states[0].changes.map((x: { kind: string }) => x.kind)).toContain('field-reordered');
  });
  it('--strict fails on changes that only affect new->old', async () => {
    expect(await main(['state', 'check', write('v1.json', [v1]), write('v2.json', [v2]), '--strict'], capture().io)).toBe(1);
  });
  it('a file that is not a schema is exit 3', async () => {
    const f = join(dir, 'junk.json');
    writeFileSync(f, '{"x":1}');
    const c = capture();
    expect(await main(['state', 'check', f, f], c.io)).toBe(3);
    expect(c.err).toContain('not a backplane-vmstate-schema document');
  });
});
