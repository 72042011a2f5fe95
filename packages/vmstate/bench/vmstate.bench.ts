// vmstate benchmarks: RAM save/load against a plain TypedArray.set copy of the same RAM, and
// device-section encode/decode rates. Run: npm run bench -w @backplane/vmstate
// (MiB of RAM: VMSTATE_BENCH_MIB, default 256; rounds per figure: VMSTATE_BENCH_ROUNDS, default 9.)
// Each figure is the MEDIAN of its rounds, after one untimed warm-up round (the development
// machine is shared and noisy). RAM figures are paired with the baseline: every round times one
// baseline copy right before the measured operation, and the ratio printed is the median of the
// per-round ratios, so that a slow stretch of the machine weighs on both sides of a ratio alike.
import { performance } from 'node:perf_hooks';
import { allocateRam, crc32c, isWasmRam, defineState, field, loadMachine, loadSection, ramDigest, ramDigestBackend, saveMachine, saveSection, subsection, type StateOf } from '../src/index';

const MIB = Number(process.env.VMSTATE_BENCH_MIB ?? 256);
const SIZE = MIB << 20;
const ROUNDS = Number(process.env.VMSTATE_BENCH_ROUNDS ?? 9);

function best(fn: () => Promise<unknown> | unknown): Promise<number> {
  return (async () => {
    const times: number[] = [];
    await fn(); // warm-up, untimed: compiled code (JavaScript and WebAssembly tiers) and caches settle
    for (let r = 0; r < ROUNDS; r++) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1]!;
  })();
}

function randomFill(b: Uint8Array, seed: number): void {
  const w = new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x;
  }
}

/** A RAM figure: median time of the operation and median of its per-round ratios to the baseline copy. */
interface Paired {
  ms: number;
  x: number;
}

/**
 * Time `fn` against `base`: one untimed warm-up, then ROUNDS rounds of `base` (timed), `setup`
 * (untimed) and `fn` (timed).
 */
async function paired(base: () => unknown, fn: () => Promise<unknown> | unknown, setup: () => unknown = () => undefined): Promise<Paired> {
  setup();
  await fn();
  const times: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const c0 = performance.now();
    base();
    const c = performance.now() - c0;
    setup();
    const t0 = performance.now();
    await fn();
    const t = performance.now() - t0;
    times.push(t);
    ratios.push(t / c);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
  return { ms: median(times), x: median(ratios) };
}

const line = (name: string, f: Paired) =>
  console.log(`  ${name.padEnd(58)} ${f.ms.toFixed(0).padStart(6)} ms  ${((SIZE / (1 << 20)) / (f.ms / 1000)).toFixed(0).padStart(6)} MiB/s  ${f.x.toFixed(2)}x copy`);

