import { type BlockDevice, SECTOR_SIZE, checkAccess } from './device';
import { OverlayFormatError, ReadOnlyError } from './errors';

export interface OverlayOptions {
  /** Copy-on-write granularity in bytes: a power of two, at least 512 (default 4096). */
  readonly clusterSize?: number;
  /** Refuse writes (an overlay that only exists to be restored into and read). Default false. */
  readonly readOnly?: boolean;
  /** A name for messages (default "overlay"). */
  readonly name?: string;
}

/** The contents of an overlay, as saved with a snapshot: the clusters the guest wrote, in index order. */
export interface OverlaySnapshot {
  /** Size of the image the overlay covers, in bytes (it must match on restore). */
  readonly size: number;
  readonly clusterSize: number;
  readonly clusters: readonly { readonly index: number; readonly data: Uint8Array }[];
}

const MAGIC = 0x564f5042; // "BPOV" little-endian
const FORMAT_VERSION = 1;
const HEADER = 4 + 4 + 8 + 4 + 4;

/**
 * A copy-on-write layer over any block device. Reads come from the overlay where the guest
 * wrote, from the base elsewhere; writes never reach the base until `commit()`. The written
 * clusters can be saved (`snapshot`/`encode`) and restored onto an overlay over the same base,
 * so a machine can run and be snapshotted while its base image stays untouched.
 */
export class OverlayImage implements BlockDevice {
  readonly clusterSize: number;
  readonly readOnly: boolean;
  readonly name: string;
  private readonly shift: number;
  private clusters = new Map<number, Uint8Array>();

  constructor(
    readonly base: BlockDevice,
    options: OverlayOptions = {},
  ) {
    const cs = options.clusterSize ?? 4096;
    if (!Number.isInteger(cs) || cs < SECTOR_SIZE || (cs & (cs - 1)) !== 0 || cs > 1 << 24)
      throw new OverlayFormatError(`overlay cluster size ${cs} is not a power of two between 512 and 16 MiB`);
    this.clusterSize = cs;
    this.shift = 31 - Math.clz32(cs);
    this.readOnly = options.readOnly ?? false;
    this.name = options.name ?? 'overlay';
  }

  get size(): number {
    return this.base.size;
  }

  /** Clusters held by the overlay (written since creation, the last commit or discard). */
  get dirtyClusters(): number {
    return this.clusters.size;
  }

  /** Whether byte `offset` of the image comes from the overlay. */
  isDirty(offset: number): boolean {
    return this.clusters.has(Math.floor(offset / this.clusterSize));
  }

  read(offset: number, target: Uint8Array, targetStart = 0, length = target.length - targetStart): void {
    checkAccess(this.name, this.size, offset, target, targetStart, length);
    const cs = this.clusterSize;
    let pos = offset;
    let out = targetStart;
    const end = offset + length;
    while (pos < end) {
      const index = Math.floor(pos / cs);
      const within = pos - index * cs;
      let n = Math.min(cs - within, end - pos);
      const c = this.clusters.get(index);
      if (c) target.set(c.subarray(within, within + n), out);
      else {
        // Read the clean run of clusters from the base in one call.
        let next = index + 1;
        while (next * cs < end && !this.clusters.has(next)) next++;
        n = Math.min(next * cs, end) - pos;
        this.base.read(pos, target, out, n);
      }
      pos += n;
      out += n;
    }
  }

  write(offset: number, source: Uint8Array, sourceStart = 0, length = source.length - sourceStart): void {
    if (this.readOnly) throw new ReadOnlyError(this.name);
    checkAccess(this.name, this.size, offset, source, sourceStart, length);
    const cs = this.clusterSize;
    let pos = offset;
    let src = sourceStart;
    const end = offset + length;
    while (pos < end) {
      const index = Math.floor(pos / cs);
      const within = pos - index * cs;
      const n = Math.min(cs - within, end - pos);
      let c = this.clusters.get(index);
      if (!c) {
        c = new Uint8Array(cs);
        if (n < cs) {
          const start = index * cs;
          this.base.read(start, c, 0, Math.min(cs, this.size - start));
        }
        this.clusters.set(index, c);
      }
      c.set(source.subarray(src, src + n), within);
      pos += n;
      src += n;
    }
  }

  /** The overlay lives in memory: a completed write is already held there, so there is nothing to do. */
  flush(): void {}

