import { BusError, DIRECT_READ, DIRECT_WRITE, PAGE_SHIFT, PAGE_SIZE, type Bus, type Device, type DmaChannel, type DmaClient, type DmaController, type DmaDirection, type MemorySpace, type PortClaim } from '@backplane/bus';
import { copyState, validate, type Migratable } from '@backplane/vmstate';
import { address16, address8 } from './address';
import { DmaAttachError, DmaClientError } from './errors';
import {
  CASCADE_CHANNEL,
  CMD_CH0_ADDRESS_HOLD,
  CMD_DISABLE,
  CMD_MEM_TO_MEM,
  CMD_ROTATING_PRIORITY,
  DMA1_BASE,
  DMA2_BASE,
  MODE_AUTO_INIT,
  MODE_BLOCK,
  MODE_CASCADE,
  MODE_DECREMENT,
  MODE_DEMAND,
  MODE_SELECT_MASK,
  MODE_SINGLE,
  MODE_TRANSFER_MASK,
  OPEN_BUS,
  PAGE_BASE,
  PAGE_OF_CHANNEL,
  REG_ALL_MASK,
  REG_CHANNEL_LAST,
  REG_CLEAR_FLIP_FLOP,
  REG_CLEAR_MASK,
  REG_MODE,
  REG_REQUEST,
  REG_SINGLE_MASK,
  REG_STATUS_COMMAND,
  REG_TEMPORARY_MASTER_CLEAR,
  SELECT_CHANNEL,
  SELECT_SET,
  STATUS_REQUEST_SHIFT,
  TRANSFER_READ,
  TRANSFER_WRITE,
} from './registers';
import { dmaState, initialState, type DmaControllerRegs, type DmaState } from './state';

/** Where the pair and its page registers sit in port space. */
export interface DmaResources {
  /** DMA1 (8-bit channels 0-3), 16 consecutive ports (PC/AT: 00h). */
  readonly dma1: number;
  /** DMA2 (16-bit channels 4-7), 32 ports, registers on even ports (PC/AT: C0h). */
  readonly dma2: number;
  /** Page registers, 16 ports (PC/AT: 80h); -1 leaves them out (a machine that decodes 80h itself). */
  readonly pages: number;
}

export const DMA_DEFAULTS: DmaResources = Object.freeze({ dma1: DMA1_BASE, dma2: DMA2_BASE, pages: PAGE_BASE });

/** What a device channel handle needs to know about its channel. */
const DIRECTIONS: readonly DmaDirection[] = ['verify', 'write', 'read', 'verify'];

/**
 * The PC/AT DMA subsystem: two Intel 8237A controllers, DMA1 (channels 0-3, byte transfers)
 * cascaded into channel 4 of DMA2 (channels 4-7, word transfers), and the page registers that
 * supply the upper address bits. It is the bus's `DmaController`.
 *
 * Timing: transfers run in zero virtual time. A channel is served at once, at the virtual time of
 * whatever made it serviceable: a device asserting DREQ (`request()`), or a port write that unmasks
 * a channel, sets a software request, enables a controller or changes a mode. Within one such
 * moment the priority encoder is honoured (fixed or rotating), single mode gives the bus back
 * after each call of the device's `transfer()` (so another requesting channel can go next), demand
 * mode keeps the channel while DREQ is held, block mode keeps it until terminal count.
 */
export class Dma8237 implements Device, DmaController, Migratable<typeof dmaState> {
  readonly descriptor = dmaState;
  state: DmaState = initialState();
  private memory: MemorySpace | undefined;
  private readonly clients: (DmaClient | undefined)[] = new Array<DmaClient | undefined>(8).fill(undefined);
  private readonly owners: (string | undefined)[] = new Array<string | undefined>(8).fill(undefined);
  private claims: PortClaim[] = [];
  /** Re-entrancy guard: a device asserting DREQ from inside `transfer()` is served by the running loop. */
  private servicing = false;
  private again = false;
  /** Channels that made no progress (or reloaded) in the current service pass; skipped until the next event. */
  private stalled = 0;

