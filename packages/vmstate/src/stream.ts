// The migration stream (byte layout: docs/stream-format.md). Formats 1 and 2 are read; 2 is written.
//   header: 8-byte magic | u16 format version | u16 flags (0)
//   records, each framed: u8 type | u32 id | u32 length | payload | u32 CRC32C | u8 0xE7
//     MANIFEST (1) JSON: machine type, every section (id, device, instance, state, version,
//                  subsections) and RAM region; DESCRIPTION (2) JSON schema of every state;
//     then RAM page records and SECTION (0x10) records; END (0x7F) last.
//   Format 1 carries RAM in records of type 0x20 whose CRC-32C covers every byte. Format 2 carries
//   RAM in records of type 0x21: the CRC-32C covers the frame head, the page table and a 160-byte
//   RAM digest (./ramdigest), and the digest covers the page data (about 5x cheaper to compute).
import { ByteReader, ByteWriter, FRAME_HEAD, FRAME_OVERHEAD, FRAME_TAIL } from './bytes';
import { ChunkSource, type StreamSource } from './chunks';
import { planOf, type Plan } from './codec';
import { crc32c } from './crc32c';
import type { AnyDescriptor, Field } from './descriptor';
import { ChecksumError, LimitError, SectionMismatchError, StreamFormatError, HookError, UnknownSubsectionError, VersionError, VmstateError, type ErrorContext } from './errors';
import type { Migratable } from './migratable';
import { RAM_DIGEST_BYTES, boundDigest, digestFor, ramDigestState, type BoundDigest } from './ramdigest';
import { schemaOf, type SchemaDocument } from './schema';
import { REC_SECTION, copyState, pinMap, readSectionPayload, writeSection, type VersionPins } from './section';

export const MAGIC = Uint8Array.of(0x89, 0x42, 0x50, 0x53, 0x54, 0x0d, 0x0a, 0x1a);
/** The format this build writes (it reads every format in READERS). */
export const STREAM_FORMAT_VERSION = 2;
export type StreamFormat = 1 | 2;
export const HEADER_SIZE = 12;

export const RecordType = {
  Manifest: 0x01,
  Description: 0x02,
  Section: REC_SECTION,
  Subsection: 0x11,
  /** RAM pages, format 1: the frame's CRC-32C covers the page data. */
  Ram: 0x20,
  /** RAM pages, format 2: the CRC-32C covers the page table and a RAM digest, the digest the page data. */
  RamDigest: 0x21,
  End: 0x7f,
} as const;

/** RAM rounds: every page, then pages dirtied since (any number of times), then the final pass after the guest stopped. */
export const RamRound = { All: 1, Dirty: 2, Final: 3 } as const;
export type RamRoundKind = (typeof RamRound)[keyof typeof RamRound];

export const PAGE_ZERO = 1;
export const DEFAULT_PAGE_SIZE = 4096;
export const DEFAULT_PAGES_PER_RECORD = 256;
export const MAX_PAGES_PER_RECORD = 4096;

export interface ManifestSection {
  id: number;
  device: string;
  instance: number;
  state: string;
  version: number;
  /** Subsections the section carries: path (`name`, `parent/name`, `field/name` for structs) and version. */
  subsections: { path: string; version: number }[];
}
export interface ManifestRam {
  id: number;
  name: string;
  size: number;
  pageSize: number;
}
export interface Manifest {
  machineType: string;
  sections: ManifestSection[];
  ram: ManifestRam[];
}

/** A device in a machine's save or load set. */
export interface DeviceEntry {
  device: string;
  instance?: number;
  target: Migratable;
  /** Compatibility pins for this device only (over the stream's `versions`). */
  versions?: VersionPins;
}
/** A RAM region saved page by page. */
export interface RamRegion {
  name: string;
  bytes: Uint8Array;
  /** Power of two from 512 to 65536; default 4096. */
  pageSize?: number;
}

export interface SaveMachineOptions {
  machineType: string;
  /** Virtual now (ns): timers are saved relative to it. */
  now: number;
  devices: readonly DeviceEntry[];
  ram?: readonly RamRegion[];
  /** Pages per RAM record (1..4096), default 256 (1 MiB with 4 KiB pages). */
  pagesPerRecord?: number;
  /**
   * Compatibility pins for every device: state, nested state or subsection name -> the version
   * to write (see `SaveOptions.versions`). A machine type that must stay loadable by an older
   * release pins the versions that release reads.
   */
  versions?: VersionPins;
  /**
   * Stream format to write: 2 (default) or 1, for a destination whose build reads only format 1
   * (vmstate 0.x before format 2; a machine type that must stay loadable by such a release).
   */
  streamFormat?: StreamFormat;
  /**
   * Format 2 only: yield the page data of RAM records as views of the RAM itself instead of
   * copies (a record becomes several chunks: head and page table, data runs, check). Saves the
   * copy and the fresh memory it needs; the chunks then hold the machine's RAM, so the consumer
   * must write each chunk out before the machine runs again (a chunk written later carries the
   * changed RAM, which its digest refuses on load). Default false: every chunk is a copy.
   */
  ramViews?: boolean;
}

function key(device: string, instance: number): string {
  return `${device}#${instance}`;
}

function checkRegions(ram: readonly RamRegion[]): void {
  const names = new Set<string>();
  for (const r of ram) {
    const ps = r.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!(r.bytes instanceof Uint8Array)) throw new SectionMismatchError('ram-mismatch', `RAM region "${r.name}" has no bytes`);
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)) !== 0) throw new SectionMismatchError('ram-mismatch', `RAM region "${r.name}": page size ${ps} is not a power of two from 512 to 65536`);
    if (r.bytes.length % ps !== 0) throw new SectionMismatchError('ram-mismatch', `RAM region "${r.name}": ${r.bytes.length} bytes is not a whole number of ${ps}-byte pages`);
    if (names.has(r.name)) throw new SectionMismatchError('duplicate-section', `RAM region "${r.name}" is listed twice`);
    names.add(r.name);
  }
}

// ---- writing ----------------------------------------------------------------------------------

function jsonFrame(type: number, value: unknown): Uint8Array {
  const w = new ByteWriter(1024);
  const start = w.beginFrame(type, 0);
  w.bytes(new TextEncoder().encode(JSON.stringify(value)));
  w.endFrame(start);
  return w.result();
}

/** Stream header bytes: magic, format version, flags. */
export function streamHeader(format: StreamFormat = STREAM_FORMAT_VERSION): Uint8Array {
  if (format !== 1 && format !== 2) throw new RangeError(`stream format ${String(format)} is not one this build writes (1 or 2)`);
  const b = new Uint8Array(HEADER_SIZE);
  b.set(MAGIC);
  new DataView(b.buffer).setUint16(8, format, true);
  return b;
}

function isZeroWords(w: Int32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i += 4) if ((w[i]! | w[i + 1]! | w[i + 2]! | w[i + 3]!) !== 0) return false;
  return true;
}
function isZeroBytes(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i] !== 0) return false;
  return true;
}
/** Whether RAM page `page` is all zero: in place by its bound digest (allocateRam), else by words or bytes. */
function pageIsZero(ram: Uint8Array, inPlace: BoundDigest | undefined, words: Int32Array | null, page: number, ps: number): boolean {
  if (inPlace) return inPlace.isZero(ram, page * ps, (page + 1) * ps);
  return words ? isZeroWords(words, (page * ps) >>> 2, ((page + 1) * ps) >>> 2) : isZeroBytes(ram, page * ps, (page + 1) * ps);
}

export interface RamRecordOptions {
  /** Stream format the records belong to (default: the format this build writes). */
  format?: StreamFormat;
  /** Format 2: page data as views of the RAM (see `SaveMachineOptions.ramViews`). */
  views?: boolean;
}

