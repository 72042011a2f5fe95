import { SECTOR_SIZE } from './device';
import { BlockRangeError, ImageSizeError } from './errors';

// ---------------------------------------------------------------------------------------------
// Cylinder/head/sector arithmetic
// ---------------------------------------------------------------------------------------------

/** A cylinder/head/sector geometry. Sectors are numbered from 1 on a track. */
export interface ChsGeometry {
  readonly cylinders: number;
  readonly heads: number;
  readonly sectorsPerTrack: number;
}

/** Sectors a CHS geometry addresses. */
export function chsSectors(g: ChsGeometry): number {
  return g.cylinders * g.heads * g.sectorsPerTrack;
}

/** LBA of (cylinder, head, sector) in a geometry: (c * heads + h) * spt + s - 1. */
export function chsToLba(g: ChsGeometry, cylinder: number, head: number, sector: number): number {
  return (cylinder * g.heads + head) * g.sectorsPerTrack + sector - 1;
}

/** (cylinder, head, sector) of an LBA in a geometry. */
export function lbaToChs(g: ChsGeometry, lba: number): { cylinder: number; head: number; sector: number } {
  const track = Math.floor(lba / g.sectorsPerTrack);
  return { cylinder: Math.floor(track / g.heads), head: track % g.heads, sector: (lba % g.sectorsPerTrack) + 1 };
}

// ---------------------------------------------------------------------------------------------
// Floppy formats
// ---------------------------------------------------------------------------------------------

/**
 * The 82077AA's data-rate select codes (DSR/CCR bits 1-0): 0 = 500 kbps, 1 = 300 kbps,
 * 2 = 250 kbps, 3 = 1 Mbps.
 */
export const DataRate = { Kbps500: 0, Kbps300: 1, Kbps250: 2, Mbps1: 3 } as const;
export type DataRateCode = (typeof DataRate)[keyof typeof DataRate];

/** A PC floppy format. */
export interface FloppyFormat extends ChsGeometry {
  /** Short name, e.g. "1.44M". */
  readonly name: string;
  /** Image size in bytes: cylinders * heads * sectorsPerTrack * 512. */
  readonly size: number;
  readonly formFactor: '5.25' | '3.5';
  readonly density: 'DD' | 'HD' | 'ED';
  /** Data rate in kbit/s on the drive the format belongs to. */
  readonly dataRateKbps: number;
  /**
   * Data-rate codes the controller can read the medium at: the native one first; a 5.25"
   * double-density disk also reads at 300 kbps in a high-density (360 rpm) drive.
   */
  readonly rateCodes: readonly DataRateCode[];
  /** The CMOS drive type (register 0x10 nibble) of the drive this medium belongs in. */
  readonly cmosDriveType: number;
}

function floppy(
  name: string,
  cylinders: number,
  heads: number,
  sectorsPerTrack: number,
  formFactor: '5.25' | '3.5',
  density: 'DD' | 'HD' | 'ED',
  dataRateKbps: number,
  rateCodes: readonly DataRateCode[],
  cmosDriveType: number,
): FloppyFormat {
  return Object.freeze({
    name,
    cylinders,
    heads,
    sectorsPerTrack,
    size: cylinders * heads * sectorsPerTrack * SECTOR_SIZE,
    formFactor,
    density,
    dataRateKbps,
    rateCodes: Object.freeze(rateCodes),
    cmosDriveType,
  });
}

/**
 * The standard PC floppy formats (IBM PC/XT/AT and PS/2 media; 1.68M and 1.72M are the
 * 21-sector "DMF"-style extended 3.5" HD formats), recognised by image size.
 */
export const FLOPPY_FORMATS: readonly FloppyFormat[] = Object.freeze([
  floppy('160K', 40, 1, 8, '5.25', 'DD', 250, [DataRate.Kbps250, DataRate.Kbps300], 1),
  floppy('180K', 40, 1, 9, '5.25', 'DD', 250, [DataRate.Kbps250, DataRate.Kbps300], 1),
  floppy('320K', 40, 2, 8, '5.25', 'DD', 250, [DataRate.Kbps250, DataRate.Kbps300], 1),
  floppy('360K', 40, 2, 9, '5.25', 'DD', 250, [DataRate.Kbps250, DataRate.Kbps300], 1),
  floppy('720K', 80, 2, 9, '3.5', 'DD', 250, [DataRate.Kbps250], 3),
  floppy('1.2M', 80, 2, 15, '5.25', 'HD', 500, [DataRate.Kbps500], 2),
  floppy('1.44M', 80, 2, 18, '3.5', 'HD', 500, [DataRate.Kbps500], 4),
  floppy('1.68M', 80, 2, 21, '3.5', 'HD', 500, [DataRate.Kbps500], 4),
  floppy('1.72M', 82, 2, 21, '3.5', 'HD', 500, [DataRate.Kbps500], 4),
  floppy('2.88M', 80, 2, 36, '3.5', 'ED', 1000, [DataRate.Mbps1], 5),
]);

/** The floppy format of an image of `size` bytes, or undefined if no standard format has that size. */
export function floppyFormatForSize(size: number): FloppyFormat | undefined {
  for (const f of FLOPPY_FORMATS) if (f.size === size) return f;
  return undefined;
}

