import { BlockRangeError } from './errors';

/**
 * A disk as the controllers see it: a flat array of bytes addressed by byte offset.
 * Every call is synchronous; when `write` returns, the bytes are in the backend (the file,
 * the memory, or the overlay), so a controller may report completion.
 */
export interface BlockDevice {
  /** Size in bytes. */
  readonly size: number;
  /** Writes throw `ReadOnlyError`. */
  readonly readOnly: boolean;
  /**
   * Copy `length` bytes (default: the rest of `target` from `targetStart`) starting at byte
   * `offset` of the device into `target[targetStart, targetStart + length)`.
   * Throws `BlockRangeError` if the range leaves the device or the buffer.
   */
  read(offset: number, target: Uint8Array, targetStart?: number, length?: number): void;
  /**
   * Copy `source[sourceStart, sourceStart + length)` to byte `offset` of the device.
   * Throws `ReadOnlyError` on a read-only device, `BlockRangeError` outside the device or buffer.
   */
  write(offset: number, source: Uint8Array, sourceStart?: number, length?: number): void;
  /** Make every completed write durable in the backend (fsync for files). */
  flush(): void;
}

/** Sector size of every PC disk format here. */
export const SECTOR_SIZE = 512;

/**
 * Check an access and return its length. `what` names the device in the message.
 * @internal shared by the backends
 */
export function checkAccess(what: string, size: number, offset: number, buffer: Uint8Array, start: number, length: number): number {
  if (!Number.isSafeInteger(start) || start < 0 || start > buffer.length)
    throw new BlockRangeError(`${what}: buffer start ${start} is outside a buffer of ${buffer.length} bytes`, offset, length, size);
  if (!Number.isSafeInteger(length) || length < 0 || start + length > buffer.length)
    throw new BlockRangeError(`${what}: ${length} bytes from buffer position ${start} do not fit a buffer of ${buffer.length} bytes`, offset, length, size);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > size)
    throw new BlockRangeError(`${what}: ${length} bytes at offset ${offset} are outside its ${size} bytes`, offset, length, size);
  return length;
}
