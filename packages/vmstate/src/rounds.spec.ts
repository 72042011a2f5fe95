import { describe, expect, it } from 'vitest';
import { Dev, fillRandom } from '../test/devices';
import { ByteWriter } from './bytes';
import { RAM_DIGEST_BYTES } from './ramdigest';
import { ramDigestOffset } from './stream';
import {
  ChecksumError,
  RamRound,
  StreamFormatError,
  UnknownSubsectionError,
  defineState,
  field,
  allocateRam,
  loadMachine,
  loadSection,
  ramRecords,
  saveMachine,
  saveMachineToBytes,
  saveSection,
  subsection,
  type RamRegion,
} from './index';

const PAGE = 4096;

/** Re-frame a stream: insert records before the final round and fix the end record's RAM count. */
async function withExtraRecords(region: RamRegion, extra: Uint8Array[], pagesPerRecord = 4): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const c of saveMachine({ machineType: 't', now: 0, devices: [], ram: [region], pagesPerRecord })) chunks.push(c);
  const end = chunks.pop()!;
  const final = chunks.pop()!;
  const v = new DataView(end.buffer, end.byteOffset);
  const w = new ByteWriter();
  const s = w.beginFrame(0x7f, 0);
  w.u32(v.getUint32(9, true));
  w.u32(v.getUint32(13, true) + extra.length);
  w.endFrame(s);
  return [...chunks, ...extra, final, w.result()];
}

