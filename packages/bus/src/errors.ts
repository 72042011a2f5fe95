/** Base class of every error the bus raises, so callers can tell them from host faults. */
export class BusError extends Error {
  override readonly name: string = 'BusError';
}

/** A port range claim overlaps a range another device already holds. */
export class PortConflictError extends BusError {
  override readonly name = 'PortConflictError';
  constructor(
    readonly owner: string,
    readonly other: string,
    readonly first: number,
    readonly last: number,
  ) {
    super(
      `${owner} cannot claim ports ${hex16(first)}-${hex16(last)}: ${other} already holds ${first === last ? `port ${hex16(first)}` : `ports ${hex16(first)}-${hex16(last)}`}`,
    );
  }
}

/** A memory region overlaps a region another owner already mapped. */
export class MemoryConflictError extends BusError {
  override readonly name = 'MemoryConflictError';
  constructor(
    readonly owner: string,
    readonly other: string,
    readonly first: number,
    readonly last: number,
  ) {
    super(`${owner} cannot map ${hex32(first)}-${hex32(last)}: ${other} already maps that range`);
  }
}

/** A resource value (port, size, channel, time) outside what the bus accepts. */
export class BusRangeError extends BusError {
  override readonly name = 'BusRangeError';
}

/**
 * The `allocate` function of `MemoryOptions` / `BusOptions` returned something other than a
 * plain, fixed-length `Uint8Array` of exactly the backing size.
 */
export class BackingStoreError extends BusError {
  override readonly name = 'BackingStoreError';
  constructor(
    /** The backing size asked for, in bytes. */
    readonly size: number,
    /** What was wrong with the result. */
    readonly problem: string,
  ) {
    super(`allocate(${size}) must return a plain, fixed-length Uint8Array of ${size} bytes for the memory space's backing store, got ${problem}`);
  }
}

/** Two devices with the same id were plugged into one bus. */
export class DuplicateDeviceError extends BusError {
  override readonly name = 'DuplicateDeviceError';
  constructor(readonly id: string) {
    super(`a device with id "${id}" is already plugged into this bus`);
  }
}

export function hex16(n: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(4, '0');
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
