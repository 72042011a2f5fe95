/** Base class of every error the block layer raises, so callers can tell them from host faults. */
export class BlockError extends Error {
  override readonly name: string = 'BlockError';
}

/** An access (offset, length, or the caller's buffer range) outside what the device or buffer holds. */
export class BlockRangeError extends BlockError {
  override readonly name = 'BlockRangeError';
  constructor(
    message: string,
    readonly offset: number,
    readonly length: number,
    readonly size: number,
  ) {
    super(message);
  }
}

/** A write to a device opened read-only (or a commit onto a read-only base). */
export class ReadOnlyError extends BlockError {
  override readonly name = 'ReadOnlyError';
  constructor(readonly device: string) {
    super(`${device} is read-only`);
  }
}

/** An image whose size does not fit what it is used as (a floppy of no known format, a disk not a whole number of sectors). */
export class ImageSizeError extends BlockError {
  override readonly name = 'ImageSizeError';
  constructor(
    message: string,
    readonly size: number,
  ) {
    super(message);
  }
}

/** An image file that cannot be opened, read, written or flushed. `cause` holds the host error. */
export class ImageIoError extends BlockError {
  override readonly name = 'ImageIoError';
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A saved overlay that does not decode or does not fit the image it is restored onto. */
export class OverlayFormatError extends BlockError {
  override readonly name = 'OverlayFormatError';
}