/**
 * Encode RAM pages as records of one round. `pages` lists page indices (ascending or not); when
 * omitted, every page. Each record is yielded as soon as it is built (about 1 MiB each), as one
 * chunk, or with `views` as several chunks.
 */
export function* ramRecords(id: number, region: RamRegion, round: RamRoundKind, pages?: Iterable<number>, pagesPerRecord = DEFAULT_PAGES_PER_RECORD, opts: RamRecordOptions = {}): Generator<Uint8Array> {
  for (const rec of ramRecordChunks(id, region, round, pages, pagesPerRecord, opts)) yield* rec;
}

/** The records of one round, each as its chunks. */
function ramRecordChunks(id: number, region: RamRegion, round: RamRoundKind, pages: Iterable<number> | undefined, pagesPerRecord: number, opts: RamRecordOptions): Generator<Uint8Array[]> {
  const ps = region.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pagesPerRecord) || pagesPerRecord < 1 || pagesPerRecord > MAX_PAGES_PER_RECORD) throw new RangeError(`pagesPerRecord must be 1..${MAX_PAGES_PER_RECORD}`);
  if (ps < 512 || ps > 65536 || (ps & (ps - 1)) !== 0 || region.bytes.length % ps !== 0) throw new RangeError(`RAM region "${region.name}": page size ${ps} is not a power of two from 512 to 65536 dividing its ${region.bytes.length} bytes`);
  const format = opts.format ?? STREAM_FORMAT_VERSION;
  if (format === 1) return ramRecordsFormat1(id, region, round, pages, pagesPerRecord);
  if (format === 2) return ramRecordsFormat2(id, region, round, pages, pagesPerRecord, opts.views === true);
  throw new RangeError(`stream format ${String(format)} is not one this build writes (1 or 2)`);
}

/** Offset in a format-2 RAM payload where the digest starts (after head, page indices, flags, padding to 8). */
export function ramDigestOffset(count: number): number {
  return (8 + count * 5 + 7) & ~7;
}

/**
 * Format 2 RAM records (type 0x21). Payload: round, log2 page size, 2 reserved, u32 count, page
 * indices, flags, zero padding to a multiple of 8, the 160-byte RAM digest of the data, then the
 * data of the non-zero pages. The frame's CRC-32C covers the frame head and the payload up to the
 * end of the digest.
 */
function* ramRecordsFormat2(id: number, region: RamRegion, round: RamRoundKind, pages: Iterable<number> | undefined, pagesPerRecord: number, views: boolean): Generator<Uint8Array[]> {
  const ps = region.pageSize ?? DEFAULT_PAGE_SIZE;
  const shift = Math.log2(ps);
  const ram = region.bytes;
  const pageCount = ram.length / ps;
  const words = (ram.byteOffset & 3) === 0 ? new Int32Array(ram.buffer, ram.byteOffset, ram.length >>> 2) : null;
  const list = pages ?? range(pageCount);
  const batch = new Int32Array(pagesPerRecord);
  const zero = new Uint8Array(pagesPerRecord);
  // RAM from allocateRam: the digest and the zero test read it in place (WebAssembly SIMD).
  const inPlace = boundDigest(ram);
  const digest = digestFor(ram);
  let n = 0;
  let nonZero = 0;
  const flush = (): Uint8Array[] => {
    const digestAt = ramDigestOffset(n);
    const dataAt = digestAt + RAM_DIGEST_BYTES;
    const payload = dataAt + nonZero * ps;
    const checked = FRAME_HEAD + dataAt; // bytes under the CRC-32C
    const rec = new Uint8Array(views ? checked : FRAME_OVERHEAD + payload);
    const v = new DataView(rec.buffer);
    rec[0] = RecordType.RamDigest;
    v.setUint32(1, id, true);
    v.setUint32(5, payload, true);
    const p = FRAME_HEAD;
    rec[p] = round;
    rec[p + 1] = shift;
    v.setUint32(p + 4, n, true);
    for (let i = 0; i < n; i++) {
      v.setUint32(p + 8 + i * 4, batch[i]!, true);
      rec[p + 8 + n * 4 + i] = zero[i]!;
    }
    // The digest over the data pages in entry order; runs of consecutive pages go in one piece.
    const chunks: Uint8Array[] = [rec];
    let d = p + dataAt;
    digest.reset();
    for (let i = 0; i < n; ) {
      if (zero[i]) {
        i++;
        continue;
      }
      const first = batch[i]!;
      let j = i + 1;
      while (j < n && !zero[j] && batch[j] === batch[j - 1]! + 1) j++;
      const from = first * ps;
      const to = (first + j - i) * ps;
      digest.add(ram, from, to);
      if (views) chunks.push(ram.subarray(from, to));
      else {
        rec.set(ram.subarray(from, to), d);
        d += to - from;
      }
      i = j;
    }
    digest.result(rec, p + digestAt);
    const crc = crc32c(rec, 0, 0, checked);
    const tail = views ? new Uint8Array(FRAME_TAIL) : rec.subarray(FRAME_HEAD + payload);
    new DataView(tail.buffer, tail.byteOffset, FRAME_TAIL).setUint32(0, crc, true);
    tail[4] = 0xe7;
    if (views) chunks.push(tail);
    n = 0;
    nonZero = 0;
    return chunks;
  };
  for (const page of list) {
    if (!Number.isInteger(page) || page < 0 || page >= pageCount) throw new RangeError(`page ${page} is outside RAM region "${region.name}" (${pageCount} pages)`);
    const isZero = pageIsZero(ram, inPlace, words, page, ps);
    batch[n] = page;
    zero[n] = isZero ? PAGE_ZERO : 0;
    if (!isZero) nonZero++;
    n++;
    if (n === pagesPerRecord) yield flush();
  }
  if (n > 0 || round === RamRound.Final) yield flush();
}