async function ramCase(title: string, ram: Uint8Array): Promise<void> {
  const dest = new Uint8Array(SIZE);
  dest.fill(1); // touch every page so the copy measures copying, not page faults
  const base = () => dest.set(ram);
  const copy = await best(base);
  const digestOnly = await paired(base, () => ramDigest(ram));
  const crcOnly = await paired(base, () => {
    let c = 0;
    for (let o = 0; o < SIZE; o += 1 << 20) c = crc32c(ram, c, o, o + (1 << 20));
    return c;
  });
  const saveAs = async (extra: { streamFormat?: 1 | 2; ramViews?: boolean }, from = ram) => {
    let chunks: Uint8Array[] = [];
    let bytes = 0;
    const f = await paired(
      base,
      async () => {
        for await (const c of saveMachine({ machineType: 'bench', now: 0, devices: [], ram: [{ name: 'ram', bytes: from }], ...extra })) {
          chunks.push(c);
          bytes += c.length;
        }
      },
      () => {
        chunks = [];
        bytes = 0;
      },
    );
    return { f, chunks, bytes };
  };
  const saveViews = await saveAs({ ramViews: true });
  const save = await saveAs({});
  const save1 = await saveAs({ streamFormat: 1 });
  const chunks = save.chunks;
  // A streamed source (an async iterable, as a file or a socket gives): checked record by record,
  // written as it arrives, with the journal.
  async function* streamed(cs: Uint8Array[]): AsyncGenerator<Uint8Array> {
    for (const c of cs) yield c;
  }
  // The destination is filled (untimed) before each load: with zeros, or with non-zero bytes.
  const load = (fill: number, source: () => unknown, journal = true, into: Uint8Array = dest) =>
    paired(
      base,
      () => loadMachine(source() as Uint8Array[], { now: 0, devices: [], ram: [{ name: 'ram', bytes: into }], journal }),
      () => into.fill(fill),
    );
  const loadMemZero = await load(0, () => chunks);
  const loadMemFull = await load(0x5a, () => chunks);
  const loadMemFresh = await load(0, () => chunks, false);
  for (let i = 0; i < SIZE; i += 4093) if (dest[i] !== ram[i]) throw new Error('load mismatch');
  const loadStreamFresh = await load(0, () => streamed(chunks), false);
  const loadStreamZero = await load(0, () => streamed(chunks));
  const loadStreamFull = await load(0x5a, () => streamed(chunks));
  for (let i = 0; i < SIZE; i += 4093) if (dest[i] !== ram[i]) throw new Error('load mismatch');
  const loadFormat1 = await load(0, () => save1.chunks);
  save1.chunks = saveViews.chunks = []; // not needed any more: less live memory for what follows
  // The same with RAM from allocateRam (inside WebAssembly memory), on both sides.
  const wram = allocateRam(SIZE);
  if (!isWasmRam(wram)) throw new Error('allocateRam gave a plain array: no WebAssembly SIMD here');
  // Written page by page as the source RAM was: pages never written stay untouched (in both
  // arrays the system maps them to its shared zero page until they are written).
  for (let o = 0; o < SIZE; o += 4096) if (ram.subarray(o, o + 4096).some((b) => b !== 0)) wram.set(ram.subarray(o, o + 4096), o);
  const wSaveViews = await saveAs({ ramViews: true }, wram);
  wSaveViews.chunks = [];
  const wdest = allocateRam(SIZE);
  const wload = (fill: number, source: () => unknown) => load(fill, source, true, wdest);
  const wLoadMemZero = await wload(0, () => chunks);
  for (let i = 0; i < SIZE; i += 4093) if (wdest[i] !== ram[i]) throw new Error('load mismatch');
  const wLoadMemFull = await wload(0x5a, () => chunks);
  const wLoadStreamZero = await wload(0, () => streamed(chunks));
  const wLoadStreamFull = await wload(0x5a, () => streamed(chunks));
  for (let i = 0; i < SIZE; i += 4093) if (wdest[i] !== ram[i]) throw new Error('load mismatch');
  // Saving with copies last: its rounds leave gigabytes of chunks for the collector, whose work
  // would otherwise land in whatever is timed next.
  const wSave = await saveAs({}, wram);
  wSave.chunks = [];
  save.chunks = [];
  console.log(`\n${title} (${MIB} MiB, format-2 stream ${(save.bytes / (1 << 20)).toFixed(1)} MiB; RAM digest by ${ramDigestBackend()})`);
  line('TypedArray.set copy of the RAM (baseline)', { ms: copy, x: 1 });
  line('RAM digest alone over the RAM (format 2 check)', digestOnly);
  line('CRC32C alone over the RAM (format 1 check, slicing-by-8)', crcOnly);
  line('save, RAM chunks as views (ramViews: true)', saveViews.f);
  line('save, every chunk a copy (default)', save.f);
  line('save, format 1 (streamFormat: 1)', save1.f);
  line('load from memory (chunk array) into zeroed RAM', loadMemZero);
  line('load from memory over non-zero RAM', loadMemFull);
  line('load from memory, journal off (written as checked), fresh RAM', loadMemFresh);
  line('load streamed (async iterable), journal off, fresh RAM', loadStreamFresh);
  line('load streamed into zeroed RAM, journal on', loadStreamZero);
  line('load streamed over non-zero RAM, journal on (every page kept)', loadStreamFull);
  line('load a format-1 stream from memory into zeroed RAM', loadFormat1);
  console.log('  RAM from allocateRam (WebAssembly memory; digest and zero test read it in place):');
  line('save, RAM chunks as views', wSaveViews.f);
  line('save, every chunk a copy', wSave.f);
  line('load from memory into zeroed RAM', wLoadMemZero);
  line('load from memory over non-zero RAM', wLoadMemFull);
  line('load streamed into zeroed RAM, journal on', wLoadStreamZero);
  line('load streamed over non-zero RAM, journal on', wLoadStreamFull);
}