  constructor(
    readonly id: string,
    readonly resources: DmaResources = DMA_DEFAULTS,
  ) {}

  // ---------------------------------------------------------------- Device

  plug(bus: Bus): void {
    this.memory = bus.memory;
    this.claims.push(
      bus.io.claim(`${this.id}.dma1`, this.resources.dma1, 16, {
        read8: (o) => this.readRegister(0, o),
        write8: (o, v) => this.writeRegister(0, o, v),
      }),
    );
    this.claims.push(
      bus.io.claim(`${this.id}.dma2`, this.resources.dma2, 32, {
        read8: (o) => this.readRegister(1, o >>> 1),
        write8: (o, v) => this.writeRegister(1, o >>> 1, v),
      }),
    );
    if (this.resources.pages >= 0)
      this.claims.push(
        bus.io.claim(`${this.id}.pages`, this.resources.pages, 16, {
          read8: (o) => this.state.pages[o]!,
          write8: (o, v) => {
            this.state.pages[o] = v & 0xff;
          },
        }),
      );
    bus.provideDma(this);
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
  }

  /** Hardware RESET: a master clear of both controllers (the page registers have no reset input). */
  reset(): void {
    this.masterClear(0);
    this.masterClear(1);
    this.state.eop = 0;
  }

  // ---------------------------------------------------------------- Migratable

  saveState(): DmaState {
    return copyState(dmaState, this.state);
  }

  /**
   * Adopt a loaded state (validated first: an invalid object throws a ValidationError and nothing
   * changes). Nothing is served here: a channel the state shows requesting is served at the next
   * event, as it would have been on the saving side.
   */
  loadState(state: DmaState): void {
    validate(dmaState, state);
    this.state = Object.seal(copyState(dmaState, state));
  }

  // ---------------------------------------------------------------- DmaController

  attach(channel: number, owner: string, client: DmaClient): DmaChannel {
    if (!Number.isInteger(channel) || channel < 0 || channel > 7)
      throw new DmaAttachError(`${owner}: there is no DMA channel ${channel} (the PC/AT has 0-3 and 5-7)`);
    if (channel === CASCADE_CHANNEL) throw new DmaAttachError(`${owner}: DMA channel 4 is the cascade from DMA1 and cannot serve a device`);
    const held = this.owners[channel];
    if (held !== undefined) throw new BusError(`${owner} cannot attach to DMA channel ${channel}: ${held} holds it`);
    this.clients[channel] = client;
    this.owners[channel] = owner;
    const dma = this;
    const bit = 1 << channel;
    return {
      channel,
      request() {
        dma.state.dreq |= bit;
        dma.service();
      },
      release() {
        dma.state.dreq &= ~bit;
      },
      get terminalCount() {
        return (dma.state.eop & bit) !== 0;
      },
      get direction() {
        return DIRECTIONS[(dma.state.channels[channel]!.mode & MODE_TRANSFER_MASK) >>> 2]!;
      },
      readMemory(buffer, start, position, length) {
        return dma.copy(channel, buffer, start, position, length, false);
      },
      writeMemory(buffer, start, position, length) {
        return dma.copy(channel, buffer, start, position, length, true);
      },
    };
  }

  /** Give a channel back (a device being unplugged); its DREQ drops. */
  detach(channel: number): void {
    if (channel < 0 || channel > 7) return;
    this.clients[channel] = undefined;
    this.owners[channel] = undefined;
    this.state.dreq &= ~(1 << channel);
  }

  /** Serve every channel that can be served now (called after anything that may start a transfer). */
  service(): void {
    if (this.servicing) {
      this.again = true;
      return;
    }
    this.servicing = true;
    this.stalled = 0;
    try {
      do {
        this.again = false;
        for (;;) {
          const ch = this.arbitrate();
          if (ch < 0) break;
          this.serviceChannel(ch);
        }
      } while (this.again);
    } finally {
      this.servicing = false;
      this.stalled = 0;
    }
  }

