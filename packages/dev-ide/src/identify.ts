// IDENTIFY DEVICE and IDENTIFY PACKET DEVICE data (ATA/ATAPI-6 8.15 and 8.16): 256 words,
// little-endian in the buffer, strings with the two characters of each word swapped.
import { MAX_MULTIPLE } from './registers';

/** The strings a drive reports. */
export interface DriveIdentity {
  /** Up to 20 ASCII characters (words 10-19). */
  readonly serial: string;
  /** Up to 8 ASCII characters (words 23-26). */
  readonly firmware: string;
  /** Up to 40 ASCII characters (words 27-46). */
  readonly model: string;
}

/** Settings of a hard disk that IDENTIFY DEVICE reports. */
export interface DiskIdentifyInput {
  readonly identity: DriveIdentity;
  readonly totalSectors: number;
  /** Default geometry (words 1, 3, 6). */
  readonly defaultCylinders: number;
  readonly defaultHeads: number;
  readonly defaultSectorsPerTrack: number;
  /** Current geometry (words 54-58). */
  readonly cylinders: number;
  readonly heads: number;
  readonly sectorsPerTrack: number;
  /** Current READ/WRITE MULTIPLE block size, 0 = disabled (word 59). */
  readonly multiple: number;
  readonly writeCache: boolean;
  readonly readLookAhead: boolean;
  /** LBA28 capacity (words 60-61) and LBA48 capacity (words 100-103). */
  readonly lba28Sectors: number;
  readonly lba48Sectors: number;
}

/** Write `text` into words [first, first + words) as IDENTIFY strings: space padded, each word's characters swapped (ATA-6 3.2.9). */
export function putIdentifyString(target: Uint8Array, firstWord: number, words: number, text: string): void {
  for (let i = 0; i < words * 2; i++) {
    const c = i < text.length ? text.charCodeAt(i) & 0x7f : 0x20;
    const ch = c < 0x20 ? 0x20 : c;
    // Character 2k is the high byte of word k, character 2k+1 the low byte.
    target[firstWord * 2 + (i ^ 1)] = ch;
  }
}

/** Read back an IDENTIFY string (trailing spaces removed). */
export function getIdentifyString(source: Uint8Array, firstWord: number, words: number): string {
  let s = '';
  for (let i = 0; i < words * 2; i++) s += String.fromCharCode(source[firstWord * 2 + (i ^ 1)]!);
  return s.trimEnd();
}

function put(target: Uint8Array, word: number, value: number): void {
  target[word * 2] = value & 0xff;
  target[word * 2 + 1] = (value >>> 8) & 0xff;
}

/** Word 255: signature A5h in bits 7-0 and a checksum in bits 15-8 making the sum of all 512 bytes 0 mod 256. */
function putIntegrity(target: Uint8Array): void {
  target[510] = 0xa5;
  let sum = 0;
  for (let i = 0; i < 511; i++) sum += target[i]!;
  target[511] = -sum & 0xff;
}

/** Fill `target[0, 512)` with IDENTIFY DEVICE data for a hard disk. */
export function identifyDisk(target: Uint8Array, d: DiskIdentifyInput): void {
  target.fill(0, 0, 512);
  put(target, 0, 0x0040); // bit 15 = 0: ATA device; bit 6: fixed (non-removable)
  put(target, 1, d.defaultCylinders);
  put(target, 3, d.defaultHeads);
  put(target, 6, d.defaultSectorsPerTrack);
  putIdentifyString(target, 10, 10, d.identity.serial);
  putIdentifyString(target, 23, 4, d.identity.firmware);
  putIdentifyString(target, 27, 20, d.identity.model);
  put(target, 47, 0x8000 | MAX_MULTIPLE); // bits 15-8 = 80h, 7-0 = max sectors per READ/WRITE MULTIPLE block
  put(target, 49, 0x0a00); // bit 11 IORDY supported, bit 9 LBA supported (no DMA)
  put(target, 50, 0x4000); // bit 14 shall be one
  put(target, 51, 0x0200); // PIO data transfer cycle timing mode 2 (obsolete field)
  put(target, 53, 0x0003); // words 54-58 and 64-70 are valid
  const currentCapacity = d.cylinders * d.heads * d.sectorsPerTrack;
  put(target, 54, d.cylinders);
  put(target, 55, d.heads);
  put(target, 56, d.sectorsPerTrack);
  put(target, 57, currentCapacity & 0xffff);
  put(target, 58, currentCapacity >>> 16);
  put(target, 59, d.multiple ? 0x0100 | d.multiple : 0);
  put(target, 60, d.lba28Sectors & 0xffff);
  put(target, 61, d.lba28Sectors >>> 16);
  put(target, 64, 0x0003); // PIO modes 3 and 4 supported
  put(target, 67, 120); // minimum PIO cycle time without flow control (ns)
  put(target, 68, 120); // minimum PIO cycle time with IORDY (ns)
  put(target, 80, 0x007e); // major version: ATA-1 to ATA/ATAPI-6
  // Word 82: bit 6 read look-ahead, bit 5 write cache, bit 3 power management feature set.
  put(target, 82, 0x0068);
  // Word 83: bit 14 one, bit 13 FLUSH CACHE EXT, bit 12 FLUSH CACHE, bit 10 48-bit address feature set.
  put(target, 83, 0x7400);
  put(target, 84, 0x4000);
  put(target, 85, (d.readLookAhead ? 0x0040 : 0) | (d.writeCache ? 0x0020 : 0) | 0x0008);
  put(target, 86, 0x3400);
  put(target, 87, 0x4000);
  const lba48 = d.lba48Sectors;
  put(target, 100, lba48 & 0xffff);
  put(target, 101, Math.floor(lba48 / 0x10000) & 0xffff);
  put(target, 102, Math.floor(lba48 / 0x100000000) & 0xffff);
  put(target, 103, 0);
  putIntegrity(target);
}

/** Fill `target[0, 512)` with IDENTIFY PACKET DEVICE data for a CD-ROM drive. */
export function identifyCdrom(target: Uint8Array, identity: DriveIdentity): void {
  target.fill(0, 0, 512);
  // Word 0: bits 15-14 = 10b packet device, 12-8 = 05h CD-ROM, bit 7 removable,
  // 6-5 = 10b DRQ within 50 us of PACKET, 1-0 = 00b 12-byte packets.
  put(target, 0, 0x85c0);
  putIdentifyString(target, 10, 10, identity.serial);
  putIdentifyString(target, 23, 4, identity.firmware);
  putIdentifyString(target, 27, 20, identity.model);
  put(target, 49, 0x0a00); // bit 11 IORDY supported, bit 9 LBA (shall be one)
  put(target, 50, 0x4000);
  put(target, 53, 0x0002); // words 64-70 valid
  put(target, 64, 0x0003);
  put(target, 67, 120);
  put(target, 68, 120);
  put(target, 80, 0x0070); // ATA/ATAPI-4 to -6
  // Word 82: bit 9 DEVICE RESET, bit 4 PACKET, bit 3 power management.
  put(target, 82, 0x0218);
  put(target, 83, 0x4000);
  put(target, 84, 0x4000);
  put(target, 85, 0x0218);
  put(target, 87, 0x4000);
  putIntegrity(target);
}