// ---- RAM ---------------------------------------------------------------------------------------
{
  const ram = new Uint8Array(SIZE);
  randomFill(ram, 1);
  await ramCase('RAM, random content', ram);
}
{
  const ram = new Uint8Array(SIZE);
  const page = 4096;
  for (let p = 0; p < SIZE / page; p += 16) randomFill(ram.subarray(p * page, (p + 1) * page), p + 1); // 1 page in 16 non-zero
  await ramCase('RAM, mostly zero pages (1 in 16 non-zero)', ram);
}

// ---- device sections ----------------------------------------------------------------------------
const drive = defineState({ name: 'drive', version: 1, fields: { track: field.u8({ range: [0, 83] }), head: field.u8({ range: [0, 1] }), sector: field.u8(), status: field.u8() } });
const dev = defineState({
  name: 'bench-device',
  version: 2,
  fields: {
    a0: field.u8(), a1: field.u8(), a2: field.u8(), a3: field.u8({ range: [0, 5] }), a4: field.u8({ oneOf: [1, 2, 3] }),
    b0: field.u16(), b1: field.u16(), b2: field.u16(), b3: field.u16(), b4: field.u16(),
    c0: field.u32(), c1: field.u32(), c2: field.u32(), c3: field.i32(), c4: field.i32(),
    d0: field.bool(), d1: field.bool(), d2: field.bool(), d3: field.bool(), d4: field.bool(),
    e0: field.i8(), e1: field.i16(), e2: field.u64(), t0: field.timer(), t1: field.timer(),
    regs: field.array(field.u8(), 16),
    fifo: field.bytes(16),
    drives: field.varArray(field.struct(drive), { max: 4 }),
  },
  subsections: [subsection({ name: 'extra', version: 1, needed: (s) => s.x0 !== 0, fields: { x0: field.u16(), x1: field.u16() } })],
});
type Dev = StateOf<typeof dev>;
const s: Dev = {
  a0: 1, a1: 2, a2: 3, a3: 4, a4: 2, b0: 1000, b1: 2000, b2: 3000, b3: 4000, b4: 5000,
  c0: 1e9, c1: 2e9, c2: 3e9, c3: -5, c4: 5, d0: true, d1: false, d2: true, d3: false, d4: true,
  e0: -1, e1: -300, e2: 1n << 40n, t0: 5000, t1: -1,
  regs: Array.from({ length: 16 }, (_, i) => i), fifo: new Uint8Array(16), drives: [
    { track: 1, head: 0, sector: 1, status: 0 }, { track: 2, head: 1, sector: 2, status: 0 },
    { track: 3, head: 0, sector: 3, status: 0 }, { track: 4, head: 1, sector: 4, status: 0 },
  ],
  x0: 1, x1: 2,
};
// Fields per section: 25 scalars + 16 array elements + 1 byte buffer + 4 drives x 4 + 2 subsection fields.
const FIELDS = 25 + 16 + 1 + 16 + 2;
const N = 100_000;
const bytes = saveSection(dev, s, { now: 0 });
let sink = 0;
for (let i = 0; i < 20_000; i++) sink += saveSection(dev, s, { now: 0 }).length + (loadSection(dev, bytes, { now: 0 }).a0 as number);
const encMs = await best(() => {
  for (let i = 0; i < N; i++) sink += saveSection(dev, s, { now: 0 }).length;
});
const decMs = await best(() => {
  for (let i = 0; i < N; i++) sink += loadSection(dev, bytes, { now: 0 }).a0;
});
const json = JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
const jsonMs = await best(() => {
  for (let i = 0; i < N; i++) sink += JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)).length + (JSON.parse(json).a0 as number);
});
console.log(`\nDevice sections (${FIELDS} fields, ${bytes.length} bytes each; ${N} sections per round)`);
console.log(`  ${'JSON.stringify + JSON.parse of the same state (baseline)'.padEnd(58)} ${((N * FIELDS) / (jsonMs / 1000) / 1e6).toFixed(2).padStart(6)} M fields/s  ${((jsonMs * 1e6) / N).toFixed(0)} ns/section`);
console.log(`  ${'encode: saveSection (validate + encode + CRC32C)'.padEnd(58)} ${((N * FIELDS) / (encMs / 1000) / 1e6).toFixed(2).padStart(6)} M fields/s  ${((encMs * 1e6) / N).toFixed(0)} ns/section`);
console.log(`  ${'decode: loadSection (CRC32C + decode + validate)'.padEnd(58)} ${((N * FIELDS) / (decMs / 1000) / 1e6).toFixed(2).padStart(6)} M fields/s  ${((decMs * 1e6) / N).toFixed(0)} ns/section`);
if (sink === 0.5) console.log(sink);