  // ---------------------------------------------------------------- ports

  /** A read of register `reg` (0-15) of controller `c`. */
  private readRegister(c: number, reg: number): number {
    const ctl = this.state.controllers[c]!;
    if (reg <= REG_CHANNEL_LAST) {
      const r = this.state.channels[c * 4 + (reg >>> 1)]!;
      const value = reg & 1 ? r.currentCount : r.currentAddress;
      const high = ctl.flipFlop;
      ctl.flipFlop = !high;
      return high ? value >>> 8 : value & 0xff;
    }
    if (reg === REG_STATUS_COMMAND) {
      const status = ctl.tc | (this.requestLines(c) << STATUS_REQUEST_SHIFT);
      ctl.tc = 0;
      return status;
    }
    if (reg === REG_TEMPORARY_MASTER_CLEAR) return ctl.temporary;
    return OPEN_BUS; // "illegal" in the datasheet's register table
  }

  /** A write of register `reg` (0-15) of controller `c`. */
  private writeRegister(c: number, reg: number, v: number): void {
    const ctl = this.state.controllers[c]!;
    v &= 0xff;
    if (reg <= REG_CHANNEL_LAST) {
      const ch = c * 4 + (reg >>> 1);
      const r = this.state.channels[ch]!;
      const high = ctl.flipFlop;
      ctl.flipFlop = !high;
      if (reg & 1) {
        r.baseCount = r.currentCount = high ? (r.baseCount & 0x00ff) | (v << 8) : (r.baseCount & 0xff00) | v;
      } else {
        r.baseAddress = r.currentAddress = high ? (r.baseAddress & 0x00ff) | (v << 8) : (r.baseAddress & 0xff00) | v;
      }
      this.state.eop &= ~(1 << ch);
      return;
    }
    switch (reg) {
      case REG_STATUS_COMMAND:
        ctl.command = v;
        break;
      case REG_REQUEST:
        if (v & SELECT_SET) ctl.request |= 1 << (v & SELECT_CHANNEL);
        else ctl.request &= ~(1 << (v & SELECT_CHANNEL));
        break;
      case REG_SINGLE_MASK:
        if (v & SELECT_SET) ctl.mask |= 1 << (v & SELECT_CHANNEL);
        else ctl.mask &= ~(1 << (v & SELECT_CHANNEL));
        break;
      case REG_MODE:
        this.state.channels[c * 4 + (v & SELECT_CHANNEL)]!.mode = v;
        break;
      case REG_CLEAR_FLIP_FLOP:
        ctl.flipFlop = false;
        return;
      case REG_TEMPORARY_MASTER_CLEAR:
        this.masterClear(c);
        return;
      case REG_CLEAR_MASK:
        ctl.mask = 0;
        break;
      default: // REG_ALL_MASK
        ctl.mask = v & 0x0f;
        break;
    }
    this.service();
  }

  private masterClear(c: number): void {
    const ctl = this.state.controllers[c]!;
    ctl.command = 0;
    ctl.tc = 0;
    ctl.request = 0;
    ctl.temporary = 0;
    ctl.flipFlop = false;
    ctl.mask = 0x0f;
    ctl.priority = 0;
    this.state.blockActive &= ~(0x0f << (c * 4));
  }

  // ---------------------------------------------------------------- arbitration

  /**
   * Controller `c`'s request lines as its status register shows them (bits 0-3, mask ignored):
   * DREQ or a software request. DMA2's DREQ4 is DMA1's hold request.
   */
  private requestLines(c: number): number {
    const ctl = this.state.controllers[c]!;
    let lines = ((this.state.dreq >>> (c * 4)) & 0x0f) | ctl.request;
    if (c === 1 && this.pending(0) !== 0) lines |= 1;
    return lines;
  }

