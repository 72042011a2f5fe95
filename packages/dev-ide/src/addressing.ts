// Task-file addressing (ATA/ATAPI-6: CHS and LBA translation, the 48-bit address feature set): the
// sector a command names, and the address written back into the task file as a transfer advances or fails.
import { chsToLba, lbaToChs } from '@backplane/block';
import { DeviceBit } from './registers';
import type { DriveState } from './state';

/** The address in the task file: LBA48 (EXT commands), LBA28, or CHS in the current geometry; -1 for a CHS address outside it. */
export function taskFileAddress(d: DriveState, ext: boolean): number {
  if (ext)
    return (
      ((d.hobLbaHigh * 256 + d.hobLbaMid) * 256 + d.hobLbaLow) * 0x1000000 + ((d.lbaHigh << 16) | (d.lbaMid << 8) | d.lbaLow)
    );
  if (d.device & DeviceBit.LBA) return ((d.device & DeviceBit.HeadMask) << 24) | (d.lbaHigh << 16) | (d.lbaMid << 8) | d.lbaLow;
  const cylinder = (d.lbaHigh << 8) | d.lbaMid;
  const head = d.device & DeviceBit.HeadMask;
  const sector = d.lbaLow;
  if (sector === 0 || sector > d.sectorsPerTrack || head >= d.heads || cylinder >= d.cylinders) return -1;
  return chsToLba(d, cylinder, head, sector);
}

/** Put an address back in the task file, in the addressing mode of the command in flight. */
export function putTaskFileAddress(d: DriveState, lba: number): void {
  if (d.lba48) {
    d.lbaLow = lba & 0xff;
    d.lbaMid = (lba >>> 8) & 0xff;
    d.lbaHigh = (lba >>> 16) & 0xff;
    const high = Math.floor(lba / 0x1000000);
    d.hobLbaLow = high & 0xff;
    d.hobLbaMid = (high >>> 8) & 0xff;
    d.hobLbaHigh = (high >>> 16) & 0xff;
  } else if (d.chs) {
    if (d.sectorsPerTrack === 0 || d.heads === 0) return;
    const c = lbaToChs(d, lba);
    d.lbaLow = c.sector & 0xff;
    d.lbaMid = c.cylinder & 0xff;
    d.lbaHigh = (c.cylinder >>> 8) & 0xff;
    d.device = (d.device & ~DeviceBit.HeadMask) | (c.head & DeviceBit.HeadMask);
  } else {
    d.lbaLow = lba & 0xff;
    d.lbaMid = (lba >>> 8) & 0xff;
    d.lbaHigh = (lba >>> 16) & 0xff;
    d.device = (d.device & ~DeviceBit.HeadMask) | ((lba >>> 24) & DeviceBit.HeadMask);
  }
}

/** Sectors of a command: Sector Count (0 = 256), or with EXT the 16-bit count (0 = 65536). */
export function taskFileCount(d: DriveState, ext: boolean): number {
  if (ext) return ((d.hobCount << 8) | d.count) || 65536;
  return d.count || 256;
}
