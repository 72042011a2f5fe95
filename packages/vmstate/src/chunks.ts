// Pull exact byte counts out of a chunked source (Uint8Array, iterable, async iterable or Web
// ReadableStream), never holding more than the current record plus one chunk.
import { TruncatedStreamError } from './errors';

/** Whole bytes, chunks (sync or async), or a Web `ReadableStream` of chunks. */
export type StreamSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

const EMPTY = new Uint8Array(0);

export class ChunkSource {
  private readonly iter: AsyncIterator<Uint8Array> | Iterator<Uint8Array>;
  private cur: Uint8Array = EMPTY;
  private curPos = 0;
  private done = false;
  /** Stream offset of the next byte to be read. */
  offset = 0;
  constructor(source: StreamSource) {
    if (source instanceof Uint8Array) this.iter = [source as Uint8Array][Symbol.iterator]();
    else if (!(Symbol.asyncIterator in source) && typeof (source as unknown as ReadableStream<Uint8Array>).getReader === 'function') {
      const reader = (source as unknown as ReadableStream<Uint8Array>).getReader();
      this.iter = {
        next: async () => {
          const r = await reader.read();
          return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
        },
        return: async () => {
          await reader.cancel();
          return { done: true, value: undefined };
        },
      };
    } else if (Symbol.asyncIterator in source) this.iter = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    else this.iter = (source as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  private async pull(): Promise<boolean> {
    while (!this.done) {
      const r = await this.iter.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      const v = r.value;
      if (!(v instanceof Uint8Array)) throw new TypeError('stream chunks must be Uint8Array');
      if (v.length === 0) continue;
      // A plain Uint8Array view (a Node Buffer's slice() does not copy, a Uint8Array's does).
      this.cur = v.constructor === Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      this.curPos = 0;
      return true;
    }
    return false;
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    if (this.curPos < this.cur.length) return false;
    return !(await this.pull());
  }

  /**
   * Exactly n bytes: a view into the current chunk when it holds them all, otherwise a copy
   * assembled from several chunks. Throws TruncatedStreamError naming `what` if the source ends.
   */
  async read(n: number, what: string): Promise<Uint8Array> {
    const avail = this.cur.length - this.curPos;
    if (avail >= n) {
      const v = this.cur.subarray(this.curPos, this.curPos + n);
      this.curPos += n;
      this.offset += n;
      return v;
    }
    const out = new Uint8Array(n);
    let got = 0;
    const start = this.offset;
    while (got < n) {
      if (this.curPos >= this.cur.length && !(await this.pull()))
        throw new TruncatedStreamError(`stream ends inside ${what}: ${got} of ${n} bytes present`, { offset: start + got });
      const take = Math.min(n - got, this.cur.length - this.curPos);
      out.set(this.cur.subarray(this.curPos, this.curPos + take), got);
      this.curPos += take;
      got += take;
      this.offset += take;
    }
    return out;
  }

  /** Stop reading (lets a generator source clean up). */
  async close(): Promise<void> {
    const it = this.iter as { return?: () => unknown };
    if (!this.done && typeof it.return === 'function') await it.return();
    this.done = true;
  }
}