/** Format 1 RAM records (type 0x20): the CRC-32C covers the page data. One chunk per record. */
function* ramRecordsFormat1(id: number, region: RamRegion, round: RamRoundKind, pages: Iterable<number> | undefined, pagesPerRecord: number): Generator<Uint8Array[]> {
  const ps = region.pageSize ?? DEFAULT_PAGE_SIZE;
  const shift = Math.log2(ps);
  const ram = region.bytes;
  const pageCount = ram.length / ps;
  if (!Number.isInteger(pagesPerRecord) || pagesPerRecord < 1 || pagesPerRecord > MAX_PAGES_PER_RECORD) throw new RangeError(`pagesPerRecord must be 1..${MAX_PAGES_PER_RECORD}`);
  const inPlace = boundDigest(ram);
  const words = (ram.byteOffset & 3) === 0 ? new Int32Array(ram.buffer, ram.byteOffset, ram.length >>> 2) : null;
  const list = pages ?? range(pageCount);
  const batch = new Int32Array(pagesPerRecord);
  const zero = new Uint8Array(pagesPerRecord);
  let n = 0;
  let nonZero = 0;
  const flush = (): Uint8Array => {
    const flagsEnd = 8 + n * 5;
    const dataStart = (flagsEnd + 3) & ~3;
    const payload = dataStart + nonZero * ps;
    const rec = new Uint8Array(FRAME_OVERHEAD + payload);
    const v = new DataView(rec.buffer);
    rec[0] = RecordType.Ram;
    v.setUint32(1, id, true);
    v.setUint32(5, payload, true);
    const p = FRAME_HEAD;
    rec[p] = round;
    rec[p + 1] = shift;
    v.setUint32(p + 4, n, true);
    let d = p + dataStart;
    for (let i = 0; i < n; i++) {
      const page = batch[i]!;
      v.setUint32(p + 8 + i * 4, page, true);
      rec[p + 8 + n * 4 + i] = zero[i]!;
      if (!zero[i]) {
        const off = page * ps;
        rec.set(ram.subarray(off, off + ps), d);
        d += ps;
      }
    }
    const end = FRAME_HEAD + payload;
    v.setUint32(end, crc32c(rec, 0, 0, end), true);
    rec[end + 4] = 0xe7;
    n = 0;
    nonZero = 0;
    return rec;
  };
  for (const page of list) {
    if (!Number.isInteger(page) || page < 0 || page >= pageCount) throw new RangeError(`page ${page} is outside RAM region "${region.name}" (${pageCount} pages)`);
    const isZero = pageIsZero(ram, inPlace, words, page, ps);
    batch[n] = page;
    zero[n] = isZero ? PAGE_ZERO : 0;
    if (!isZero) nonZero++;
    n++;
    if (n === pagesPerRecord) yield [flush()];
  }
  if (n > 0 || round === RamRound.Final) yield [flush()];
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** Encode the device sections (validating every state) and the manifest; nothing is yielded yet. */
function prepare(opts: SaveMachineOptions): { manifest: Manifest; sections: Uint8Array[]; description: SchemaDocument } {
  if (!Number.isSafeInteger(opts.now) || opts.now < 0) throw new VmstateError('invalid', `now must be a non-negative integer of ns, got ${String(opts.now)}`);
  if (typeof opts.machineType !== 'string' || opts.machineType.length === 0) throw new SectionMismatchError('machine-type', 'machineType is required');
  const seen = new Set<string>();
  const global = pinMap(opts.versions);
  const sections: Uint8Array[] = [];
  const manifest: Manifest = { machineType: opts.machineType, sections: [], ram: [] };
  opts.devices.forEach((d, id) => {
    const instance = d.instance ?? 0;
    const k = key(d.device, instance);
    if (seen.has(k)) throw new SectionMismatchError('duplicate-section', `device ${k} is listed twice`, { device: k });
    seen.add(k);
    const desc = d.target.descriptor;
    const w = new ByteWriter(256);
    const versions = d.versions === undefined ? global : new Map([...(global ?? []), ...(pinMap(d.versions) ?? [])]);
    const subs = writeSection(desc, d.target.saveState(), w, { now: opts.now, id, ...(versions ? { versions } : {}) }, { device: k });
    sections.push(w.result());
    manifest.sections.push({
      id,
      device: d.device,
      instance,
      state: desc.name,
      version: versions?.get(desc.name) ?? desc.version,
      subsections: [...subs].map(([path, version]) => ({ path, version })),
    });
  });
  const ram = opts.ram ?? [];
  checkRegions(ram);
  ram.forEach((r, id) => manifest.ram.push({ id, name: r.name, size: r.bytes.length, pageSize: r.pageSize ?? DEFAULT_PAGE_SIZE }));
  const description = schemaOf(
    opts.devices.map((d) => d.target.descriptor),
    { label: opts.machineType, devices: manifest.sections.map((s) => ({ device: s.device, instance: s.instance, state: s.state })) },
  );
  return { manifest, sections, description };
}

/**
 * Save a machine as a stream of chunks: header, manifest, description, RAM (round "all" then an
 * empty "final" round), device sections, end. Device states are taken and validated before the
 * first chunk is produced, so a refused save yields nothing. RAM is read while iterating: the
 * machine must stay stopped until the iteration ends.
 */
export async function* saveMachine(opts: SaveMachineOptions): AsyncGenerator<Uint8Array, void, undefined> {
  const format = opts.streamFormat ?? STREAM_FORMAT_VERSION;
  if (format !== 1 && format !== 2) throw new RangeError(`stream format ${String(format)} is not one this build writes (1 or 2)`);
  const ppr = opts.pagesPerRecord ?? DEFAULT_PAGES_PER_RECORD;
  if (!Number.isInteger(ppr) || ppr < 1 || ppr > MAX_PAGES_PER_RECORD) throw new RangeError(`pagesPerRecord must be 1..${MAX_PAGES_PER_RECORD}`);
  const { manifest, sections, description } = prepare(opts);
  const recOpts: RamRecordOptions = { format, views: opts.ramViews === true };
  yield* headerChunks(manifest, description, format);
  const ram = opts.ram ?? [];
  let ramRecordsCount = 0;
  for (let id = 0; id < ram.length; id++)
    for (const rec of ramRecordChunks(id, ram[id]!, RamRound.All, undefined, ppr, recOpts)) {
      ramRecordsCount++;
      yield* rec;
    }
  for (const s of sections) yield s;
  for (let id = 0; id < ram.length; id++)
    for (const rec of ramRecordChunks(id, ram[id]!, RamRound.Final, [], ppr, recOpts)) {
      ramRecordsCount++;
      yield* rec;
    }
  yield endRecord(sections.length, ramRecordsCount);
}

function* headerChunks(manifest: Manifest, description: SchemaDocument, format: StreamFormat): Generator<Uint8Array> {
  yield streamHeader(format);
  yield jsonFrame(RecordType.Manifest, manifest);
  yield jsonFrame(RecordType.Description, description);
}

function endRecord(sections: number, ramRecordsCount: number): Uint8Array {
  const w = new ByteWriter(32);
  const start = w.beginFrame(RecordType.End, 0);
  w.u32(sections);
  w.u32(ramRecordsCount);
  w.endFrame(start);
  return w.result();
}

/**
 * The whole stream in one buffer. RAM data is taken as views (`ramViews`, unless the options say
 * otherwise) since it is copied into the result before this returns: one copy of the RAM, not two.
 */
export async function saveMachineToBytes(opts: SaveMachineOptions): Promise<Uint8Array> {
  return concat(await collect(saveMachine({ ramViews: true, ...opts })));
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of it) out.push(c);
  return out;
}
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

// ---- reading: records ---------------------------------------------------------------------------

/** Largest payloads accepted per record type before any allocation. */
export interface StreamLimits {
  manifestBytes: number;
  descriptionBytes: number;
  sectionBytes: number;
}
export const DEFAULT_LIMITS: StreamLimits = { manifestBytes: 4 << 20, descriptionBytes: 16 << 20, sectionBytes: 64 << 20 };

export interface RawRecord {
  type: number;
  id: number;
  /** Stream offset of the record's first byte. */
  offset: number;
  /** Payload (view valid until the next read). */
  payload: Uint8Array;
  crc: number;
  size: number;
}

function recordLimit(type: number, limits: StreamLimits, format: number): number {
  switch (type) {
    case RecordType.Manifest:
      return limits.manifestBytes;
    case RecordType.Description:
      return limits.descriptionBytes;
    case RecordType.Section:
      return limits.sectionBytes;
    case RecordType.Ram:
      return format === 1 ? 8 + MAX_PAGES_PER_RECORD * 5 + 4 + MAX_PAGES_PER_RECORD * 65536 : -1;
    case RecordType.RamDigest:
      return format >= 2 ? ramDigestOffset(MAX_PAGES_PER_RECORD) + RAM_DIGEST_BYTES + MAX_PAGES_PER_RECORD * 65536 : -1;
    case RecordType.End:
      return 64;
    default:
      return -1;
  }
}

const TYPE_NAMES: Record<number, string> = { 1: 'manifest', 2: 'description', 0x10: 'section', 0x11: 'subsection', 0x20: 'RAM', 0x21: 'RAM', 0x7f: 'end' };
export function recordTypeName(t: number): string {
  return TYPE_NAMES[t] ?? `unknown type 0x${t.toString(16)}`;
}

