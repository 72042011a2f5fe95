import { BusError } from '@backplane/bus';

/** A device asked for a DMA channel the PC/AT pair cannot give it. */
export class DmaAttachError extends BusError {
  override readonly name = 'DmaAttachError';
}

/** A device's `transfer()` returned a position outside the block it was offered. */
export class DmaClientError extends BusError {
  override readonly name = 'DmaClientError';
  constructor(
    readonly owner: string,
    readonly channel: number,
    readonly returned: number,
    readonly position: number,
    readonly length: number,
  ) {
    super(`${owner} returned DMA position ${returned} on channel ${channel}; it must be a whole number from ${position} to ${length}`);
  }
}