  /** Controller `c`'s channels that want the bus now and may have it (bits 0-3). */
  private pending(c: number): number {
    const s = this.state;
    const ctl = s.controllers[c]!;
    if (ctl.command & CMD_DISABLE) return 0;
    const base = c * 4;
    let hw = ((s.dreq | s.blockActive) >>> base) & 0x0f & ~ctl.mask;
    let soft = 0;
    for (let n = 0; n < 4; n++) {
      const mode = s.channels[base + n]!.mode & MODE_SELECT_MASK;
      if (mode === MODE_CASCADE) hw &= ~(1 << n); // a bus master's channel: nothing for the 8237 to move
      if (mode === MODE_BLOCK && ctl.request & (1 << n)) soft |= 1 << n; // software requests: block mode only
    }
    let p = (hw | soft) & ~(this.stalled >>> base) & 0x0f;
    if (c === 1) {
      p &= ~1;
      const ch4 = s.channels[CASCADE_CHANNEL]!.mode & MODE_SELECT_MASK;
      if (ch4 === MODE_CASCADE && !(ctl.mask & 1) && this.pending(0) !== 0) p |= 1;
      else if (ch4 === MODE_BLOCK && ctl.request & 1 && !(this.stalled & (1 << CASCADE_CHANNEL))) p |= 1;
    }
    return p;
  }

  /** The channel (0-7) the pair serves next, or -1. */
  private arbitrate(): number {
    const pm = this.pending(1);
    if (pm === 0) return -1;
    const m = this.pick(this.state.controllers[1]!, pm);
    if (m !== 0 || (this.state.channels[CASCADE_CHANNEL]!.mode & MODE_SELECT_MASK) !== MODE_CASCADE) return 4 + m;
    return this.pick(this.state.controllers[0]!, this.pending(0));
  }

  /** The priority encoder: fixed (channel 0 highest) or rotating (from `priority`). */
  private pick(ctl: DmaControllerRegs, pending: number): number {
    const start = ctl.command & CMD_ROTATING_PRIORITY ? ctl.priority : 0;
    for (let i = 0; i < 4; i++) {
      const n = (start + i) & 3;
      if (pending & (1 << n)) return n;
    }
    return -1;
  }

  /** After channel n was served under rotating priority, it becomes the lowest. */
  private rotate(c: number, n: number): void {
    const ctl = this.state.controllers[c]!;
    if (ctl.command & CMD_ROTATING_PRIORITY) ctl.priority = (n + 1) & 3;
  }

  // ---------------------------------------------------------------- transfers

  private serviceChannel(ch: number): void {
    const s = this.state;
    const c = ch >>> 2;
    const n = ch & 3;
    const bit = 1 << ch;
    if (c === 0) this.rotate(1, 0); // DMA1 holds the bus through DMA2's channel 4
    this.rotate(c, n);
    if (ch === 0 && s.controllers[0]!.command & CMD_MEM_TO_MEM && s.controllers[0]!.request & 1) {
      this.memoryToMemory();
      return;
    }
    const mode = s.channels[ch]!.mode & MODE_SELECT_MASK;
    const client = this.clients[ch];
    for (;;) {
      const moved = client ? this.runClient(ch, client) : this.runUnattended(ch);
      // a started block runs to terminal count, whatever DREQ does
      if (mode === MODE_BLOCK && moved > 0 && !(s.eop & bit)) s.blockActive |= bit;
      if (moved === 0 || s.eop & bit) {
        // No progress: the device has nothing now. Terminal count: after an autoinitialise
        // reload the channel waits for the next event, so a device that always has data cannot
        // keep the host in this loop. Either way the channel sits out the rest of this pass.
        this.stalled |= bit;
        return;
      }
      if (mode === MODE_SINGLE) return; // give the bus back; arbitration decides who is next
      if (mode === MODE_DEMAND && (!(s.dreq & bit) || s.controllers[c]!.mask & (1 << n))) return;
    }
  }