/**
 * Read one record of a stream of the given format and check it whole: header, length limit
 * (before allocating), payload, end marker, CRC-32C, and for format-2 RAM records the RAM digest.
 */
export async function readRecord(
  src: ChunkSource,
  limits: StreamLimits,
  ctxOf: (type: number, id: number) => ErrorContext = () => ({}),
  format = 1,
  /** For a format-2 RAM record of this region id, leave the digest to the caller (it checks it while writing the pages). */
  laterDigest?: (id: number) => boolean,
): Promise<RawRecord> {
  const offset = src.offset;
  const head = (await src.read(FRAME_HEAD, 'a record header')).slice();
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const type = head[0]!;
  const id = hv.getUint32(1, true);
  const len = hv.getUint32(5, true);
  const ctx = { ...ctxOf(type, id), offset };
  const limit = recordLimit(type, limits, format);
  if (limit < 0) throw new StreamFormatError(`unknown record type 0x${type.toString(16)} (in a format-${format} stream)`, ctx);
  if (len > limit) throw new LimitError(`${recordTypeName(type)} record declares ${len} bytes, more than the limit ${limit}`, ctx);
  let body: Uint8Array;
  try {
    body = await src.read(len + FRAME_TAIL, `a ${recordTypeName(type)} record`);
  } catch (e) {
    throw e instanceof VmstateError ? e.withContext(ctx) : e;
  }
  const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (body[len + 4] !== 0xe7) throw new StreamFormatError(`${recordTypeName(type)} record has no end marker after its ${len} payload bytes (length field or data corrupt)`, ctx);
  const stored = bv.getUint32(len, true);
  // A format-2 RAM record's CRC stops after the digest; the digest covers the page data.
  const checked = type === RecordType.RamDigest ? ramCheckedLength(body, len, ctx) : len;
  const actual = crc32c(body, crc32c(head), 0, checked);
  if (stored !== actual) throw new ChecksumError(stored, actual, ctx);
  if (checked !== len && !laterDigest?.(id)) checkRamDigest(body, checked, len, ctx);
  return { type, id, offset, payload: body.subarray(0, len), crc: stored, size: len + FRAME_OVERHEAD };
}

/** Payload bytes under a format-2 RAM record's CRC (head, page table, digest), or a typed refusal. */
function ramCheckedLength(p: Uint8Array, len: number, ctx: ErrorContext): number {
  if (len < 8) throw new StreamFormatError(`RAM record: payload of ${len} bytes is shorter than its 8-byte head`, ctx);
  const count = new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(4, true);
  if (count > MAX_PAGES_PER_RECORD) throw new LimitError(`RAM record holds ${count} pages, more than ${MAX_PAGES_PER_RECORD}`, ctx);
  const end = ramDigestOffset(count) + RAM_DIGEST_BYTES;
  if (len < end) throw new StreamFormatError(`RAM record: payload of ${len} bytes cannot hold ${count} page entries and the digest`, ctx);
  if (((len - end) & 63) !== 0) throw new StreamFormatError(`RAM record: ${len - end} data bytes are not a whole number of pages`, ctx);
  return end;
}

const digestScratch = new Uint8Array(RAM_DIGEST_BYTES);

/** Compare the RAM digest stored at p[dataAt - 64, dataAt) with the digest of p[dataAt, len). */
function checkRamDigest(p: Uint8Array, dataAt: number, len: number, ctx: ErrorContext): void {
  ramDigestState.begin();
  ramDigestState.add(p, dataAt, len);
  ramDigestState.end(digestScratch);
  compareRamDigest(p, dataAt - RAM_DIGEST_BYTES, ctx);
}

/** Compare the digest stored at p[at, at + 160) with `digestScratch`; a typed refusal naming the differing word. */
function compareRamDigest(p: Uint8Array, at: number, ctx: ErrorContext): void {
  for (let i = 0; i < RAM_DIGEST_BYTES; i++) {
    if (p[at + i] === digestScratch[i]) continue;
    const word = i >>> 3;
    const half = i & ~3; // the differing 32 bits
    const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const w = new DataView(digestScratch.buffer);
    const bits = (half & 4) === 0 ? '0-31' : '32-63';
    throw new ChecksumError(v.getUint32(at + half, true), w.getUint32(half, true), ctx, `RAM digest (${word < 4 ? 'sum' : 'polynomial'} of lane ${word < 4 ? word : word - 4}, bits ${bits})`);
  }
}

/** Read and check the stream header; returns the format version (only 1 exists). */
export async function readHeader(src: ChunkSource): Promise<number> {
  const h = await src.read(HEADER_SIZE, 'the stream header');
  for (let i = 0; i < MAGIC.length; i++) if (h[i] !== MAGIC[i]) throw new StreamFormatError('not a backplane state stream (bad magic)', { offset: 0 });
  const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const version = v.getUint16(8, true);
  const flags = v.getUint16(10, true);
  if (!READERS.has(version)) throw new StreamFormatError(`stream format version ${version} is not supported (this build reads ${[...READERS].join(', ')})`, { offset: 8 }, 'format-version');
  if (flags !== 0) throw new StreamFormatError(`header flags 0x${flags.toString(16)} are not defined in format ${version}`, { offset: 10 });
  return version;
}

/** Format versions this build reads; the reader dispatches on the header's version. */
const READERS = new Set<number>([1, 2]);