/** Like `floppyFormatForSize`, but an unknown size is an `ImageSizeError` naming the sizes accepted. */
export function requireFloppyFormat(size: number, what = 'floppy image'): FloppyFormat {
  const f = floppyFormatForSize(size);
  if (f) return f;
  throw new ImageSizeError(
    `${what} is ${size} bytes, which is no standard floppy format (accepted: ${FLOPPY_FORMATS.map((x) => `${x.name} = ${x.size}`).join(', ')})`,
    size,
  );
}

// ---------------------------------------------------------------------------------------------
// Hard disks
// ---------------------------------------------------------------------------------------------

/** The largest sector count LBA28 addresses, as IDENTIFY words 60-61 report it (0x0FFFFFFF). */
export const MAX_LBA28_SECTORS = 0x0fff_ffff;
/** The largest sector count LBA48 addresses, as IDENTIFY words 100-103 report it (2^48 - 1). */
export const MAX_LBA48_SECTORS = 2 ** 48 - 1;
/** The CHS limit of ATA IDENTIFY: 16383 cylinders, 16 heads, 63 sectors (16,514,064 sectors, about 8.4 GB). */
export const ATA_MAX_CHS_SECTORS = 16383 * 16 * 63;

/** Sectors in a hard-disk image; its size must be a positive whole number of 512-byte sectors. */
export function hardDiskSectors(size: number, what = 'disk image'): number {
  if (!Number.isSafeInteger(size) || size <= 0 || size % SECTOR_SIZE !== 0)
    throw new ImageSizeError(`${what} is ${size} bytes, not a positive whole number of ${SECTOR_SIZE}-byte sectors`, size);
  return size / SECTOR_SIZE;
}

/** Sectors addressable with LBA28 (IDENTIFY words 60-61): the capacity, capped at 0x0FFFFFFF. */
export function lba28Sectors(totalSectors: number): number {
  return Math.min(totalSectors, MAX_LBA28_SECTORS);
}

/** Sectors addressable with LBA48 (IDENTIFY words 100-103): the capacity, capped at 2^48 - 1. */
export function lba48Sectors(totalSectors: number): number {
  return Math.min(totalSectors, MAX_LBA48_SECTORS);
}

/**
 * The default CHS geometry a disk reports in IDENTIFY words 1, 3 and 6: 16 heads and 63
 * sectors per track, cylinders = capacity / 1008 capped at 16383 (disks of 8.4 GB and more
 * all report 16383/16/63). Disks smaller than one 16x63 cylinder get fewer heads (and sectors)
 * so that at least one cylinder exists.
 */
export function ataDefaultGeometry(totalSectors: number): ChsGeometry {
  if (!Number.isSafeInteger(totalSectors) || totalSectors < 1) throw new BlockRangeError(`a disk of ${totalSectors} sectors has no geometry`, 0, 0, totalSectors);
  if (totalSectors < 16 * 63) {
    const sectorsPerTrack = Math.min(63, totalSectors);
    const heads = Math.max(1, Math.min(16, Math.floor(totalSectors / sectorsPerTrack)));
    return { cylinders: 1, heads, sectorsPerTrack };
  }
  return { cylinders: Math.min(16383, Math.floor(totalSectors / (16 * 63))), heads: 16, sectorsPerTrack: 63 };
}

/** How a BIOS maps its INT 13h CHS view onto the disk. */
export type BiosTranslation = 'none' | 'large' | 'lba';

/** The geometry a BIOS presents through INT 13h, and the translation it uses. */
export interface BiosGeometry extends ChsGeometry {
  readonly translation: BiosTranslation;
}

/**
 * The logical (INT 13h) geometry a BIOS gives a disk, as SeaBIOS and the Bochs BIOS do:
 * - `none`: the physical geometry unchanged (chosen automatically when it fits 1024/16/63);
 * - `large` (ECHS): halve cylinders and double heads until cylinders <= 1024 (chosen when
 *   cylinders * heads <= 131072);
 * - `lba` (LBA-assisted): 63 sectors, heads 16/32/64/128/255 by capacity, cylinders =
 *   capacity / (heads * 63); disks beyond 1024 x 255 x 63 sectors get 1024/255/63.
 * Cylinders are clipped to 1024 in every case.
 */
export function biosGeometry(physical: ChsGeometry, totalSectors: number, translation: BiosTranslation | 'auto' = 'auto'): BiosGeometry {
  let t: BiosTranslation;
  if (translation !== 'auto') t = translation;
  else if (physical.cylinders <= 1024 && physical.heads <= 16 && physical.sectorsPerTrack <= 63) t = 'none';
  else if (physical.cylinders * physical.heads <= 131072) t = 'large';
  else t = 'lba';
  let { cylinders, heads, sectorsPerTrack } = physical;
  if (t === 'lba') {
    sectorsPerTrack = 63;
    if (totalSectors > 63 * 255 * 1024) {
      heads = 255;
      cylinders = 1024;
    } else {
      const tracks = Math.floor(totalSectors / 63);
      const h = Math.floor(tracks / 1024);
      heads = h > 128 ? 255 : h > 64 ? 128 : h > 32 ? 64 : h > 16 ? 32 : 16;
      cylinders = Math.floor(tracks / heads);
    }
  } else if (t === 'large') {
    while (cylinders > 1024) {
      cylinders >>= 1;
      heads <<= 1;
      if (heads > 127) break;
    }
  }
  return { translation: t, cylinders: Math.min(cylinders, 1024), heads, sectorsPerTrack };
}