  /** Offer the device its block; returns the units (bytes or words) it moved. */
  private runClient(ch: number, client: DmaClient): number {
    const r = this.state.channels[ch]!;
    const unit = ch >= 4 ? 2 : 1;
    const remaining = r.currentCount + 1;
    const position = ((r.baseCount - r.currentCount) & 0xffff) * unit;
    const length = position + remaining * unit;
    const after = client.transfer(position, length);
    if (!Number.isInteger(after) || after < position || after > length)
      throw new DmaClientError(this.owners[ch] ?? 'a device', ch, after, position, length);
    const moved = Math.floor((after - position) / unit);
    if (moved > 0) this.advance(ch, moved);
    return moved;
  }

  /**
   * A software request with no device on the channel: the 8237A still runs its cycles to terminal
   * count. Write transfers store what the floating ISA data bus reads (FFh); read and verify
   * transfers change nothing in memory.
   */
  private runUnattended(ch: number): number {
    const r = this.state.channels[ch]!;
    const remaining = r.currentCount + 1;
    if ((r.mode & MODE_TRANSFER_MASK) === TRANSFER_WRITE) {
      const unit = ch >= 4 ? 2 : 1;
      for (let i = 0; i < remaining * unit; i++) this.memory!.write8(this.physical(ch, i), OPEN_BUS);
    }
    this.advance(ch, remaining);
    return remaining;
  }

  /** Move channel `ch`'s current registers on by `units` transfers, with terminal count. */
  private advance(ch: number, units: number): void {
    const s = this.state;
    const r = s.channels[ch]!;
    const c = ch >>> 2;
    const n = ch & 3;
    const bit = 1 << ch;
    r.currentAddress = (r.mode & MODE_DECREMENT ? r.currentAddress - units : r.currentAddress + units) & 0xffff;
    if (units <= r.currentCount) {
      r.currentCount -= units;
      s.eop &= ~bit;
      return;
    }
    this.terminalCount(ch, c, n);
    this.clients[ch]?.onTerminalCount?.();
  }

  private terminalCount(ch: number, c: number, n: number): void {
    const s = this.state;
    const r = s.channels[ch]!;
    const ctl = s.controllers[c]!;
    const bit = 1 << ch;
    r.currentCount = 0xffff;
    ctl.tc |= 1 << n;
    ctl.request &= ~(1 << n);
    s.eop |= bit;
    s.blockActive &= ~bit;
    if (r.mode & MODE_AUTO_INIT) {
      r.currentAddress = r.baseAddress;
      r.currentCount = r.baseCount;
    } else ctl.mask |= 1 << n;
  }

  /**
   * DMA1 memory-to-memory (command bit 0, started by a software request on channel 0): bytes go
   * from channel 0's address through the temporary register to channel 1's address until channel
   * 1's count reaches terminal count. Channel 0's address may be held (command bit 1).
   */
  private memoryToMemory(): void {
    const s = this.state;
    const ctl = s.controllers[0]!;
    const src = s.channels[0]!;
    const dst = s.channels[1]!;
    const memory = this.memory!;
    const hold = (ctl.command & CMD_CH0_ADDRESS_HOLD) !== 0;
    const count = dst.currentCount + 1;
    for (let i = 0; i < count; i++) {
      const b = memory.read8(address8(s.pages[PAGE_OF_CHANNEL[0]!]!, src.currentAddress, 0, false));
      memory.write8(address8(s.pages[PAGE_OF_CHANNEL[1]!]!, dst.currentAddress, 0, false), b);
      ctl.temporary = b;
      if (!hold) src.currentAddress = (src.mode & MODE_DECREMENT ? src.currentAddress - 1 : src.currentAddress + 1) & 0xffff;
      dst.currentAddress = (dst.mode & MODE_DECREMENT ? dst.currentAddress - 1 : dst.currentAddress + 1) & 0xffff;
      src.currentCount = (src.currentCount - 1) & 0xffff;
    }
    ctl.request &= ~1;
    if (src.mode & MODE_AUTO_INIT) {
      src.currentAddress = src.baseAddress;
      src.currentCount = src.baseCount;
    }
    this.terminalCount(1, 0, 1);
  }