function parseJson(payload: Uint8Array, what: string, offset: number): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (e) {
    throw new StreamFormatError(`${what} is not valid UTF-8 JSON: ${(e as Error).message}`, { offset });
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isU32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Check a manifest's shape (it is hostile input until then). */
export function checkManifest(m: unknown, offset: number): Manifest {
  const badm = (why: string): never => {
    throw new SectionMismatchError('manifest', `manifest: ${why}`, { offset });
  };
  if (!isObj(m) || typeof m.machineType !== 'string' || !Array.isArray(m.sections) || !Array.isArray(m.ram)) badm('missing machineType, sections or ram');
  const mm = m as unknown as Manifest;
  const keys = new Set<string>();
  mm.sections.forEach((s, i) => {
    if (!isObj(s) || s.id !== i || typeof s.device !== 'string' || !isU32(s.instance) || typeof s.state !== 'string' || !isU32(s.version) || !Array.isArray(s.subsections))
      badm(`section entry ${i} is malformed`);
    for (const sub of s.subsections) if (!isObj(sub) || typeof sub.path !== 'string' || !isU32(sub.version)) badm(`section ${i} lists a malformed subsection`);
    const k = key(s.device, s.instance);
    if (keys.has(k)) throw new SectionMismatchError('duplicate-section', `manifest lists device ${k} twice`, { device: k, offset });
    keys.add(k);
  });
  const names = new Set<string>();
  mm.ram.forEach((r, i) => {
    if (!isObj(r) || r.id !== i || typeof r.name !== 'string' || !Number.isSafeInteger(r.size) || r.size < 0 || !isU32(r.pageSize) || r.pageSize < 512 || r.pageSize > 65536 || (r.pageSize & (r.pageSize - 1)) !== 0 || r.size % r.pageSize !== 0)
      badm(`RAM entry ${i} is malformed`);
    if (names.has(r.name)) throw new SectionMismatchError('duplicate-section', `manifest lists RAM region "${r.name}" twice`, { offset });
    names.add(r.name);
  });
  return mm;
}

// ---- subsection paths a descriptor knows -----------------------------------------------------

/** Every subsection path a descriptor can carry, with the versions it reads. */
export function subsectionPaths(desc: AnyDescriptor): Map<string, { minVersion: number; version: number }> {
  const out = new Map<string, { minVersion: number; version: number }>();
  const walk = (plan: Plan, prefix: string, depth: number): void => {
    if (depth > 32) return;
    for (const op of plan.allOps) {
      const f: Field = op.field;
      const struct = f.struct ?? f.element?.struct;
      if (struct) walk(planOf(struct), `${prefix ? prefix + '.' : ''}${op.key}`, depth + 1);
    }
    const subs = (p: Plan, pre: string): void => {
      for (const s of p.subs) {
        const path = pre ? `${pre}/${s.name}` : s.name;
        out.set(path, { minVersion: s.minVersion, version: s.version });
        subs(s, path);
      }
    };
    subs(plan, prefix);
  };
  walk(planOf(desc), '', 0);
  return out;
}

// ---- loading a machine ------------------------------------------------------------------------

export interface LoadMachineOptions {
  /** Refuse streams of another machine type. */
  machineType?: string;
  /** Virtual now on the destination (ns). */
  now: number;
  devices: readonly DeviceEntry[];
  ram?: readonly RamRegion[];
  /** Accept a stream that lacks some devices of this machine (they keep their state). Default false. */
  allowMissingSections?: boolean;
  /**
   * Keep the previous content of every RAM page the load overwrites, to restore it if the load
   * fails later (default true). Pages that were all zero cost nothing. A stream in memory needs
   * no journal (its RAM is written last, once everything is checked). Turn off only for a fresh
   * destination whose RAM may be left half-written on failure: RAM is then written as each
   * checked record arrives, from any source.
   */
  journal?: boolean;
  limits?: Partial<StreamLimits>;
}

export interface LoadResult {
  formatVersion: number;
  machineType: string;
  manifest: Manifest;
  /** Per device: the version it was saved at and the subsections it carried. */
  sections: { device: string; instance: number; state: string; version: number; subsections: string[] }[];
  ramPages: number;
  bytes: number;
}

/** Pages per journal slab (old page contents are kept in slabs of this many pages). */
const JOURNAL_SLAB_PAGES = 256;

class RamJournal {
  /** Per page: 0 untouched, 1 kept in a slab (slot in `slot`), 2 was all zero. */
  private readonly touched: Uint8Array;
  private readonly slot: Int32Array;
  private readonly slabs: Uint8Array[] = [];
  private used = 0;
  constructor(
    private readonly ram: Uint8Array,
    private readonly ps: number,
    readonly enabled: boolean,
  ) {
    this.touched = new Uint8Array(enabled ? ram.length / ps : 0);
    this.slot = new Int32Array(enabled ? ram.length / ps : 0);
  }
  /** Pages [from, to) are all zero now (checked by the caller): a rollback zeroes them. */
  markZero(from: number, to: number): void {
    for (let p = from; p < to; p++) if (!this.touched[p]) this.touched[p] = 2;
  }
  /** Record page `p` before its first overwrite. */
  before(p: number, words: Int32Array | null): void {
    if (!this.enabled || this.touched[p]) return;
    const ps = this.ps;
    const off = p * ps;
    const zero = words ? isZeroWords(words, off >>> 2, (off + ps) >>> 2) : isZeroBytes(this.ram, off, off + ps);
    if (zero) {
      this.touched[p] = 2;
      return;
    }
    const n = this.used++;
    const i = n % JOURNAL_SLAB_PAGES;
    if (i === 0) this.slabs.push(new Uint8Array(JOURNAL_SLAB_PAGES * ps));
    this.slabs[this.slabs.length - 1]!.set(this.ram.subarray(off, off + ps), i * ps);
    this.slot[p] = n;
    this.touched[p] = 1;
  }
  rollback(): void {
    if (!this.enabled) return;
    const ps = this.ps;
    for (let p = 0; p < this.touched.length; p++) {
      const t = this.touched[p];
      if (t === 0) continue;
      const off = p * ps;
      if (t === 2) this.ram.fill(0, off, off + ps);
      else {
        const n = this.slot[p]!;
        const at = (n % JOURNAL_SLAB_PAGES) * ps;
        this.ram.set(this.slabs[Math.floor(n / JOURNAL_SLAB_PAGES)]!.subarray(at, at + ps), off);
      }
    }
  }
}

interface RamState {
  region: RamRegion;
  entry: ManifestRam;
  ps: number;
  words: Int32Array | null;
  seen: Uint8Array;
  round: number;
  journal: RamJournal;
  /** With `writer` and a stream in memory, per page: 1 once a write to it is held back to the end. */
  held: Uint8Array;
  /** RAM from allocateRam (format 2): writes records where RAM is still zero and checks them in place. */
  writer: InPlaceWriter | undefined;
}

/** A RAM write held back to the end of a load (a stream in memory over non-zero RAM); `src` null: zero fill. */
interface HeldWrite {
  ram: Uint8Array;
  src: Uint8Array | null;
  off: number;
  len: number;
}

/** A RAM record checked against its region: what to write. */
interface RamWrite {
  st: RamState;
  payload: Uint8Array;
  view: DataView;
  count: number;
  flagsAt: number;
  dataAt: number;
}

/**
 * Check one RAM record (its frame, CRC and digest already checked) against its region and the
 * rounds so far; marks its pages as sent. Nothing is written yet.
 */
function parseRam(rec: RawRecord, st: RamState, ctx: ErrorContext): RamWrite {
  const p = rec.payload;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const fail = (why: string): never => {
    throw new StreamFormatError(`RAM record: ${why}`, ctx);
  };
  if (p.length < 8) fail('payload shorter than its 8-byte head');
  const round = p[0]!;
  const shift = p[1]!;
  const count = v.getUint32(4, true);
  if (round < RamRound.All || round > RamRound.Final) fail(`round ${round} is not 1 (all), 2 (dirty) or 3 (final)`);
  if (round < st.round) fail(`round ${round} after round ${st.round}`);
  if (st.round === RamRound.Final) fail('record after the final round');
  if (1 << shift !== st.ps || shift > 16) fail(`page size 2^${shift} differs from the manifest's ${st.ps}`);
  if (v.getUint16(2, true) !== 0) fail('reserved bytes are not zero');
  if (count > MAX_PAGES_PER_RECORD) throw new LimitError(`RAM record holds ${count} pages, more than ${MAX_PAGES_PER_RECORD}`, ctx);
  const flagsAt = 8 + count * 4;
  // Format 1: data aligned to 4 after the flags. Format 2: zero padding to 8, the digest, the data.
  const dataAt = rec.type === RecordType.RamDigest ? ramDigestOffset(count) + RAM_DIGEST_BYTES : (flagsAt + count + 3) & ~3;
  if (p.length < dataAt) fail(`payload of ${p.length} bytes cannot hold ${count} page entries`);
  if (rec.type === RecordType.RamDigest) for (let i = flagsAt + count; i < dataAt - RAM_DIGEST_BYTES; i++) if (p[i] !== 0) fail('padding after the page flags is not zero');
  let nonZero = 0;
  const pageCount = st.seen.length;
  for (let i = 0; i < count; i++) {
    const f = p[flagsAt + i]!;
    if (f & ~PAGE_ZERO) fail(`page entry ${i} has undefined flags 0x${f.toString(16)}`);
    if (!(f & PAGE_ZERO)) nonZero++;
    const page = v.getUint32(8 + i * 4, true);
    if (page >= pageCount) fail(`page ${page} is beyond the region's ${pageCount} pages`);
  }
  if (p.length !== dataAt + nonZero * st.ps) fail(`payload is ${p.length} bytes, ${count} entries with ${nonZero} data pages need ${dataAt + nonZero * st.ps}`);
  for (let i = 0; i < count; i++) st.seen[v.getUint32(8 + i * 4, true)] = 1;
  st.round = round;
  return { st, payload: p, view: v, count, flagsAt, dataAt };
}

/** Write a checked RAM record's pages, journaling first what they overwrite (when the journal is on). */
function writeRam(w: RamWrite): void {
  const { st, payload: p, view: v, count, flagsAt } = w;
  const ram = st.region.bytes;
  const ps = st.ps;
  const journal = st.journal;
  let d = w.dataAt;
  for (let i = 0; i < count; ) {
    const page = v.getUint32(8 + i * 4, true);
    if (journal.enabled) journal.before(page, st.words);
    if (p[flagsAt + i]! & PAGE_ZERO) {
      ram.fill(0, page * ps, (page + 1) * ps);
      i++;
      continue;
    }
    // A run of data pages with consecutive indices is one copy.
    let j = i + 1;
    while (j < count && !(p[flagsAt + j]! & PAGE_ZERO) && v.getUint32(8 + j * 4, true) === page + (j - i)) {
      if (journal.enabled) journal.before(page + (j - i), st.words);
      j++;
    }
    const bytes = (j - i) * ps;
    ram.set(p.subarray(d, d + bytes), page * ps);
    d += bytes;
    i = j;
  }
}

/** Bytes per step of a RAM write checked in place (zero test, copy, digest pass). 1 MiB steps measured faster than 64 to 512 KiB here (37 against 43 ms for 256 MiB, before the zero test was fused with the digest). */
const IN_PLACE_STEP = 1024 * 1024;

/** A record whose digest is being taken in place: its slot in the bound digest and what it must match. */
interface OpenDigest {
  slot: number;
  /** The 160-byte digest the record carries (copied: the payload view may not outlive the next read). */
  expected: Uint8Array;
  ctx: ErrorContext;
  /** All its data has been handed over (the last range may still be pending). */
  closed: boolean;
}

/**
 * Writes format-2 RAM records into RAM from allocateRam (one per region), checking each record's
 * digest over the RAM it wrote. Each step of up to IN_PLACE_STEP bytes of consecutive pages: where
 * the RAM there is still all zero (and no held-back write waits for it), the pages are copied in
 * and digested in place, and a rollback only has to zero them. Elsewhere, with `held` (a stream in
 * memory): digested from the stream and written at the end (as for other RAM); without (a
 * streamed source): journaled, written, digested in place. A zero-flagged page over zero RAM needs
 * nothing. A record of consecutive pages spanning at most one step (as a save writes them) first
 * tries one zero test over its whole span, zero-flagged pages and data pages alike (`writeSpan`):
 * a record with a few data pages between zero ones then costs one test instead of one per run.
 *
 * The digest of a range written in place is taken one step late, in the same pass as the zero
 * test of the next step (`hashAndTestZero`): RAM just written is still in cache, and the next
 * step's RAM streams in while it is hashed. So a record's digest may be checked while the next
 * record is written (its own slot of the two): a mismatch throws then, naming the record it is
 * about, and the caller rolls back every page written. `flush` takes the last pending digest:
 * call it before the load is accepted.
 */
class InPlaceWriter {
  private pending: { off: number; len: number; rec: OpenDigest } | null = null;
  private readonly recs: [OpenDigest, OpenDigest];
  private next = 0;
  constructor(
    private readonly st: RamState,
    private readonly dg: BoundDigest,
  ) {
    const mk = (slot: number): OpenDigest => ({ slot, expected: new Uint8Array(RAM_DIGEST_BYTES), ctx: {}, closed: true });
    this.recs = [mk(1), mk(2)]; // slot 0 stays free for a save of the same memory meanwhile
  }

  write(w: RamWrite, held: HeldWrite[] | null, ctx: ErrorContext): void {
    const { st, dg } = this;
    const { payload: p, view: v, count, flagsAt } = w;
    const ram = st.region.bytes;
    const ps = st.ps;
    const journal = st.journal;
    const waits = st.held;
    const step = Math.max(ps, IN_PLACE_STEP);
    // A slot is free once its record is checked: only the pending range can hold a record open,
    // and it belongs to the record before (the other slot) or, when that one had no data written
    // in place, to an earlier one, possibly in this slot.
    const rec = this.recs[this.next]!;
    if (this.pending?.rec === rec) this.flush();
    this.next ^= 1;
    rec.expected.set(p.subarray(w.dataAt - RAM_DIGEST_BYTES, w.dataAt));
    rec.ctx = ctx;
    rec.closed = false;
    dg.reset(rec.slot);
    if (this.writeSpan(w, rec)) return;
    let d = w.dataAt;
    for (let i = 0; i < count; ) {
      const page = v.getUint32(8 + i * 4, true);
      if (p[flagsAt + i]! & PAGE_ZERO) {
        // A run of zero-flagged pages with consecutive indices: one zero test; over RAM that is
        // zero nothing to do, elsewhere one zero fill (held back, or journaled) for the run.
        let k = i + 1;
        while (k < count && k - i < step / ps && p[flagsAt + k]! & PAGE_ZERO && v.getUint32(8 + k * 4, true) === page + (k - i)) k++;
        const off = page * ps;
        const len = (k - i) * ps;
        let waiting = false;
        for (let q = page; q < page + (k - i) && !waiting; q++) waiting = waits[q] === 1;
        if (!waiting && this.testZero(off, len)) {
          i = k;
          continue;
        }
        if (held) {
          held.push({ ram, src: null, off, len });
          waits.fill(1, page, page + (k - i));
        } else {
          this.flush(); // the pending range may be these pages, sent again in a later round
          if (journal.enabled) for (let q = page; q < page + (k - i); q++) journal.before(q, st.words);
          ram.fill(0, off, off + len);
        }
        i = k;
        continue;
      }
      let k = i + 1;
      while (k < count && !(p[flagsAt + k]! & PAGE_ZERO) && v.getUint32(8 + k * 4, true) === page + (k - i)) k++;
      const runEnd = d + (k - i) * ps;
      let off = page * ps;
      while (d < runEnd) {
        const n = Math.min(step, runEnd - d);
        const p0 = off / ps;
        const p1 = (off + n) / ps;
        let waiting = false;
        for (let q = p0; q < p1 && !waiting; q++) waiting = waits[q] === 1;
        if (!waiting && this.testZero(off, n)) {
          if (journal.enabled) journal.markZero(p0, p1);
          ram.set(p.subarray(d, d + n), off);
          this.pending = { off, len: n, rec };
        } else if (held) {
          this.flush(); // the record's earlier data goes into its digest first
          dg.add(p, d, d + n, rec.slot);
          held.push({ ram, src: p.subarray(d, d + n), off, len: n });
          waits.fill(1, p0, p1);
        } else {
          this.flush();
          if (journal.enabled) for (let q = p0; q < p1; q++) journal.before(q, st.words);
          ram.set(p.subarray(d, d + n), off);
          this.pending = { off, len: n, rec };
        }
        d += n;
        off += n;
      }
      i = k;
    }
    rec.closed = true;
    if (this.pending?.rec !== rec) this.check(rec);
  }

  /**
   * The common record (round 1 of a save): consecutive pages spanning at most one step, over RAM
   * that is still all zero. One zero test for the whole span (data and zero-flagged pages alike),
   * then its data runs are copied in; a single run's digest is taken one step late as usual, several
   * (pages between zero pages) are digested at once, while still in cache. False when the record
   * is not of that kind or its span is not all zero (nothing written; the pending digest may have
   * been taken): it then goes run by run.
   */
  private writeSpan(w: RamWrite, rec: OpenDigest): boolean {
    const { st, dg } = this;
    const { payload: p, view: v, count, flagsAt } = w;
    const ps = st.ps;
    if (count === 0 || count * ps > Math.max(ps, IN_PLACE_STEP)) return false;
    const first = v.getUint32(8, true);
    for (let i = 1; i < count; i++) if (v.getUint32(8 + i * 4, true) !== first + i) return false;
    const waits = st.held;
    if (waits.length) for (let q = first; q < first + count; q++) if (waits[q] === 1) return false;
    const ram = st.region.bytes;
    if (!this.testZero(first * ps, count * ps)) return false;
    if (st.journal.enabled) st.journal.markZero(first, first + count);
    let d = w.dataAt;
    let runs = 0;
    let runOff = 0;
    let runLen = 0;
    for (let i = 0; i < count; ) {
      if (p[flagsAt + i]! & PAGE_ZERO) {
        i++;
        continue;
      }
      let k = i + 1;
      while (k < count && !(p[flagsAt + k]! & PAGE_ZERO)) k++;
      const off = (first + i) * ps;
      const len = (k - i) * ps;
      ram.set(p.subarray(d, d + len), off);
      if (runs > 0) dg.add(ram, runOff, runOff + runLen, rec.slot);
      runs++;
      runOff = off;
      runLen = len;
      d += len;
      i = k;
    }
    rec.closed = true;
    if (runs === 0) this.check(rec);
    else if (runs === 1) this.pending = { off: runOff, len: runLen, rec };
    else {
      dg.add(ram, runOff, runOff + runLen, rec.slot);
      this.check(rec);
    }
    return true;
  }

  /** Take the pending digest (if any) and check its record when that was its last data. */
  flush(): void {
    const h = this.pending;
    if (!h) return;
    this.pending = null;
    this.dg.add(this.st.region.bytes, h.off, h.off + h.len, h.rec.slot);
    if (h.rec.closed) this.check(h.rec);
  }

  /** Whether RAM [off, off + n) is all zero; takes the pending digest in the same pass. */
  private testZero(off: number, n: number): boolean {
    const h = this.pending;
    const ram = this.st.region.bytes;
    if (!h) return this.dg.isZero(ram, off, off + n);
    this.pending = null;
    const m = Math.min(h.len, n);
    let zero = this.dg.hashAndTestZero(ram, h.off, h.off + m, h.rec.slot, off);
    if (h.len > m) this.dg.add(ram, h.off + m, h.off + h.len, h.rec.slot);
    if (n > m && zero) zero = this.dg.isZero(ram, off + m, off + n);
    if (h.rec.closed) this.check(h.rec);
    return zero;
  }

  private check(rec: OpenDigest): void {
    this.dg.result(digestScratch, 0, rec.slot);
    compareRamDigest(rec.expected, 0, rec.ctx);
  }
}

/**
 * Load a machine stream transactionally. The manifest is checked against the machine before any
 * state is read; every record is checked whole (CRC-32C, RAM digest) before it is used; every
 * device section is decoded into a fresh object and validated; only after the end record has been
 * verified does each device's `loadState` run. On any failure nothing is left changed, then the
 * typed error is thrown.
 *
 * RAM: when the stream is in memory (a Uint8Array, or an array of chunks), every record is
 * checked before any page is written and the pages are written last, after every device's
 * `loadState` succeeded: no journal is needed. A streamed source (async iterable, Web stream)
 * writes each checked RAM record as it arrives, journaling the pages it overwrites, and rolls
 * them back on failure. RAM from `allocateRam` (format 2): where the RAM is still zero, pages are
 * written as each record arrives and its digest is checked over the RAM written (a failure zeroes
 * them again); elsewhere as above. Either way `loadState` must not read guest RAM (the order of RAM and
 * device application differs between the two).
 */
export async function loadMachine(source: StreamSource, opts: LoadMachineOptions): Promise<LoadResult> {
  if (!Number.isSafeInteger(opts.now) || opts.now < 0) throw new VmstateError('invalid', `now must be a non-negative integer of ns, got ${String(opts.now)}`);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const src = new ChunkSource(source);
  const targets = new Map<string, DeviceEntry>();
  for (const d of opts.devices) {
    const k = key(d.device, d.instance ?? 0);
    if (targets.has(k)) throw new SectionMismatchError('duplicate-section', `device ${k} is listed twice`, { device: k });
    targets.set(k, d);
  }
  const regions = opts.ram ?? [];
  checkRegions(regions);
  const ramStates: RamState[] = [];
  // A stream held in memory stays valid: RAM records are checked now and written last.
  // (With the journal turned off the caller accepts half-written RAM: write as records arrive.)
  const deferRam = (source instanceof Uint8Array || Array.isArray(source)) && opts.journal !== false;
  const pendingRam: RamWrite[] = [];
  const heldRam: HeldWrite[] = [];
  try {
    const format = await readHeader(src);
    let manifest: Manifest | undefined;
    const ctxOf = (type: number, id: number): ErrorContext => {
      if (type === RecordType.Section && manifest && manifest.sections[id]) {
        const s = manifest.sections[id]!;
        return { device: key(s.device, s.instance), section: s.state };
      }
      if ((type === RecordType.Ram || type === RecordType.RamDigest) && manifest && manifest.ram[id]) return { section: `ram "${manifest.ram[id]!.name}"` };
      return {};
    };
    // 1. manifest, checked against the machine before any state is read
    const mrec = await readRecord(src, limits, ctxOf, format);
    if (mrec.type !== RecordType.Manifest) throw new StreamFormatError(`expected the manifest record first, found ${recordTypeName(mrec.type)}`, { offset: mrec.offset });
    manifest = checkManifest(parseJson(mrec.payload, 'manifest', mrec.offset), mrec.offset);
    const staged = checkAgainstMachine(manifest, targets, regions, opts, mrec.offset);
    // A bound digest keeps a record's digest open across records: one in-place writer per digest
    // (regions cut from one allocateRam memory share it: the later ones load as plain RAM).
    const writers = new Set<BoundDigest>();
    for (const r of manifest.ram) {
      const region = regions.find((x) => x.name === r.name)!;
      const words = (region.bytes.byteOffset & 3) === 0 ? new Int32Array(region.bytes.buffer, region.bytes.byteOffset, region.bytes.length >>> 2) : null;
      const found = format >= 2 ? boundDigest(region.bytes) : undefined;
      const bound = found && !writers.has(found) ? found : undefined;
      if (bound) writers.add(bound);
      const pages = r.size / r.pageSize;
      ramStates.push({
        region,
        entry: r,
        ps: r.pageSize,
        words,
        seen: new Uint8Array(pages),
        round: 0,
        journal: new RamJournal(region.bytes, r.pageSize, opts.journal !== false && (bound !== undefined || !deferRam)),
        held: new Uint8Array(bound && deferRam ? pages : 0),
        writer: undefined,
      });
      const st = ramStates[ramStates.length - 1]!;
      if (bound) st.writer = new InPlaceWriter(st, bound);
    }
    // 2. description (not needed to load: the machine's own descriptors decode; checked for integrity)
    const drec = await readRecord(src, limits, ctxOf, format);
    if (drec.type !== RecordType.Description) throw new StreamFormatError(`expected the description record, found ${recordTypeName(drec.type)}`, { offset: drec.offset });
    // 3. RAM and sections, then END. Records for RAM from allocateRam have their digest checked
    // as they are written (InPlaceWriter; the last ones at the end record), others as they are read.
    const inPlaceDigest = (id: number): boolean => ramStates[id]?.writer !== undefined;
    const decoded = new Map<number, { state: unknown; subsections: string[] }>();
    let ramRecs = 0;
    let ramPages = 0;
    for (;;) {
      const rec = await readRecord(src, limits, ctxOf, format, inPlaceDigest);
      const ctx = { ...ctxOf(rec.type, rec.id), offset: rec.offset };
      if (rec.type === RecordType.Ram || rec.type === RecordType.RamDigest) {
        const st = ramStates[rec.id];
        if (!st) throw new StreamFormatError(`RAM record for region id ${rec.id}, which the manifest does not list`, ctx);
        const w = parseRam(rec, st, ctx);
        if (st.writer && rec.type === RecordType.RamDigest) st.writer.write(w, deferRam ? heldRam : null, ctx);
        else if (deferRam) pendingRam.push(w);
        else writeRam(w);
        ramPages += w.count;
        ramRecs++;
      } else if (rec.type === RecordType.Section) {
        const ms = manifest.sections[rec.id];
        if (!ms) throw new StreamFormatError(`section record id ${rec.id} is not in the manifest`, ctx);
        if (decoded.has(rec.id)) throw new SectionMismatchError('duplicate-section', `section of device ${key(ms.device, ms.instance)} appears twice`, ctx);
        const target = staged.get(rec.id)!; // every manifest section has a target (checkAgainstMachine)
        const r = new ByteReader(rec.payload, 0, rec.payload.length, rec.offset + FRAME_HEAD, ctx);
        r.now = opts.now;
        const d = readSectionPayload(target.target.descriptor, r, { device: key(ms.device, ms.instance) });
        if (d.version !== ms.version) throw new StreamFormatError(`section says version ${d.version}, the manifest ${ms.version}`, ctx);
        const listed = new Set(ms.subsections.map((s) => s.path));
        for (const s of d.subsections) if (!listed.has(s)) throw new StreamFormatError(`section carries subsection "${s}", which the manifest does not list`, ctx);
        decoded.set(rec.id, { state: d.state, subsections: d.subsections });
      } else if (rec.type === RecordType.End) {
        const v = new DataView(rec.payload.buffer, rec.payload.byteOffset, rec.payload.byteLength);
        if (rec.payload.length !== 8) throw new StreamFormatError('end record payload is not 8 bytes', ctx);
        const nSections = v.getUint32(0, true);
        const nRam = v.getUint32(4, true);
        if (nSections !== manifest.sections.length)
          throw new StreamFormatError(`end record counts ${nSections} sections, the manifest lists ${manifest.sections.length}`, ctx);
        if (nRam !== ramRecs) throw new StreamFormatError(`end record counts ${nRam} RAM records, ${ramRecs} were read`, ctx);
        for (const [id] of staged) {
          if (!decoded.has(id)) {
            const ms = manifest.sections[id]!;
            throw new StreamFormatError(`the stream ended without the section of device ${key(ms.device, ms.instance)} that its manifest lists`, { ...ctx, device: key(ms.device, ms.instance), section: ms.state });
          }
        }
        for (const st of ramStates) st.writer?.flush(); // the last digests taken in place
        for (const st of ramStates) {
          const missing = st.seen.indexOf(0);
          if (missing >= 0) throw new StreamFormatError(`RAM region "${st.entry.name}": page ${missing} was never sent`, ctx);
        }
        if (!(await src.atEnd())) throw new StreamFormatError('bytes after the end record', { offset: src.offset });
        break;
      } else {
        throw new StreamFormatError(`unexpected ${recordTypeName(rec.type)} record`, ctx);
      }
    }
    // 4. apply: every device, in manifest order. loadState must not fail; if one throws anyway,
    // devices already applied get their previous state back and RAM is rolled back.
    const entries = [...staged];
    const prevs = entries.map(([, t]) => {
      try {
        return copyState(t.target.descriptor, t.target.saveState());
      } catch {
        return undefined; // the device's current state is not valid: it cannot be restored
      }
    });
    let i = 0;
    try {
      for (; i < entries.length; i++) {
        const [id, t] = entries[i]!;
        t.target.loadState(decoded.get(id)!.state as never);
      }
    } catch (e) {
      for (let j = i; j >= 0; j--) {
        if (prevs[j] === undefined) continue;
        try {
          entries[j]![1].target.loadState(prevs[j] as never);
        } catch {
          /* best effort: the device broke its contract twice */
        }
      }
      const t = entries[i]![1];
      throw new HookError('loadState', `device ${key(t.device, t.instance ?? 0)} threw: ${e instanceof Error ? e.message : String(e)}`, { device: key(t.device, t.instance ?? 0) });
    }
    // 5. RAM held back (stream in memory): every record is checked; writing cannot fail.
    for (const w of pendingRam) writeRam(w);
    for (const h of heldRam) {
      if (h.src) h.ram.set(h.src, h.off);
      else h.ram.fill(0, h.off, h.off + h.len);
    }
    return {
      formatVersion: format,
      machineType: manifest.machineType,
      manifest,
      sections: [...staged].map(([id]) => {
        const ms = manifest!.sections[id]!;
        return { device: ms.device, instance: ms.instance, state: ms.state, version: ms.version, subsections: decoded.get(id)!.subsections };
      }),
      ramPages,
      bytes: src.offset,
    };
  } catch (e) {
    for (const st of ramStates) st.journal.rollback();
    await src.close().catch(() => undefined);
    throw e;
  }
}

/** Refuse, before reading any state, a stream this machine cannot take. Returns section id -> target. */
function checkAgainstMachine(m: Manifest, targets: Map<string, DeviceEntry>, regions: readonly RamRegion[], opts: LoadMachineOptions, offset: number): Map<number, DeviceEntry> {
  if (opts.machineType !== undefined && m.machineType !== opts.machineType)
    throw new SectionMismatchError('machine-type', `stream is for machine type "${m.machineType}", this machine is "${opts.machineType}"`, { offset });
  const staged = new Map<number, DeviceEntry>();
  for (const s of m.sections) {
    const k = key(s.device, s.instance);
    const ctx: ErrorContext = { device: k, section: s.state, offset };
    const t = targets.get(k);
    if (!t) throw new SectionMismatchError('unknown-section', `stream has a section for device ${k}, which this machine does not have`, ctx);
    const desc = t.target.descriptor;
    if (desc.name !== s.state) throw new SectionMismatchError('unknown-section', `stream holds state "${s.state}" for device ${k}, which here uses "${desc.name}"`, ctx);
    if (s.version > desc.version || s.version < desc.minVersion) throw new VersionError(s.version, desc.minVersion, desc.version, ctx);
    const known = subsectionPaths(desc);
    for (const sub of s.subsections) {
      const kv = known.get(sub.path);
      if (!kv) throw new UnknownSubsectionError(sub.path, sub.version, ctx);
      if (sub.version > kv.version || sub.version < kv.minVersion) throw new VersionError(sub.version, kv.minVersion, kv.version, { ...ctx, subsection: sub.path });
    }
    staged.set(s.id, t);
  }
  if (!opts.allowMissingSections) {
    const present = new Set(m.sections.map((s) => key(s.device, s.instance)));
    for (const k of targets.keys()) if (!present.has(k)) throw new SectionMismatchError('missing-section', `stream has no section for device ${k}`, { device: k, offset });
  }
  for (const r of m.ram) {
    const region = regions.find((x) => x.name === r.name);
    if (!region) throw new SectionMismatchError('ram-mismatch', `stream has RAM region "${r.name}", which this machine does not have`, { offset });
    if (region.bytes.length !== r.size || (region.pageSize ?? DEFAULT_PAGE_SIZE) !== r.pageSize)
      throw new SectionMismatchError('ram-mismatch', `RAM region "${r.name}" is ${r.size} bytes in ${r.pageSize}-byte pages in the stream, ${region.bytes.length} in ${region.pageSize ?? DEFAULT_PAGE_SIZE} here`, { offset });
  }
  for (const region of regions) if (!m.ram.some((r) => r.name === region.name)) throw new SectionMismatchError('ram-mismatch', `stream has no RAM region "${region.name}"`, { offset });
  return staged;
}

