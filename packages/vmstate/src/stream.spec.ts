import { describe, expect, it } from 'vitest';
import { Dev, chunked, fillRandom, timerDesc, uartDesc } from '../test/devices';
import {
  ChecksumError,
  HookError,
  SectionMismatchError,
  StreamFormatError,
  UnknownSubsectionError,
  VersionError,
  allocateRam,
  defineState,
  isWasmRam,
  field,
  loadMachine,
  saveMachine,
  saveMachineToBytes,
  type DeviceEntry,
  type RamRegion,
} from './index';

const PAGE = 4096;

type Alloc = (bytes: number) => Uint8Array;
const plainRam: Alloc = (n) => new Uint8Array(n);

function machine(seed = 1, alloc: Alloc = plainRam) {
  const timer = new Dev(timerDesc, { count: 0x1234 + seed, mode: 2, expiry: 5_000 + seed });
  const uart = new Dev(uartDesc, { lcr: 3, fifo: new Uint8Array([1, 2, 3]), head: 2, scratch: 0x55, msr: seed & 1 ? 0xb0 : 0 });
  const ram = alloc(64 * PAGE);
  fillRandom(ram.subarray(0, 16 * PAGE), seed);
  ram[40 * PAGE + 7] = seed; // one non-zero byte in an otherwise zero page
  const devices: DeviceEntry[] = [
    { device: 'pit', target: timer },
    { device: 'uart', instance: 0, target: uart },
  ];
  const regions: RamRegion[] = [{ name: 'ram', bytes: ram }];
  return { timer, uart, ram, devices, regions };
}

describe('machine stream: save and load', () => {
  it('round-trips device states and RAM through a stream delivered in odd chunks', async () => {
    const a = machine(1);
    const bytes = await saveMachineToBytes({ machineType: 'test', now: 1000, devices: a.devices, ram: a.regions, pagesPerRecord: 7 });
    const b = machine(2);
    const res = await loadMachine(chunked(bytes, [1, 13, 4093, 70000]), { machineType: 'test', now: 2000, devices: b.devices, ram: b.regions });
    expect(Buffer.compare(b.ram, a.ram)).toBe(0);
    expect(b.uart.state).toEqual(a.uart.state);
    expect(b.timer.state).toEqual({ ...a.timer.state, expiry: 5_001 + 1000 });
    expect(res.sections.map((s) => s.device)).toEqual(['pit', 'uart']);
    expect(res.sections[1]!.subsections).toEqual(['modem']);
    expect(res.ramPages).toBe(64);
  });

  it('starts with the magic and format version 2, then the manifest', async () => {
    const a = machine(1);
    const first: Uint8Array[] = [];
    for await (const c of saveMachine({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions })) {
      first.push(c);
      if (first.length === 2) break;
    }
    expect([...first[0]!.subarray(0, 8)]).toEqual([0x89, 0x42, 0x50, 0x53, 0x54, 0x0d, 0x0a, 0x1a]);
    expect(first[0]![8]).toBe(2);
    expect(first[1]![0]).toBe(0x01);
    const manifest = JSON.parse(new TextDecoder().decode(first[1]!.subarray(9, first[1]!.length - 5)));
    expect(manifest.sections[1]).toMatchObject({ device: 'uart', instance: 0, state: 'test-uart', version: 2, subsections: [{ path: 'modem', version: 1 }] });
    expect(manifest.ram).toEqual([{ id: 0, name: 'ram', size: 64 * PAGE, pageSize: PAGE }]);
  });

  it('refuses duplicate (device, instance) pairs on save and on load', async () => {
    const a = machine(1);
    const dup = [...a.devices, { device: 'pit', target: a.timer }];
    await expect(saveMachineToBytes({ machineType: 't', now: 0, devices: dup })).rejects.toThrow(SectionMismatchError);
    await expect(loadMachine(new Uint8Array(0), { now: 0, devices: dup })).rejects.toThrow(/listed twice/);
  });
});

