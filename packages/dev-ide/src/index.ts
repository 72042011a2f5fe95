// @backplane/dev-ide: ATA/ATAPI (IDE) channels: ATA hard disks and ATAPI CD-ROM drives over block devices.
export { IdeChannel } from './IdeChannel';
export type { IdeCdromConfig, IdeChannelDrives, IdeChannelResources, IdeDiskConfig, IdeDriveConfig, IdeIdentityOptions } from './IdeChannel';
export { IDE_PRIMARY, IDE_SECONDARY, PRIMARY_CHANNEL, SECONDARY_CHANNEL, idePrimaryModule, ideSecondaryModule } from './module';
export type { IdeChannelModuleOptions } from './module';
export { IdeConfigError, IdeError, IdeStateError } from './errors';
export { channelDescriptor, driveDescriptor, pioSubsection } from './state';
export type { ChannelState, DriveState } from './state';
export { getIdentifyString } from './identify';
export type { DriveIdentity } from './identify';
export {
  Asc,
  CD_BLOCK,
  Cmd,
  Control,
  DeviceBit,
  ErrorBit,
  Feature,
  InterruptReason,
  MediaEvent,
  ModePage,
  Reg,
  Scsi,
  SECTOR,
  SenseKey,
  Status,
} from './registers';
