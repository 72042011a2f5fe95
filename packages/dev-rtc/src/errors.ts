import { BusError } from '@backplane/bus';

/** A resource value the RTC cannot use (a start time that is not a finite number). */
export class RtcConfigError extends BusError {
  override readonly name = 'RtcConfigError';
}

/** A CMOS image that cannot be loaded (wrong size, unreadable file) or saved. */
export class CmosImageError extends BusError {
  override readonly name = 'CmosImageError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