describe('machine stream: refusals leave the machine untouched', () => {
  async function expectUntouched(bytes: Uint8Array, err: unknown, opts: { machineType?: string; devices?: (m: ReturnType<typeof machine>) => DeviceEntry[] } = {}) {
    const b = machine(2);
    const before = { ram: b.ram.slice(), timer: b.timer.state, uart: b.uart.state };
    await expect(loadMachine(bytes, { machineType: opts.machineType ?? 'test', now: 0, devices: opts.devices?.(b) ?? b.devices, ram: b.regions })).rejects.toThrow(err as Error);
    expect(Buffer.compare(b.ram, before.ram)).toBe(0); // byte-identical (toEqual on 256 KiB is slow)
    expect(b.timer.state).toBe(before.timer);
    expect(b.uart.state).toBe(before.uart);
    expect(b.timer.loads + b.uart.loads).toBe(0);
  }
  const save = async () => {
    const a = machine(1);
    return saveMachineToBytes({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions });
  };

  it('bad magic, unknown format version, wrong machine type', async () => {
    const s = await save();
    const bad = s.slice();
    bad[1] = 0x58;
    await expectUntouched(bad, StreamFormatError);
    const v3 = s.slice();
    v3[8] = 3;
    await expectUntouched(v3, /format version 3 is not supported/);
    await expectUntouched(s, /machine type "test", this machine is "other"/, { machineType: 'other' });
  });

  it('a newer section version is refused from the manifest, before any record is read', async () => {
    const newer = defineState({ ...timerDesc, version: 2, fields: { ...timerDesc.fields, extra: field.u8({ since: 2 }) } });
    const a = machine(1);
    const s = await saveMachineToBytes({ machineType: 'test', now: 0, devices: [{ device: 'pit', target: { descriptor: newer, saveState: () => ({ ...a.timer.state, extra: 1 }), loadState: () => {} } }, a.devices[1]!], ram: a.regions });
    await expectUntouched(s, VersionError);
    await expectUntouched(s, /device pit#0, section "test-timer"/);
  });

  it('an unknown subsection is refused from the manifest, naming device, subsection and version', async () => {
    const noModem = defineState({ name: 'test-uart', version: 2, fields: uartDesc.fields });
    const s = await save();
    await expectUntouched(s, UnknownSubsectionError, { devices: (b) => [b.devices[0]!, { device: 'uart', target: { descriptor: noModem, saveState: () => b.uart.state, loadState: () => {} } }] });
    await expectUntouched(s, /subsection "modem" version 1.*device uart#0/, { devices: (b) => [b.devices[0]!, { device: 'uart', target: { descriptor: noModem, saveState: () => b.uart.state, loadState: () => {} } }] });
  });

  it('a corrupt byte late in the stream rolls RAM back (journal) and touches no device', async () => {
    const s = await save();
    const bad = s.slice();
    bad[bad.length - 30] ^= 1;
    await expectUntouched(bad, ChecksumError);
  });

  it('truncation anywhere is refused', async () => {
    const s = await save();
    for (const n of [0, 11, 12, 30, s.length >> 1, s.length - 1]) await expectUntouched(s.subarray(0, n), StreamFormatError);
  });

  it('unknown and missing devices are refused', async () => {
    const s = await save();
    await expectUntouched(s, /device uart#0, which this machine does not have/, { devices: (b) => [b.devices[0]!] });
    await expectUntouched(s, /no section for device fdc#0/, { devices: (b) => [...b.devices, { device: 'fdc', target: b.timer }] });
  });

  it('a device whose loadState throws gets the others restored and the error is typed', async () => {
    const s = await save();
    const b = machine(2);
    const before = b.timer.state;
    const bad = { descriptor: uartDesc, saveState: () => b.uart.state, loadState: () => { throw new Error('boom'); } };
    await expect(loadMachine(s, { now: 0, devices: [b.devices[0]!, { device: 'uart', target: bad }], ram: b.regions })).rejects.toThrow(HookError);
    expect(b.timer.state).toEqual(before);
  });
});

describe('machine stream: sources', () => {
  it('loads from a Web ReadableStream of chunks', async () => {
    const a = machine(1);
    const bytes = await saveMachineToBytes({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions });
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        for (let o = 0; o < bytes.length; o += 1000) c.enqueue(bytes.slice(o, o + 1000));
        c.close();
      },
    });
    const b = machine(2);
    await loadMachine(web, { now: 0, devices: b.devices, ram: b.regions });
    expect(Buffer.compare(b.ram, a.ram)).toBe(0);
  });
});

/** [start, end) and type of each framed record after the 12-byte header. */
function recordsOf(b: Uint8Array): { type: number; start: number; end: number }[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: { type: number; start: number; end: number }[] = [];
  for (let o = 12; o < b.length; ) {
    const end = o + 9 + v.getUint32(o + 5, true) + 5;
    out.push({ type: b[o]!, start: o, end });
    o = end;
  }
  return out;
}

describe.each([
  ['destination RAM a plain Uint8Array', plainRam],
  ['destination RAM from allocateRam (WebAssembly memory: written where zero, checked in place)', allocateRam],
])('format 2: RAM records checked by the RAM digest, %s', (_kind, alloc: Alloc) => {
  const sources = {
    'in memory': (b: Uint8Array) => b,
    streamed: (b: Uint8Array) => chunked(b, [4096, 333]),
  };
  // machine(2): 16 random pages, one page with one byte set, the rest zero; blank: all zero.
  const dests = { 'partly non-zero': () => machine(2, alloc), 'all zero': () => blank(alloc) };
  async function refusedUntouched(bytes: Uint8Array, err: RegExp | (new (...a: never[]) => Error)) {
    for (const [name, src] of Object.entries(sources)) for (const [dname, dest] of Object.entries(dests)) {
      const b = dest();
      const label = `${name}, ${dname}`;
      const before = b.ram.slice();
      await expect(loadMachine(src(bytes), { now: 0, devices: b.devices, ram: b.regions }), label).rejects.toThrow(err as never);
      expect(Buffer.compare(b.ram, before), label).toBe(0);
      expect(b.timer.loads + b.uart.loads, label).toBe(0);
    }
  }
  /** From each source into each destination (one region "ram"): `bad` is refused with a ChecksumError and changes nothing, then `good` loads as `want`. */
  async function refusedThenExact(bad: Uint8Array, good: Uint8Array, want: Uint8Array, dests: Record<string, () => Uint8Array>, prefix = '') {
    for (const [name, src] of Object.entries(sources))
      for (const [dname, dest] of Object.entries(dests)) {
        const label = `${prefix}${name}, ${dname}`;
        const b = dest();
        const before = b.slice();
        await expect(loadMachine(src(bad), { now: 0, devices: [], ram: [{ name: 'ram', bytes: b }] }), label).rejects.toThrow(ChecksumError);
        expect(Buffer.compare(b, before), label).toBe(0);
        await loadMachine(src(good), { now: 0, devices: [], ram: [{ name: 'ram', bytes: b }] });
        expect(Buffer.compare(b, want), label).toBe(0);
      }
  }
  it('loads a stream exactly into RAM that is zero, partly non-zero or wholly non-zero, from memory and streamed', async () => {
    const a = machine(1);
    a.ram.fill(0x33, 50 * PAGE, 52 * PAGE); // data pages beside the zero ones
    const s = await saveMachineToBytes({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions, pagesPerRecord: 5 });
    const full = () => {
      const m = machine(3, alloc);
      m.ram.fill(0xa5);
      return m;
    };
    for (const [name, src] of Object.entries(sources))
      for (const [dname, dest] of Object.entries({ ...dests, 'wholly non-zero': full })) {
        const b = dest();
        await loadMachine(src(s), { now: 0, devices: b.devices, ram: b.regions });
        expect(Buffer.compare(b.ram, a.ram), `${name}, ${dname}`).toBe(0);
      }
  });
  it('a 3 MiB record (longer than one step of the in-place write) over RAM that is zero in parts loads exactly; one flipped bit in it changes nothing', async () => {
    const big = (fill: (r: Uint8Array) => void) => {
      const ram = alloc(4 << 20);
      fill(ram);
      return ram;
    };
    const a = big((r) => fillRandom(r.subarray(0, 3 << 20), 7));
    a.fill(0, 1 << 20, (1 << 20) + 2 * PAGE); // zero pages inside the run split it
    const s = await saveMachineToBytes({ machineType: 'test', now: 0, devices: [], ram: [{ name: 'ram', bytes: a }], pagesPerRecord: 768 });
    const bad = s.slice();
    const r = firstRam(s);
    bad[r.start + dataAt(768) + (2 << 20) + 12345] ^= 0x40;
    const dests = {
      zero: () => big(() => undefined),
      'non-zero in the second MiB': () => big((r) => r.fill(0x77, (1 << 20) + 5 * PAGE, (1 << 20) + 9 * PAGE)),
      'non-zero in the last MiB': () => big((r) => fillRandom(r.subarray(3 << 20), 3)),
    };
    await refusedThenExact(bad, s, a, dests);
  });
  it('records whose data pages sit between zero pages (several runs per record): a flipped bit in any run is refused and changes nothing', async () => {
    // Records of 16 pages: the first all data (one run), then records with data at every third
    // page (several runs), then one all zero.
    const a = new Uint8Array(64 * PAGE);
    fillRandom(a.subarray(0, 16 * PAGE), 21);
    for (let q = 16; q < 48; q += 3) fillRandom(a.subarray(q * PAGE, (q + 1) * PAGE), 100 + q);
    const s = await saveMachineToBytes({ machineType: 'test', now: 0, devices: [], ram: [{ name: 'ram', bytes: a }], pagesPerRecord: 16 });
    const rams = recordsOf(s).filter((r) => r.type === 0x21);
    expect(rams.map((r) => s[r.start + 9])).toEqual([1, 1, 1, 1, 3]); // four of round 1, the final round's empty record
    const flips = {
      'the one run of the first record': rams[0]!.start + dataAt(16) + 7 * PAGE + 99,
      'the first run of the second record': rams[1]!.start + dataAt(16) + 5,
      'the last run of the third record': rams[2]!.start + dataAt(16) + 4 * PAGE + 4000,
    };
    const dests = {
      zero: () => alloc(64 * PAGE),
      'non-zero under the third record': () => {
        const r = alloc(64 * PAGE);
        r.fill(0x5c, 35 * PAGE, 36 * PAGE);
        return r;
      },
    };
    for (const [where, at] of Object.entries(flips)) {
      const bad = s.slice();
      bad[at] ^= 0x10;
      await refusedThenExact(bad, s, a, dests, `${where}, `);
    }
  });
  if (alloc === allocateRam)
    it('two regions cut from one allocateRam memory load exactly, from memory and streamed', async () => {
      const low = fillRandom(new Uint8Array(1 << 20), 11);
      const high = fillRandom(new Uint8Array(1 << 20), 12);
      const s = await saveMachineToBytes({ machineType: 'test', now: 0, devices: [], ram: [{ name: 'low', bytes: low }, { name: 'high', bytes: high }], pagesPerRecord: 64 });
      for (const [name, src] of Object.entries(sources)) {
        const ram = allocateRam(2 << 20);
        await loadMachine(src(s), { now: 0, devices: [], ram: [{ name: 'low', bytes: ram.subarray(0, 1 << 20) }, { name: 'high', bytes: ram.subarray(1 << 20) }] });
        expect(Buffer.compare(ram.subarray(0, 1 << 20), low), name).toBe(0);
        expect(Buffer.compare(ram.subarray(1 << 20), high), name).toBe(0);
      }
    });
  if (alloc === allocateRam)
    it('allocateRam gives zeroed RAM in WebAssembly memory whose streams are byte-identical to a plain array\'s', async () => {
      const ram = allocateRam(64 * PAGE);
      expect(isWasmRam(ram)).toBe(true);
      expect(isWasmRam(new Uint8Array(64 * PAGE))).toBe(false);
      expect(ram.every((b) => b === 0)).toBe(true);
      const a = machine(1, allocateRam);
      const p = machine(1);
      for (const streamFormat of [1, 2] as const)
        for (const ramViews of [false, true]) {
          const opts = { machineType: 'test', now: 0, pagesPerRecord: 6, streamFormat, ramViews };
          const x = await saveMachineToBytes({ ...opts, devices: a.devices, ram: a.regions });
          const y = await saveMachineToBytes({ ...opts, devices: p.devices, ram: p.regions });
          expect(Buffer.compare(x, y), `format ${streamFormat}, views ${ramViews}`).toBe(0);
        }
    });
  const save = () => {
    const a = machine(1);
    return saveMachineToBytes({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions, pagesPerRecord: 8 });
  };
  const firstRam = (s: Uint8Array) => recordsOf(s).find((r) => r.type === 0x21)!;
  const dataAt = (count: number) => 9 + ((8 + count * 5 + 7) & ~7) + 160;

  it('a flipped bit in page data is refused as a RAM digest mismatch, naming the region and offset', async () => {
    const s = await save();
    const r = firstRam(s);
    const bad = s.slice();
    bad[r.start + dataAt(8) + 5000] ^= 0x10;
    await refusedUntouched(bad, ChecksumError);
    await refusedUntouched(bad, new RegExp(`stored RAM digest .*section "ram "ram"", at byte ${r.start}\\)`));
  });
  it('a corrupt page index, flag or digest byte is refused by the CRC-32C', async () => {
    const s = await save();
    const r = firstRam(s);
    for (const at of [9 + 8 + 4, 9 + 8 + 8 * 4 + 2, dataAt(8) - 10]) {
      const bad = s.slice();
      bad[r.start + at] ^= 1;
      await refusedUntouched(bad, /stored CRC32C/);
    }
  });
  it('two data pages of a record swapped, or one duplicated over another, are refused', async () => {
    const s = await save();
    const r = firstRam(s);
    const d = r.start + dataAt(8);
    const swapped = s.slice();
    swapped.set(s.subarray(d, d + PAGE), d + PAGE);
    swapped.set(s.subarray(d + PAGE, d + 2 * PAGE), d);
    await refusedUntouched(swapped, ChecksumError);
    const dup = s.slice();
    dup.set(s.subarray(d, d + PAGE), d + 3 * PAGE);
    await refusedUntouched(dup, ChecksumError);
  });
  it('a record with data that is not a whole number of 64-byte blocks is refused before any digest', async () => {
    const s = await save();
    const r = firstRam(s);
    const bad = new Uint8Array(s.length + 4);
    bad.set(s.subarray(0, r.end - 5));
    bad.set(s.subarray(r.end - 5), r.end - 1);
    new DataView(bad.buffer).setUint32(r.start + 5, r.end - r.start - 14 + 4, true);
    await refusedUntouched(bad, /not a whole number of pages|checksum/);
  });
  it('a format-1 RAM record in a format-2 stream (and the reverse) is an unknown record type', async () => {
    const a = machine(1);
    const f1 = await saveMachineToBytes({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions, streamFormat: 1 });
    const f1as2 = f1.slice();
    f1as2[8] = 2;
    await refusedUntouched(f1as2, /unknown record type 0x20 \(in a format-2 stream\)/);
    const f2as1 = (await save()).slice();
    f2as1[8] = 1;
    await refusedUntouched(f2as1, /unknown record type 0x21 \(in a format-1 stream\)/);
  });
  it('a corrupt byte after the RAM records: streamed, the journal puts back every written page (zero and non-zero); from memory, nothing was written', async () => {
    const s = await save();
    const bad = s.slice();
    bad[bad.length - 30] ^= 1;
    await refusedUntouched(bad, ChecksumError);
  });
  it('a device whose loadState throws leaves RAM as it was, from memory and streamed', async () => {
    const s = await save();
    for (const [name, src] of Object.entries(sources)) {
      const b = machine(2, alloc);
      const before = b.ram.slice();
      const bad = { descriptor: uartDesc, saveState: () => b.uart.state, loadState: () => { throw new Error('boom'); } };
      await expect(loadMachine(src(s), { now: 0, devices: [b.devices[0]!, { device: 'uart', target: bad }], ram: b.regions }), name).rejects.toThrow(HookError);
      expect(Buffer.compare(b.ram, before), name).toBe(0);
    }
  });
});

function blank(alloc: Alloc) {
  const m = machine(2, alloc);
  m.ram.fill(0);
  return m;
}

describe('writing format 1 and RAM views', () => {
  it('streamFormat: 1 writes a format-1 stream (CRC-32C over the pages) that loads', async () => {
    const a = machine(1);
    const bytes = await saveMachineToBytes({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions, streamFormat: 1 });
    expect(bytes[8]).toBe(1);
    expect(recordsOf(bytes).map((r) => r.type)).toContain(0x20);
    const b = machine(2);
    const res = await loadMachine(bytes, { now: 0, devices: b.devices, ram: b.regions });
    expect(res.formatVersion).toBe(1);
    expect(Buffer.compare(b.ram, a.ram)).toBe(0);
  });
  it('ramViews: the page data chunks are views of the RAM; the stream is byte-identical to the copying one', async () => {
    const a = machine(1);
    const opts = { machineType: 'test', now: 0, devices: a.devices, ram: a.regions };
    const chunks: Uint8Array[] = [];
    for await (const c of saveMachine({ ...opts, ramViews: true })) chunks.push(c);
    expect(chunks.some((c) => c.buffer === a.ram.buffer)).toBe(true);
    const joined = Buffer.concat(chunks);
    expect(Buffer.compare(joined, await saveMachineToBytes(opts))).toBe(0);
  });
  it('ramViews: RAM changed before a view chunk was written out is refused on load (the digest was taken at save)', async () => {
    const a = machine(1);
    const chunks: Uint8Array[] = [];
    for await (const c of saveMachine({ machineType: 'test', now: 0, devices: a.devices, ram: a.regions, ramViews: true })) chunks.push(c);
    a.ram[5] ^= 0xff; // the guest ran on before the chunks were written
    const b = machine(2);
    await expect(loadMachine(Buffer.concat(chunks), { now: 0, devices: b.devices, ram: b.regions })).rejects.toThrow(ChecksumError);
  });
});