describe('RAM rounds: all, then dirty, then final', () => {
  it('pages re-sent in dirty rounds replace what round "all" sent (the last one wins)', async () => {
    const ram = fillRandom(new Uint8Array(16 * PAGE), 5);
    const region = { name: 'ram', bytes: ram };
    const snapshot = ram.slice();
    // Round "all" sends the snapshot; the guest kept running: pages 2 and 9 changed, then 9 again.
    ram.fill(0xee, 2 * PAGE, 3 * PAGE);
    ram.fill(0, 9 * PAGE, 10 * PAGE);
    const dirty1 = [...ramRecords(0, region, RamRound.Dirty, [2, 9])];
    ram[9 * PAGE] = 0x42;
    const dirty2 = [...ramRecords(0, region, RamRound.Dirty, [9])];
    const full = await withExtraRecords({ name: 'ram', bytes: snapshot }, [...dirty1, ...dirty2]);
    const dest = new Uint8Array(16 * PAGE);
    const r = await loadMachine(full, { now: 0, devices: [], ram: [{ name: 'ram', bytes: dest }] });
    expect(Buffer.compare(dest, ram)).toBe(0);
    expect(r.ramPages).toBe(16 + 3);
  });

  it.each([
    ['a plain array', (n: number) => new Uint8Array(n)],
    ['from allocateRam', allocateRam],
  ])('a page sent with data, then zeroed and re-sent right away in a dirty round, ends zero (RAM %s, in memory and streamed)', async (_kind, alloc) => {
    const ram = fillRandom(new Uint8Array(16 * PAGE), 7);
    const region = { name: 'ram', bytes: ram };
    const snapshot = ram.slice();
    ram.fill(0, 14 * PAGE, 15 * PAGE); // page 14 was in the last record of round "all"
    ram[15 * PAGE + 1] ^= 1;
    const full = await withExtraRecords({ name: 'ram', bytes: snapshot }, [...ramRecords(0, region, RamRound.Dirty, [14, 15])]);
    async function* streamed(): AsyncGenerator<Uint8Array> {
      for (const c of full) yield c;
    }
    for (const [name, source] of [['in memory', () => full], ['streamed', streamed]] as const) {
      const dest = alloc(16 * PAGE);
      await loadMachine(source(), { now: 0, devices: [], ram: [{ name: 'ram', bytes: dest }] });
      expect(Buffer.compare(dest, ram), name).toBe(0);
    }
  });

  it('random multi-round streams load as the last record of each page says, into every kind of RAM, from memory and streamed; a flipped data bit changes nothing', async () => {
    // The oracle is the stream format's rule: each page ends as its last record sent it. Cases
    // mix zero and data pages, records of 1 to 16 pages, dirty rounds of consecutive runs and of
    // scattered pages (pages zeroed, rewritten, touched by one byte), and destinations that are
    // zero, partly non-zero or wholly non-zero.
    const PAGES = 40;
    let x = 0x9e3779b9;
    const rnd = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    const allocs = {
      plain: (n: number) => new Uint8Array(n),
      allocateRam: (n: number) => allocateRam(n),
      'allocateRam, commit': (n: number) => allocateRam(n, { commit: true }),
    };
    const change = (ram: Uint8Array, q: number) => {
      const k = rnd(3);
      if (k === 0) ram.fill(0, q * PAGE, (q + 1) * PAGE);
      else if (k === 1) fillRandom(ram.subarray(q * PAGE, (q + 1) * PAGE), rnd(1 << 30) + 1);
      else ram[q * PAGE + rnd(PAGE)] ^= 1 + rnd(255);
    };
    for (let c = 0; c < 60; c++) {
      const ram = new Uint8Array(PAGES * PAGE);
      for (let q = 0; q < PAGES; q++) if (rnd(3) === 0) fillRandom(ram.subarray(q * PAGE, (q + 1) * PAGE), c * 100 + q + 1);
      const region = { name: 'ram', bytes: ram };
      const snapshot = ram.slice();
      const per = 1 + rnd(16);
      const extra: Uint8Array[] = [];
      for (let d = rnd(4); d > 0; d--) {
        const pages: number[] = [];
        if (rnd(2) === 0) {
          const a = rnd(PAGES);
          for (let q = a; q < Math.min(PAGES, a + 1 + rnd(12)); q++) pages.push(q);
        } else for (let n = 1 + rnd(8); n > 0; n--) pages.push(rnd(PAGES));
        for (const q of pages) change(ram, q);
        extra.push(...ramRecords(0, region, RamRound.Dirty, pages, 1 + rnd(16)));
      }
      const stream = await withExtraRecords({ name: 'ram', bytes: snapshot }, extra, per);
      // A flipped bit in the data of one record that has data (the last bytes of a record are its
      // frame tail; each record is one chunk: frame head 9 bytes, page count at payload offset 4).
      const dataStart = (ch: Uint8Array) => 9 + ramDigestOffset(new DataView(ch.buffer, ch.byteOffset).getUint32(13, true)) + RAM_DIGEST_BYTES;
      const withData = stream.map((ch, i) => ({ ch, i })).filter(({ ch }) => ch[0] === 0x21 && ch.length > dataStart(ch) + 5);
      const pick = withData[rnd(withData.length)]!;
      const bad = stream.slice();
      const flipped = pick.ch.slice();
      flipped[flipped.length - 6 - rnd(PAGE)] ^= 1 << rnd(8);
      bad[pick.i] = flipped;
      for (const [aname, alloc] of Object.entries(allocs))
        for (const fill of ['zero', 'partly non-zero', 'wholly non-zero'])
          for (const how of ['in memory', 'streamed']) {
            const label = `case ${c}, ${aname}, ${fill}, ${how}`;
            const dest = alloc(PAGES * PAGE);
            if (fill === 'partly non-zero') for (let q = 0; q < PAGES; q += 1 + rnd(5)) dest.fill(1 + rnd(255), q * PAGE, (q + 1) * PAGE);
            if (fill === 'wholly non-zero') dest.fill(0xa5);
            const src = (list: Uint8Array[]) =>
              how === 'in memory'
                ? list
                : (async function* () {
                    for (const ch of list) yield ch;
                  })();
            const before = dest.slice();
            await expect(loadMachine(src(bad), { now: 0, devices: [], ram: [{ name: 'ram', bytes: dest }] }), label).rejects.toThrow(ChecksumError);
            expect(Buffer.compare(dest, before), label).toBe(0);
            await loadMachine(src(stream), { now: 0, devices: [], ram: [{ name: 'ram', bytes: dest }] });
            expect(Buffer.compare(dest, ram), label).toBe(0);
          }
    }
  });

  it('a round that goes backwards, and a record after the final round, are refused', async () => {
    const ram = fillRandom(new Uint8Array(8 * PAGE), 6);
    const region = { name: 'ram', bytes: ram };
    const dirty = [...ramRecords(0, region, RamRound.Dirty, [1])];
    const all = [...ramRecords(0, region, RamRound.All, [1])];
    const back = await withExtraRecords(region, [...dirty, ...all]);
    const dest = new Uint8Array(8 * PAGE);
    await expect(loadMachine(back, { now: 0, devices: [], ram: [{ name: 'ram', bytes: dest }] })).rejects.toThrow(/round 1 after round 2/);
    expect(dest.every((b) => b === 0)).toBe(true);
    const chunks = await withExtraRecords(region, []);
    const late = [...chunks.slice(0, -1), ...ramRecords(0, region, RamRound.Dirty, [0]), chunks.at(-1)!];
    await expect(loadMachine(late, { now: 0, devices: [], ram: [{ name: 'ram', bytes: dest }] })).rejects.toThrow(StreamFormatError);
  });

  it('a region whose pages were not all sent is refused at the end record', async () => {
    const ram = new Uint8Array(8 * PAGE);
    const chunks = await withExtraRecords({ name: 'ram', bytes: ram }, []);
    // Drop the first round-"all" record (pages 0..3), keep the counts consistent.
    const dropped = [chunks[0]!, chunks[1]!, chunks[2]!, ...chunks.slice(4)];
    const end = dropped.pop()!;
    const v = new DataView(end.buffer, end.byteOffset);
    const w = new ByteWriter();
    const s = w.beginFrame(0x7f, 0);
    w.u32(v.getUint32(9, true));
    w.u32(v.getUint32(13, true) - 1);
    w.endFrame(s);
    await expect(loadMachine([...dropped, w.result()], { now: 0, devices: [], ram: [{ name: 'ram', bytes: new Uint8Array(8 * PAGE) }] })).rejects.toThrow(/page 0 was never sent/);
  });
});

