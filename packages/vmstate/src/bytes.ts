// Little-endian byte writer and bounds-checked reader, plus the record frame every section,
// subsection and stream record uses:
//   u8 type | u32 id | u32 length | payload[length] | u32 CRC32C(type..payload) | u8 END_MARKER
import { crc32c } from './crc32c';
import { ChecksumError, StreamFormatError, TruncatedStreamError, type ErrorContext } from './errors';

const UTF8_ENCODER = new TextEncoder();
const UTF8_DECODER = new TextDecoder('utf-8', { fatal: false });
/** Short names are cached: a descriptor's name is encoded on every save. */
const nameCache = new Map<string, Uint8Array>();

export const FRAME_HEAD = 9;
export const FRAME_TAIL = 5;
export const FRAME_OVERHEAD = FRAME_HEAD + FRAME_TAIL;
export const END_MARKER = 0xe7;

export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  i8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.pos++, v);
  }
  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.pos, v, true);
    this.pos += 2;
  }
  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.pos, v, true);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
  }
  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.pos, v, true);
    this.pos += 8;
  }
  /** A safe integer as a signed 64-bit value, without a BigInt. */
  i64n(v: number): void {
    this.ensure(8);
    const lo = v % 0x100000000;
    const lo32 = lo < 0 ? lo + 0x100000000 : lo;
    const hi = Math.floor(v / 0x100000000);
    this.view.setUint32(this.pos, lo32, true);
    this.view.setInt32(this.pos + 4, hi, true);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** A short UTF-8 string with a u8 length. */
  name(s: string): void {
    let b = nameCache.get(s);
    if (b === undefined) {
      b = UTF8_ENCODER.encode(s);
      if (nameCache.size < 4096) nameCache.set(s, b);
    }
    if (b.length > 255) throw new RangeError(`name longer than 255 bytes: ${s}`);
    this.u8(b.length);
    this.bytes(b);
  }
  /** Start a frame; returns its start position for endFrame. */
  beginFrame(type: number, id: number): number {
    const start = this.pos;
    this.ensure(FRAME_HEAD);
    this.buf[this.pos] = type;
    this.view.setUint32(this.pos + 1, id, true);
    this.view.setUint32(this.pos + 5, 0, true);
    this.pos += FRAME_HEAD;
    return start;
  }
  endFrame(start: number): void {
    const len = this.pos - start - FRAME_HEAD;
    this.view.setUint32(start + 5, len, true);
    const crc = crc32c(this.buf, 0, start, this.pos);
    this.ensure(FRAME_TAIL);
    this.view.setUint32(this.pos, crc, true);
    this.buf[this.pos + 4] = END_MARKER;
    this.pos += FRAME_TAIL;
  }
  /** The written bytes (a copy, exactly sized). */
  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads a bounded range of a buffer; `origin` is the stream offset of `buf[0]` for error messages. */
export class ByteReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  readonly end: number;
  readonly origin: number;
  ctx: ErrorContext;
  /** Virtual now for timers. */
  now = 0;
  constructor(buf: Uint8Array, start = 0, end = buf.length, origin = 0, ctx: ErrorContext = {}, view?: DataView) {
    this.buf = buf;
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
    this.origin = origin;
    this.ctx = ctx;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  /** Stream offset of the read position. */
  get offset(): number {
    return this.origin + this.pos;
  }
  need(n: number, what: string): void {
    if (this.end - this.pos < n)
      throw new TruncatedStreamError(`${what} needs ${n} bytes, only ${this.end - this.pos} left in the record`, { ...this.ctx, offset: this.offset });
  }
  u8(): number {
    if (this.pos >= this.end) this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }
  u16(): number {
    if (this.end - this.pos < 2) this.need(2, 'u16');
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    if (this.end - this.pos < 4) this.need(4, 'u32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i8(): number {
    if (this.pos >= this.end) this.need(1, 'i8');
    return this.view.getInt8(this.pos++);
  }
  i16(): number {
    if (this.end - this.pos < 2) this.need(2, 'i16');
    const v = this.view.getInt16(this.pos, true);
    this.pos += 2;
    return v;
  }
  i32(): number {
    if (this.end - this.pos < 4) this.need(4, 'i32');
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    if (this.end - this.pos < 8) this.need(8, 'u64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    if (this.end - this.pos < 8) this.need(8, 'i64');
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A signed 64-bit value as a number; NaN when it is not a safe integer. */
  i64n(): number {
    if (this.end - this.pos < 8) this.need(8, 'i64');
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    this.pos += 8;
    const v = hi * 0x100000000 + lo;
    return Number.isSafeInteger(v) ? v : NaN;
  }
  /** A copy of the next n bytes. */
  bytes(n: number): Uint8Array {
    this.need(n, `${n} bytes`);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** A view (no copy) of the next n bytes. */
  view8(n: number): Uint8Array {
    this.need(n, `${n} bytes`);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  name(): string {
    const n = this.u8();
    this.need(n, 'name');
    let s = '';
    let ascii = true;
    for (let i = this.pos; i < this.pos + n; i++) {
      const c = this.buf[i]!;
      if (c >= 0x80) {
        ascii = false;
        break;
      }
      s += String.fromCharCode(c);
    }
    if (!ascii) s = UTF8_DECODER.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
}

export interface Frame {
  type: number;
  id: number;
  /** Reader over the payload only. */
  payload: ByteReader;
  /** Stream offset of the frame's first byte. */
  offset: number;
  /** Total bytes of the frame (head + payload + tail). */
  size: number;
  crc: number;
}

/** Read and check one frame at the reader's position (length in bounds, end marker, CRC32C). */
export function readFrame(r: ByteReader, what: string): Frame {
  const start = r.pos;
  const offset = r.offset;
  if (r.remaining < FRAME_HEAD) throw new TruncatedStreamError(`${what} frame header needs ${FRAME_HEAD} bytes, ${r.remaining} left`, { ...r.ctx, offset });
  const type = r.buf[start]!;
  const id = r.view.getUint32(start + 1, true);
  const len = r.view.getUint32(start + 5, true);
  if (len > r.remaining - FRAME_OVERHEAD)
    throw new TruncatedStreamError(`${what} frame declares ${len} payload bytes, only ${Math.max(0, r.remaining - FRAME_OVERHEAD)} are left`, { ...r.ctx, offset });
  const payloadEnd = start + FRAME_HEAD + len;
  checkTail(r.buf, r.view, start, payloadEnd, offset, what, r.ctx);
  r.pos = payloadEnd + FRAME_TAIL;
  const payload = new ByteReader(r.buf, start + FRAME_HEAD, payloadEnd, r.origin, r.ctx, r.view);
  payload.now = r.now;
  return { type, id, payload, offset, size: len + FRAME_OVERHEAD, crc: r.view.getUint32(payloadEnd, true) };
}

/** Check the end marker and the CRC of a frame held in `buf[start, payloadEnd + 5)`. */
export function checkTail(buf: Uint8Array, view: DataView, start: number, payloadEnd: number, offset: number, what: string, ctx: ErrorContext): void {
  if (buf[payloadEnd + 4] !== END_MARKER)
    throw new StreamFormatError(`${what} frame has no end marker after its ${payloadEnd - start - FRAME_HEAD} payload bytes (length field or data corrupt)`, { ...ctx, offset });
  const stored = view.getUint32(payloadEnd, true);
  const actual = crc32c(buf, 0, start, payloadEnd);
  if (stored !== actual) throw new ChecksumError(stored, actual, { ...ctx, offset });
}
