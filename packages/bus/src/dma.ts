/**
 * The interface between a DMA controller (an 8237A pair, or the test kit's fake) and a device
 * that moves data through it (the floppy controller on channel 2, a sound card...).
 *
 * The device asserts DREQ with `request()`. When the controller services the channel it calls
 * the device's `transfer(position, length)`; the device moves bytes with `readMemory` (memory
 * to device: the 8237's "read" transfer) or `writeMemory` (device to memory: "write") and
 * returns the new position. When the count is exhausted the controller raises terminal
 * count: `terminalCount` turns true and the client's `onTerminalCount` is called.
 */
export interface DmaClient {
  /**
   * Serve the channel: `position` bytes of the programmed block are done, `length` is its
   * size. Move as many bytes as the device has ready and return the new position.
   */
  transfer(position: number, length: number): number;
  /** The controller reached terminal count on this channel (the TC/EOP signal). */
  onTerminalCount?(): void;
}

/** The direction the controller was programmed with for the current block. */
export type DmaDirection = 'read' | 'write' | 'verify';

/** A device's handle on its channel. */
export interface DmaChannel {
  readonly channel: number;
  /** Assert DREQ. */
  request(): void;
  /** Deassert DREQ. */
  release(): void;
  /** Whether the controller's last transfer on this channel reached terminal count. */
  readonly terminalCount: boolean;
  /** The programmed direction (memory-to-device is 'read'). */
  readonly direction: DmaDirection;
  /**
   * Copy guest memory into `buffer[start, start+length)` from block position `position`
   * (the controller applies address, page, increment or decrement). Returns bytes copied.
   */
  readMemory(buffer: Uint8Array, start: number, position: number, length: number): number;
  /** Copy `buffer[start, start+length)` to guest memory at block position `position`. Returns bytes copied. */
  writeMemory(buffer: Uint8Array, start: number, position: number, length: number): number;
}

/** What a DMA controller offers devices. */
export interface DmaController {
  /** Attach `client` to `channel`; refused if another device holds it. */
  attach(channel: number, owner: string, client: DmaClient): DmaChannel;
}
