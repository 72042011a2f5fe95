/** One channel's registers (16-bit values; on channels 4-7 address and count are in words). */
export interface DmaChannelRegs {
  baseAddress: number;
  baseCount: number;
  currentAddress: number;
  currentCount: number;
  /** Mode register as last written (bits 1-0 are the channel number). */
  mode: number;
}

/** One 8237A's control registers. */
export interface DmaControllerRegs {
  /** Command register (write only). */
  command: number;
  /** Status bits 0-3: terminal count reached since the last status read. */
  tc: number;
  /** Request register bits 0-3 (software DREQ). */
  request: number;
  /** Mask register bits 0-3 (1 = masked). */
  mask: number;
  /** Byte pointer flip-flop: false = next access is the low byte. */
  flipFlop: boolean;
  /** Temporary register: the last byte of a memory-to-memory transfer. */
  temporary: number;
  /** Rotating priority: the channel (0-3) that currently has the highest priority. */
  priority: number;
}

/**
 * Everything the guest and the attached devices can see of the DMA subsystem. Controller 0 is
 * DMA1 (channels 0-3, 8-bit), controller 1 is DMA2 (channels 4-7, 16-bit, channel 4 the cascade).
 */
export interface DmaState {
  readonly controllers: DmaControllerRegs[];
  readonly channels: DmaChannelRegs[];
  /** The 16 page register ports 80h-8Fh. */
  readonly pages: number[];
  /** DREQ lines 0-7 as the devices drive them (bit n = channel n). */
  dreq: number;
  /** Bit n: the last transfer on channel n ended at terminal count (the EOP a device sees). */
  eop: number;
  /** Bit n: channel n is in a block-mode transfer that has started and not reached TC. */
  blockActive: number;
}

export function initialControllerRegs(): DmaControllerRegs {
  return Object.seal({ command: 0, tc: 0, request: 0, mask: 0x0f, flipFlop: false, temporary: 0, priority: 0 });
}

export function initialChannelRegs(channel: number): DmaChannelRegs {
  return Object.seal({ baseAddress: 0, baseCount: 0, currentAddress: 0, currentCount: 0, mode: channel & 3 });
}

/** The state after power-on: every channel masked, registers zero. */
export function initialState(): DmaState {
  return Object.seal({
    controllers: [initialControllerRegs(), initialControllerRegs()],
    channels: Array.from({ length: 8 }, (_, n) => initialChannelRegs(n)),
    pages: new Array<number>(16).fill(0),
    dreq: 0,
    eop: 0,
    blockActive: 0,
  });
}