describe('nested subsections and subsections of nested structs', () => {
  const drive = defineState({
    name: 'drive',
    version: 1,
    fields: { track: field.u8() },
    subsections: [subsection({ name: 'changed', version: 2, needed: (s) => s.changed, fields: { changed: field.bool() } })],
  });
  const ctl = defineState({
    name: 'ctl',
    version: 1,
    fields: { drives: field.varArray(field.struct(drive), { max: 2 }) },
    subsections: [
      subsection({
        name: 'outer',
        version: 1,
        needed: (s) => s.o !== 0,
        fields: { o: field.u8() },
        subsections: [subsection({ name: 'inner', version: 1, needed: (s) => s.i !== 0, fields: { i: field.u8() } })],
      }),
    ],
  });
  const state = { drives: [{ track: 3, changed: true }, { track: 4, changed: false }], o: 1, i: 2 };

  it('round-trip, and the manifest lists every path', async () => {
    expect(loadSection(ctl, saveSection(ctl, state, { now: 0 }), { now: 0 })).toEqual(state);
    const chunks: Uint8Array[] = [];
    for await (const c of saveMachine({ machineType: 't', now: 0, devices: [{ device: 'c', target: new Dev(ctl, state) }] })) chunks.push(c);
    const m = JSON.parse(new TextDecoder().decode(chunks[1]!.subarray(9, -5)));
    expect(m.sections[0].subsections).toEqual([
      { path: 'drives/changed', version: 2 },
      { path: 'outer', version: 1 },
      { path: 'outer/inner', version: 1 },
    ]);
  });

  it('a destination without the inner subsection refuses by its path, from the manifest', async () => {
    const older = defineState({
      name: 'ctl',
      version: 1,
      fields: ctl.fields,
      subsections: [subsection({ name: 'outer', version: 1, needed: (s) => s.o !== 0, fields: { o: field.u8() } })],
    });
    const bytes = await saveMachineToBytes({ machineType: 't', now: 0, devices: [{ device: 'c', target: new Dev(ctl, state) }] });
    const dest = new Dev(older, { drives: [], o: 0 });
    await expect(loadMachine(bytes, { now: 0, devices: [{ device: 'c', target: dest }] })).rejects.toThrow(UnknownSubsectionError);
    await expect(loadMachine(bytes, { now: 0, devices: [{ device: 'c', target: dest }] })).rejects.toThrow(/subsection "outer\/inner"/);
    expect(dest.loads).toBe(0);
  });
});
