import { Observable, Subject } from 'rxjs';
import { BusRangeError, PortConflictError } from './errors';

/** A port read handler. `offset` is the port minus the claimed range's base. */
export type PortRead = (offset: number) => number;
/** A port write handler. `offset` is the port minus the claimed range's base. */
export type PortWrite = (offset: number, value: number) => void;

/**
 * The handlers a device gives for one port range, for the widths it implements.
 * Other widths are made by the bus: wider accesses are split into narrower ones on the
 * byte lanes (little-endian, port p then p+1...), narrower reads take their byte lane from a
 * wider handler, narrower writes reach a wider handler with the other lanes zero.
 */
export interface PortHandlers {
  readonly read8?: PortRead;
  readonly write8?: PortWrite;
  readonly read16?: PortRead;
  readonly write16?: PortWrite;
  readonly read32?: PortRead;
  readonly write32?: PortWrite;
}

/** One I/O access, as seen by a trace subscriber. `owner` is undefined for an unclaimed port. */
export interface IoTraceEvent {
  readonly kind: 'in' | 'out';
  readonly port: number;
  readonly width: 8 | 16 | 32;
  readonly value: number;
  readonly owner: string | undefined;
}

/** A claimed range; `release()` gives the ports back. */
export interface PortClaim {
  readonly owner: string;
  readonly base: number;
  readonly length: number;
  release(): void;
}

const PORTS = 0x10000;
const MASK = 0xffff;

interface ClaimRecord {
  readonly owner: string;
  readonly base: number;
  readonly length: number;
  readonly handlers: PortHandlers;
}

/**
 * The 64 KiB port I/O space. Every port has, per access width and direction, one function
 * and one integer argument in flat tables: an access is two array loads and a call, with no
 * allocation and no RxJS unless a trace subscriber is attached.
 */
export class IoSpace {
  private readonly r8: PortRead[] = new Array<PortRead>(PORTS);
  private readonly r16: PortRead[] = new Array<PortRead>(PORTS);
  private readonly r32: PortRead[] = new Array<PortRead>(PORTS);
  private readonly w8: PortWrite[] = new Array<PortWrite>(PORTS);
  private readonly w16: PortWrite[] = new Array<PortWrite>(PORTS);
  private readonly w32: PortWrite[] = new Array<PortWrite>(PORTS);
  private readonly ar8 = new Int32Array(PORTS);
  private readonly ar16 = new Int32Array(PORTS);
  private readonly ar32 = new Int32Array(PORTS);
  private readonly aw8 = new Int32Array(PORTS);
  private readonly aw16 = new Int32Array(PORTS);
  private readonly aw32 = new Int32Array(PORTS);
  /** Index into `claims` + 1 per port; 0 = unclaimed. */
  private readonly ownerOf = new Int32Array(PORTS);
  private readonly claims: (ClaimRecord | undefined)[] = [];

  private tracing = false;
  private traceSubscribers = 0;
  private readonly traceSubject = new Subject<IoTraceEvent>();

  /**
   * Every access while at least one subscriber is attached. Attaching one switches the
   * space to its traced path; the untraced path never touches RxJS.
   */
  readonly trace$: Observable<IoTraceEvent> = new Observable<IoTraceEvent>((subscriber) => {
    const sub = this.traceSubject.subscribe(subscriber);
    this.traceSubscribers++;
    this.tracing = true;
    return () => {
      sub.unsubscribe();
      this.traceSubscribers--;
      this.tracing = this.traceSubscribers > 0;
    };
  });

  constructor() {
    for (let p = 0; p < PORTS; p++) this.resetPort(p);
  }

  /**
   * Claim `length` ports from `base` for `owner`. Refused, with an error naming both owners
   * and the ports, if any port in the range is held already.
   */
  claim(owner: string, base: number, length: number, handlers: PortHandlers): PortClaim {
    if (!Number.isInteger(base) || base < 0 || base > MASK)
      throw new BusRangeError(`${owner}: port base ${base} is outside 0x0000-0xFFFF`);
    if (!Number.isInteger(length) || length < 1 || base + length > PORTS)
      throw new BusRangeError(`${owner}: port range of ${length} from ${base} does not fit in 0x0000-0xFFFF`);
    for (let p = base; p < base + length; p++) {
      const other = this.ownerOf[p]!;
      if (other !== 0) {
        let last = p;
        while (last + 1 < base + length && this.ownerOf[last + 1] === other) last++;
        throw new PortConflictError(owner, this.claims[other - 1]!.owner, p, last);
      }
    }
    const record: ClaimRecord = { owner, base, length, handlers };
    let index = this.claims.indexOf(undefined);
    if (index < 0) index = this.claims.push(record) - 1;
    else this.claims[index] = record;
    for (let p = base; p < base + length; p++) this.ownerOf[p] = index + 1;
    this.rebuild(base, base + length - 1);
    let released = false;
    return {
      owner,
      base,
      length,
      release: () => {
        if (released) return;
        released = true;
        this.claims[index] = undefined;
        for (let p = base; p < base + length; p++) this.ownerOf[p] = 0;
        this.rebuild(base, base + length - 1);
      },
    };
  }

  /** Who holds a port, or undefined. */
  owner(port: number): string | undefined {
    const i = this.ownerOf[port & MASK]!;
    return i === 0 ? undefined : this.claims[i - 1]!.owner;
  }

  in8(port: number): number {
    port &= MASK;
    const v = this.r8[port]!(this.ar8[port]!);
    if (this.tracing) this.emit('in', port, 8, v);
    return v;
  }

