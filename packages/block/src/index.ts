// @backplane/block: the disk-image layer the disk controllers read and write through.
export { SECTOR_SIZE } from './device';
export type { BlockDevice } from './device';
export { BlockError, BlockRangeError, ImageIoError, ImageSizeError, OverlayFormatError, ReadOnlyError } from './errors';
export { MemoryImage } from './memory-image';
export type { MemoryImageOptions } from './memory-image';
export { RawFileImage } from './raw-file';
export type { RawFileCreateOptions, RawFileOptions } from './raw-file';
export { OverlayImage } from './overlay';
export type { OverlayOptions, OverlaySnapshot } from './overlay';
export {
  ATA_MAX_CHS_SECTORS,
  DataRate,
  FLOPPY_FORMATS,
  MAX_LBA28_SECTORS,
  MAX_LBA48_SECTORS,
  ataDefaultGeometry,
  biosGeometry,
  chsSectors,
  chsToLba,
  floppyFormatForSize,
  hardDiskSectors,
  lba28Sectors,
  lba48Sectors,
  lbaToChs,
  requireFloppyFormat,
} from './geometry';
export type { BiosGeometry, BiosTranslation, ChsGeometry, DataRateCode, FloppyFormat } from './geometry';
