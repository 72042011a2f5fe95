// Pure timing maths of the floppy subsystem, in virtual nanoseconds.
import { DataRate } from '@backplane/block';

const MS = 1_000_000;

/**
 * Time of one revolution: 300 rpm (200 ms) for 3.5" drives and 5.25" double-density drives,
 * 360 rpm (166.67 ms) for a 5.25" high-density drive, which is also what reading a 5.25"
 * double-density disk at 300 kbps means.
 */
export function revolutionNs(sectorsPerTrack: number, rateCode: number, formFactor: '5.25' | '3.5' | undefined): number {
  if (formFactor === '5.25' && (rateCode === DataRate.Kbps300 || (rateCode === DataRate.Kbps500 && sectorsPerTrack === 15)))
    return Math.round(1_000_000_000 / 6);
  return 200 * MS;
}

/** One sector's share of a revolution (the ID and data fields plus gaps, evenly spaced). */
export function sectorNs(revolution: number, sectorsPerTrack: number): number {
  return Math.floor(revolution / Math.max(1, sectorsPerTrack));
}

/**
 * Step rate from SPECIFY's SRT nibble: (16 - SRT) ms at 500 kbps, scaled by the data rate
 * (0.5 ms units at 1 Mbps, 1.67 ms at 300 kbps, 2 ms at 250 kbps).
 */
export function stepNs(srt: number, rateCode: number): number {
  const units = 16 - (srt & 0x0f);
  switch (rateCode & 3) {
    case DataRate.Mbps1:
      return units * 500_000;
    case DataRate.Kbps300:
      return Math.round((units * 5 * MS) / 3);
    case DataRate.Kbps250:
      return units * 2 * MS;
    default:
      return units * MS;
  }
}

/**
 * The virtual time, at or after `now`, at which the start of sector `index` (0-based position
 * on the track) passes under the head. Rotation is measured from virtual time 0, so it is the
 * same in every run.
 */
export function nextSectorStart(now: number, revolution: number, sectorTime: number, index: number): number {
  const position = now % revolution;
  const start = index * sectorTime;
  let wait = start - position;
  if (wait < 0) wait += revolution;
  return now + wait;
}

/** The sector (0-based) whose start is the next to pass under the head at or after `now`. */
export function nextSectorIndex(now: number, revolution: number, sectorTime: number, sectorsPerTrack: number): number {
  const position = now % revolution;
  const i = Math.ceil(position / sectorTime);
  return i >= sectorsPerTrack ? 0 : i;
}