  /** Physical address of byte `byteOffset` from channel `ch`'s current address. */
  private physical(ch: number, byteOffset: number): number {
    const r = this.state.channels[ch]!;
    const page = this.state.pages[PAGE_OF_CHANNEL[ch]!]!;
    const dec = (r.mode & MODE_DECREMENT) !== 0;
    return ch >= 4 ? address16(page, r.currentAddress, byteOffset, dec) : address8(page, r.currentAddress, byteOffset, dec);
  }

  /**
   * A device's memory access at block position `position` (bytes from the start of the block the
   * controller offered). Bounded by the count left; refused (0) against the programmed direction;
   * a verify transfer counts the bytes without touching memory.
   */
  private copy(ch: number, buffer: Uint8Array, start: number, position: number, length: number, toMemory: boolean): number {
    const r = this.state.channels[ch]!;
    const memory = this.memory;
    if (!memory) return 0;
    const unit = ch >= 4 ? 2 : 1;
    const now = ((r.baseCount - r.currentCount) & 0xffff) * unit;
    const offset = position - now;
    const left = (r.currentCount + 1) * unit - offset;
    if (!Number.isInteger(offset) || offset < 0 || left <= 0 || !Number.isInteger(start) || start < 0) return 0;
    const n = Math.min(Math.floor(length), left, buffer.length - start);
    if (!(n > 0)) return 0;
    const type = r.mode & MODE_TRANSFER_MASK;
    if (type !== TRANSFER_READ && type !== TRANSFER_WRITE) return n; // verify (and the illegal 11b)
    if (toMemory !== (type === TRANSFER_WRITE)) return 0;
    if (r.mode & MODE_DECREMENT) {
      for (let i = 0; i < n; i++) {
        const a = this.physical(ch, offset + i);
        if (toMemory) memory.write8(a, buffer[start + i]!);
        else buffer[start + i] = memory.read8(a);
      }
      return n;
    }
    // Incrementing: the bytes are contiguous up to the page wrap (64 KiB / 128 KiB); copy them
    // in runs, straight from or to RAM over consecutive pages the memory space lets us access
    // directly, byte by byte through the memory space elsewhere (ROM, MMIO, unmapped).
    const wrap = ch >= 4 ? 0x20000 : 0x10000;
    const flag = toMemory ? DIRECT_WRITE : DIRECT_READ;
    const direct = memory.direct;
    const ram = memory.ram;
    for (let i = 0; i < n; ) {
      const a = this.physical(ch, offset + i);
      const m = (a & memory.addressMask) >>> 0;
      const span = Math.min(n - i, wrap - (a & (wrap - 1)));
      const from = start + i;
      let len = Math.min(span, PAGE_SIZE - (m & (PAGE_SIZE - 1)));
      if (direct[m >>> PAGE_SHIFT]! & flag) {
        // extend over the following direct pages (a run never crosses A20: it stays inside its DMA page)
        while (len < span && direct[(m + len) >>> PAGE_SHIFT]! & flag) len = Math.min(span, len + PAGE_SIZE);
        if (toMemory) {
          if (len >= 64) ram.set(buffer.subarray(from, from + len), m);
          else for (let k = 0; k < len; k++) ram[m + k] = buffer[from + k]!;
          for (let p = m; p < m + len; p += PAGE_SIZE) memory.markDirty(p);
          memory.markDirty(m + len - 1);
        } else if (len >= 64) buffer.set(ram.subarray(m, m + len), from);
        else for (let k = 0; k < len; k++) buffer[from + k] = ram[m + k]!;
      } else if (toMemory) for (let k = 0; k < len; k++) memory.write8(a + k, buffer[from + k]!);
      else for (let k = 0; k < len; k++) buffer[from + k] = memory.read8(a + k);
      i += len;
    }
    return n;
  }
}
