import type { DmaChannel, DmaClient, DmaController, DmaDirection } from '../dma';
import { BusError, BusRangeError } from '../errors';
import type { MemorySpace } from '../memory';

/** How a test programs a channel of the fake controller. */
export interface FakeDmaProgram {
  /** Physical address of the first byte. */
  readonly address: number;
  /** Bytes in the block. */
  readonly length: number;
  readonly direction: DmaDirection;
  /** Walk the block downwards from `address`. */
  readonly decrement?: boolean;
  /** Reload the block at terminal count (the 8237's auto-initialise). */
  readonly autoInit?: boolean;
}

interface ChannelState {
  owner: string;
  client: DmaClient;
  program: FakeDmaProgram | undefined;
  position: number;
  requested: boolean;
  terminalCount: boolean;
  masked: boolean;
}

/**
 * A DMA controller for device tests: each channel is programmed directly with a physical
 * address, length and direction; while the device holds DREQ and the channel is unmasked,
 * `service()` (called on request and by the test) runs the device's transfer.
 */
export class FakeDmaController implements DmaController {
  private readonly channels = new Map<number, ChannelState>();
  /** Bytes moved per channel, for assertions. */
  readonly transferred = new Map<number, number>();

  constructor(private readonly memory: MemorySpace) {}

  attach(channel: number, owner: string, client: DmaClient): DmaChannel {
    if (!Number.isInteger(channel) || channel < 0 || channel > 7) throw new BusRangeError(`${owner}: no DMA channel ${channel}`);
    const held = this.channels.get(channel);
    if (held) throw new BusError(`${owner} cannot attach to DMA channel ${channel}: ${held.owner} holds it`);
    const st: ChannelState = { owner, client, program: undefined, position: 0, requested: false, terminalCount: false, masked: false };
    this.channels.set(channel, st);
    const controller = this;
    return {
      channel,
      request() {
        st.requested = true;
        controller.service(channel);
      },
      release() {
        st.requested = false;
      },
      get terminalCount() {
        return st.terminalCount;
      },
      get direction() {
        return st.program?.direction ?? 'verify';
      },
      readMemory(buffer, start, position, length) {
        return controller.copy(st, buffer, start, position, length, false);
      },
      writeMemory(buffer, start, position, length) {
        return controller.copy(st, buffer, start, position, length, true);
      },
    };
  }

  /** Program a channel (unmasks it) and serve it at once if the device is already asking. */
  program(channel: number, program: FakeDmaProgram): void {
    const st = this.state(channel);
    if (!Number.isInteger(program.length) || program.length < 1) throw new BusRangeError(`DMA length must be at least 1, got ${program.length}`);
    st.program = program;
    st.position = 0;
    st.terminalCount = false;
    st.masked = false;
    this.service(channel);
  }

  mask(channel: number, masked: boolean): void {
    this.state(channel).masked = masked;
    if (!masked) this.service(channel);
  }

  /** Whether the device holds DREQ on a channel. */
  requested(channel: number): boolean {
    return this.channels.get(channel)?.requested ?? false;
  }

  /** Bytes of the current block already moved. */
  position(channel: number): number {
    return this.state(channel).position;
  }

  /** Serve a channel while its device requests and the block lasts. */
  service(channel: number): void {
    const st = this.state(channel);
    let guard = 0;
    while (st.requested && !st.masked && st.program && st.position < st.program.length) {
      const before = st.position;
      const after = st.client.transfer(st.position, st.program.length);
      if (!Number.isInteger(after) || after < before || after > st.program.length)
        throw new BusError(`${st.owner} returned DMA position ${after} outside ${before}..${st.program.length}`);
      st.position = after;
      this.transferred.set(channel, (this.transferred.get(channel) ?? 0) + (after - before));
      if (st.position === st.program.length) {
        st.terminalCount = true;
        st.client.onTerminalCount?.();
        if (st.program.autoInit) st.position = 0;
        else break;
      }
      if (after === before || ++guard > 1_000_000) break;
    }
  }

  private state(channel: number): ChannelState {
    const st = this.channels.get(channel);
    if (!st) throw new BusRangeError(`no device is attached to DMA channel ${channel}`);
    return st;
  }

  private copy(st: ChannelState, buffer: Uint8Array, start: number, position: number, length: number, toMemory: boolean): number {
    const p = st.program;
    if (!p) return 0;
    const n = Math.max(0, Math.min(length, p.length - position, buffer.length - start));
    if (p.direction === 'verify') return n;
    if (toMemory !== (p.direction === 'write')) return 0;
    for (let i = 0; i < n; i++) {
      const addr = p.decrement ? p.address - (position + i) : p.address + position + i;
      if (toMemory) this.memory.write8(addr, buffer[start + i]!);
      else buffer[start + i] = this.memory.read8(addr);
    }
    return n;
  }
}
