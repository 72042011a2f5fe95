import { type BlockDevice, checkAccess } from './device';
import { BlockRangeError, ReadOnlyError } from './errors';

export interface MemoryImageOptions {
  readonly readOnly?: boolean;
  /** A name for messages (default "memory image"). */
  readonly name?: string;
}

/** A disk held in memory: a fresh zeroed one of `size` bytes, or one over the caller's bytes (not copied). */
export class MemoryImage implements BlockDevice {
  readonly bytes: Uint8Array;
  readonly readOnly: boolean;
  readonly name: string;

  constructor(sizeOrBytes: number | Uint8Array, options: MemoryImageOptions = {}) {
    this.name = options.name ?? 'memory image';
    if (typeof sizeOrBytes === 'number') {
      if (!Number.isSafeInteger(sizeOrBytes) || sizeOrBytes < 0)
        throw new BlockRangeError(`${this.name}: size ${sizeOrBytes} is not a byte count`, 0, 0, sizeOrBytes);
      this.bytes = new Uint8Array(sizeOrBytes);
    } else this.bytes = sizeOrBytes;
    this.readOnly = options.readOnly ?? false;
  }

  get size(): number {
    return this.bytes.length;
  }

  read(offset: number, target: Uint8Array, targetStart = 0, length = target.length - targetStart): void {
    checkAccess(this.name, this.bytes.length, offset, target, targetStart, length);
    target.set(this.bytes.subarray(offset, offset + length), targetStart);
  }

  write(offset: number, source: Uint8Array, sourceStart = 0, length = source.length - sourceStart): void {
    if (this.readOnly) throw new ReadOnlyError(this.name);
    checkAccess(this.name, this.bytes.length, offset, source, sourceStart, length);
    this.bytes.set(source.subarray(sourceStart, sourceStart + length), offset);
  }

  flush(): void {
    // Memory is the backend: a completed write is already there.
  }
}