  /** Write every overlay cluster into the base, flush the base, and empty the overlay. */
  commit(): void {
    if (this.base.readOnly) throw new ReadOnlyError(`the base of ${this.name}`);
    const cs = this.clusterSize;
    for (const index of [...this.clusters.keys()].sort((a, b) => a - b)) {
      const start = index * cs;
      this.base.write(start, this.clusters.get(index)!, 0, Math.min(cs, this.size - start));
    }
    this.base.flush();
    this.clusters.clear();
  }

  /** Drop everything written since creation, the last commit or the last restore. */
  discard(): void {
    this.clusters.clear();
  }

  /** A copy of the overlay's contents. */
  snapshot(): OverlaySnapshot {
    const clusters = [...this.clusters.keys()].sort((a, b) => a - b).map((index) => ({ index, data: this.clusters.get(index)!.slice() }));
    return { size: this.size, clusterSize: this.clusterSize, clusters };
  }

  /**
   * Replace the overlay's contents with a snapshot taken over a base of the same size and with
   * the same cluster size. Checked completely before anything changes (`OverlayFormatError`).
   */
  restore(snapshot: OverlaySnapshot): void {
    if (snapshot.size !== this.size) throw new OverlayFormatError(`${this.name}: saved overlay covers ${snapshot.size} bytes, this image has ${this.size}`);
    if (snapshot.clusterSize !== this.clusterSize)
      throw new OverlayFormatError(`${this.name}: saved overlay uses ${snapshot.clusterSize}-byte clusters, this one ${this.clusterSize}`);
    const count = Math.ceil(this.size / this.clusterSize);
    const next = new Map<number, Uint8Array>();
    for (const { index, data } of snapshot.clusters) {
      if (!Number.isSafeInteger(index) || index < 0 || index >= count) throw new OverlayFormatError(`${this.name}: saved cluster ${index} is outside the image`);
      if (data.length !== this.clusterSize) throw new OverlayFormatError(`${this.name}: saved cluster ${index} holds ${data.length} bytes, not ${this.clusterSize}`);
      if (next.has(index)) throw new OverlayFormatError(`${this.name}: saved cluster ${index} appears twice`);
      next.set(index, data.slice());
    }
    this.clusters = next;
  }

  /** The overlay's contents as bytes (little-endian: magic "BPOV", version, size, cluster size, count, then index + data per cluster). */
  encode(): Uint8Array {
    const keys = [...this.clusters.keys()].sort((a, b) => a - b);
    const out = new Uint8Array(HEADER + keys.length * (8 + this.clusterSize));
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, FORMAT_VERSION, true);
    view.setBigUint64(8, BigInt(this.size), true);
    view.setUint32(16, this.clusterSize, true);
    view.setUint32(20, keys.length, true);
    let p = HEADER;
    for (const k of keys) {
      view.setBigUint64(p, BigInt(k), true);
      out.set(this.clusters.get(k)!, p + 8);
      p += 8 + this.clusterSize;
    }
    return out;
  }

  /** Decode bytes made by `encode()` (any corruption is an `OverlayFormatError`). */
  static decode(bytes: Uint8Array): OverlaySnapshot {
    if (bytes.length < HEADER) throw new OverlayFormatError(`saved overlay is ${bytes.length} bytes, shorter than its ${HEADER}-byte header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(0, true) !== MAGIC) throw new OverlayFormatError('not a saved overlay (bad magic)');
    const version = view.getUint32(4, true);
    if (version !== FORMAT_VERSION) throw new OverlayFormatError(`saved overlay format version ${version} is not supported (this reader knows ${FORMAT_VERSION})`);
    const size = view.getBigUint64(8, true);
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new OverlayFormatError(`saved overlay size ${size} is out of range`);
    const clusterSize = view.getUint32(16, true);
    if (clusterSize < SECTOR_SIZE || (clusterSize & (clusterSize - 1)) !== 0 || clusterSize > 1 << 24)
      throw new OverlayFormatError(`saved overlay cluster size ${clusterSize} is invalid`);
    const count = view.getUint32(20, true);
    const expected = HEADER + count * (8 + clusterSize);
    if (bytes.length !== expected) throw new OverlayFormatError(`saved overlay is ${bytes.length} bytes, its header says ${expected}`);
    const clusters: { index: number; data: Uint8Array }[] = [];
    let p = HEADER;
    for (let i = 0; i < count; i++) {
      const index = view.getBigUint64(p, true);
      if (index > BigInt(Number.MAX_SAFE_INTEGER)) throw new OverlayFormatError(`saved cluster index ${index} is out of range`);
      clusters.push({ index: Number(index), data: bytes.slice(p + 8, p + 8 + clusterSize) });
      p += 8 + clusterSize;
    }
    return { size: Number(size), clusterSize, clusters };
  }
}
