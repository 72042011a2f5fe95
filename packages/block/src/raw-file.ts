import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { type BlockDevice, checkAccess } from './device';
import { BlockError, ImageIoError, ReadOnlyError } from './errors';

export interface RawFileOptions {
  /** Open for reading only (default false). Writes then throw `ReadOnlyError`. */
  readonly readOnly?: boolean;
}

export interface RawFileCreateOptions {
  /** Size of the new image in bytes; the file is extended sparsely (no data blocks written). */
  readonly size: number;
  /** Refuse to replace an existing file (default true). */
  readonly exclusive?: boolean;
}

/**
 * A raw ("flat", `.img`) disk image file: byte `n` of the disk is byte `n` of the file.
 * Reads and writes go to the file at their offsets through a descriptor (`pread`/`pwrite`),
 * so the image is never loaded whole, may be of any size, and stays sparse where the guest
 * never wrote.
 */
export class RawFileImage implements BlockDevice {
  private fd: number;
  readonly size: number;
  readonly readOnly: boolean;

  private constructor(
    readonly path: string,
    fd: number,
    size: number,
    readOnly: boolean,
  ) {
    this.fd = fd;
    this.size = size;
    this.readOnly = readOnly;
  }

  /** Open an existing image. Throws `ImageIoError` if it cannot be opened or is not a regular file. */
  static open(path: string, options: RawFileOptions = {}): RawFileImage {
    const readOnly = options.readOnly ?? false;
    let fd: number;
    try {
      fd = openSync(path, readOnly ? 'r' : 'r+');
    } catch (e) {
      throw new ImageIoError(`cannot open image ${path}${readOnly ? '' : ' for writing'}: ${(e as Error).message}`, path, { cause: e });
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new ImageIoError(`image ${path} is not a regular file`, path);
      return new RawFileImage(path, fd, st.size, readOnly);
    } catch (e) {
      closeSync(fd);
      if (e instanceof BlockError) throw e;
      throw new ImageIoError(`cannot examine image ${path}: ${(e as Error).message}`, path, { cause: e });
    }
  }

  /** Create a new, zero-filled sparse image of `size` bytes and open it read-write. */
  static create(path: string, options: RawFileCreateOptions): RawFileImage {
    if (!Number.isSafeInteger(options.size) || options.size < 0) throw new ImageIoError(`cannot create image ${path}: size ${options.size} is not a byte count`, path);
    let fd: number;
    try {
      fd = openSync(path, options.exclusive ?? true ? 'wx+' : 'w+');
    } catch (e) {
      throw new ImageIoError(`cannot create image ${path}: ${(e as Error).message}`, path, { cause: e });
    }
    try {
      ftruncateSync(fd, options.size);
    } catch (e) {
      closeSync(fd);
      throw new ImageIoError(`cannot size image ${path} to ${options.size} bytes: ${(e as Error).message}`, path, { cause: e });
    }
    return new RawFileImage(path, fd, options.size, false);
  }

  get closed(): boolean {
    return this.fd < 0;
  }

  read(offset: number, target: Uint8Array, targetStart = 0, length = target.length - targetStart): void {
    checkAccess(this.path, this.size, offset, target, targetStart, length);
    const fd = this.handle();
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(fd, target, targetStart + done, length - done, offset + done);
      } catch (e) {
        throw new ImageIoError(`cannot read ${length} bytes at offset ${offset} of ${this.path}: ${(e as Error).message}`, this.path, { cause: e });
      }
      if (n === 0) throw new ImageIoError(`${this.path} ended at ${offset + done} bytes, before its opened size of ${this.size} (was it truncated?)`, this.path);
      done += n;
    }
  }

  write(offset: number, source: Uint8Array, sourceStart = 0, length = source.length - sourceStart): void {
    if (this.readOnly) throw new ReadOnlyError(this.path);
    checkAccess(this.path, this.size, offset, source, sourceStart, length);
    const fd = this.handle();
    let done = 0;
    while (done < length) {
      try {
        done += writeSync(fd, source, sourceStart + done, length - done, offset + done);
      } catch (e) {
        throw new ImageIoError(`cannot write ${length} bytes at offset ${offset} of ${this.path}: ${(e as Error).message}`, this.path, { cause: e });
      }
    }
  }

  /** fsync: every completed write is on stable storage when this returns. A read-only image has nothing to flush. */
  flush(): void {
    if (this.readOnly) return;
    try {
      fsyncSync(this.handle());
    } catch (e) {
      throw new ImageIoError(`cannot flush ${this.path}: ${(e as Error).message}`, this.path, { cause: e });
    }
  }

  /** Flush (when writable) and close the descriptor; later accesses throw `ImageIoError`. */
  close(): void {
    if (this.fd < 0) return;
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
      this.fd = -1;
    }
  }

  private handle(): number {
    if (this.fd < 0) throw new ImageIoError(`image ${this.path} is closed`, this.path);
    return this.fd;
  }
}
