// Busy times of the emulated drives, in virtual nanoseconds. Real drives take milliseconds to
// seek; these are short so guests poll little, yet every busy period is a real BSY phase that a
// driver must wait out, timed by the virtual clock (deterministic).

/** From a command written to the first DRQ block or the completion (PACKET: to the packet DRQ, within the 50 us of IDENTIFY PACKET word 0). */
export const COMMAND_NS = 20_000;
/** Between DRQ blocks of a multi-block transfer, and for committing a written block. */
export const BLOCK_NS = 2_000;
/** From the release of SRST (or DEVICE RESET) to the signature and BSY clear. */
export const RESET_NS = 50_000;
/** Executing a received ATAPI packet, up to the first data chunk or the completion. */
export const PACKET_NS = 20_000;

/**
 * Standby timer period of IDLE / STANDBY (ATA-6 table 19, Sector Count value), in ns:
 * 0 disabled; 1-240: n x 5 s; 241-251: (n - 240) x 30 min; 252: 21 min; 253: vendor specific
 * (8 h here); 254: reserved (treated as disabled); 255: 21 min 15 s.
 */
export function standbyPeriodNs(value: number): number {
  const s = 1_000_000_000;
  if (value === 0 || value === 254) return 0;
  if (value <= 240) return value * 5 * s;
  if (value <= 251) return (value - 240) * 30 * 60 * s;
  if (value === 252) return 21 * 60 * s;
  if (value === 253) return 8 * 3600 * s;
  return (21 * 60 + 15) * s;
}