  in16(port: number): number {
    port &= MASK;
    const v = this.r16[port]!(this.ar16[port]!);
    if (this.tracing) this.emit('in', port, 16, v);
    return v;
  }

  in32(port: number): number {
    port &= MASK;
    const v = this.r32[port]!(this.ar32[port]!) >>> 0;
    if (this.tracing) this.emit('in', port, 32, v);
    return v;
  }

  out8(port: number, value: number): void {
    port &= MASK;
    value &= 0xff;
    if (this.tracing) this.emit('out', port, 8, value);
    this.w8[port]!(this.aw8[port]!, value);
  }

  out16(port: number, value: number): void {
    port &= MASK;
    value &= 0xffff;
    if (this.tracing) this.emit('out', port, 16, value);
    this.w16[port]!(this.aw16[port]!, value);
  }

  out32(port: number, value: number): void {
    port &= MASK;
    value >>>= 0;
    if (this.tracing) this.emit('out', port, 32, value);
    this.w32[port]!(this.aw32[port]!, value);
  }

  private emit(kind: 'in' | 'out', port: number, width: 8 | 16 | 32, value: number): void {
    this.traceSubject.next({ kind, port, width, value, owner: this.owner(port) });
  }

  // ---- table construction (claim time only) -------------------------------------------

  // Untraced byte and word accesses used to split wider ones.
  private readonly rd8: PortRead = (p) => this.r8[p]!(this.ar8[p]!);
  private readonly rd16: PortRead = (p) => this.r16[p]!(this.ar16[p]!);
  private readonly wr8: PortWrite = (p, v) => this.w8[p]!(this.aw8[p]!, v);
  private readonly wr16: PortWrite = (p, v) => this.w16[p]!(this.aw16[p]!, v);
  private readonly split16r: PortRead = (p) => this.rd8(p) | (this.rd8((p + 1) & MASK) << 8);
  private readonly split32r: PortRead = (p) => (this.rd16(p) | (this.rd16((p + 2) & MASK) << 16)) >>> 0;
  private readonly split16w: PortWrite = (p, v) => {
    this.wr8(p, v & 0xff);
    this.wr8((p + 1) & MASK, (v >>> 8) & 0xff);
  };
  private readonly split32w: PortWrite = (p, v) => {
    this.wr16(p, v & 0xffff);
    this.wr16((p + 2) & MASK, (v >>> 16) & 0xffff);
  };
  private static readonly open8: PortRead = () => 0xff;
  private static readonly ignore: PortWrite = () => {};

  private resetPort(p: number): void {
    this.r8[p] = IoSpace.open8;
    this.ar8[p] = 0;
    this.w8[p] = IoSpace.ignore;
    this.aw8[p] = 0;
    this.r16[p] = this.split16r;
    this.ar16[p] = p;
    this.w16[p] = this.split16w;
    this.aw16[p] = p;
    this.r32[p] = this.split32r;
    this.ar32[p] = p;
    this.w32[p] = this.split32w;
    this.aw32[p] = p;
  }

  private rebuild(first: number, last: number): void {
    for (let p = first; p <= last; p++) {
      this.resetPort(p);
      const i = this.ownerOf[p]!;
      if (i === 0) continue;
      const c = this.claims[i - 1]!;
      this.install(p, c);
    }
  }

  /** Choose, for port p of claim c, the function and argument of every width. */
  private install(p: number, c: ClaimRecord): void {
    const h = c.handlers;
    const off = p - c.base;
    const end = c.base + c.length;
    // 8-bit: the device's own, or a byte lane of a wider handler.
    if (h.read8) {
      this.r8[p] = h.read8;
      this.ar8[p] = off;
    } else if (h.read16) {
      const r = h.read16;
      const base = off & ~1;
      const shift = (off & 1) * 8;
      this.r8[p] = () => (r(base) >>> shift) & 0xff;
    } else if (h.read32) {
      const r = h.read32;
      const base = off & ~3;
      const shift = (off & 3) * 8;
      this.r8[p] = () => (r(base) >>> shift) & 0xff;
    }
    if (h.write8) {
      this.w8[p] = h.write8;
      this.aw8[p] = off;
    } else if (h.write16) {
      const w = h.write16;
      const base = off & ~1;
      const shift = (off & 1) * 8;
      this.w8[p] = (_o, v) => w(base, (v & 0xff) << shift);
    } else if (h.write32) {
      const w = h.write32;
      const base = off & ~3;
      const shift = (off & 3) * 8;
      this.w8[p] = (_o, v) => w(base, ((v & 0xff) << shift) >>> 0);
    }
    // 16-bit: the device's own when both bytes fall in the range, else split on byte lanes.
    if (p + 1 < end) {
      if (h.read16) {
        this.r16[p] = h.read16;
        this.ar16[p] = off;
      } else if (h.read32 && !h.read8) {
        const r = h.read32;
        const base = off & ~3;
        const shift = (off & 3) * 8;
        if (shift <= 16) this.r16[p] = () => (r(base) >>> shift) & 0xffff;
      }
      if (h.write16) {
        this.w16[p] = h.write16;
        this.aw16[p] = off;
      } else if (h.write32 && !h.write8) {
        const w = h.write32;
        const base = off & ~3;
        const shift = (off & 3) * 8;
        if (shift <= 16) this.w16[p] = (_o, v) => w(base, ((v & 0xffff) << shift) >>> 0);
      }
    }
    // 32-bit: the device's own when all four bytes fall in the range, else split into words.
    if (p + 3 < end) {
      if (h.read32) {
        this.r32[p] = h.read32;
        this.ar32[p] = off;
      }
      if (h.write32) {
        this.w32[p] = h.write32;
        this.aw32[p] = off;
      }
    }
  }
}
