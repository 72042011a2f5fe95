// Register map, bits and command codes of an ATA channel (ATA/ATAPI-6, T13 1410D) and of the
// ATAPI CD-ROM command set (SFF-8020i, MMC-2, SPC). Offsets are from the claimed bases.

/** Command block registers: offsets from the command block base (0x1F0 primary, 0x170 secondary). */
export const Reg = {
  /** Data (read/write), 16-bit; 32-bit accesses move two words. */
  Data: 0,
  /** Read: Error. Write: Features. */
  ErrorFeatures: 1,
  /** Sector Count; on packet devices, read as Interrupt Reason. */
  SectorCount: 2,
  /** LBA Low (7:0, 31:24 with HOB) / Sector Number in CHS mode. */
  LbaLow: 3,
  /** LBA Mid (15:8, 39:32 with HOB) / Cylinder Low; packet devices: byte count low. */
  LbaMid: 4,
  /** LBA High (23:16, 47:40 with HOB) / Cylinder High; packet devices: byte count high. */
  LbaHigh: 5,
  /** Device/Head: bit 6 LBA, bit 4 DEV (0 = device 0, 1 = device 1), bits 3-0 head / LBA 27:24. */
  Device: 6,
  /** Read: Status (clears the device's pending interrupt). Write: Command. */
  StatusCommand: 7,
} as const;

/** Number of command block ports. */
export const COMMAND_BLOCK_PORTS = 8;

/** Control block: one port at the control base (0x3F6 primary, 0x376 secondary). Read: Alternate Status; write: Device Control. */
export const CONTROL_BLOCK_PORTS = 1;

/** Status register bits (ATA-6 7.15). */
export const Status = {
  /** Busy: the device owns the registers. */
  BSY: 0x80,
  /** Device ready (ATA devices after reset; packet devices after IDENTIFY PACKET DEVICE or a packet command). */
  DRDY: 0x40,
  /** Device fault. */
  DF: 0x20,
  /** Device seek complete on ATA devices (obsolete in ATA-6, still set by drives); SERV on packet devices. */
  DSC: 0x10,
  /** Data request: the device is ready to transfer a word or byte of data. */
  DRQ: 0x08,
  /** Corrected data (obsolete). */
  CORR: 0x04,
  /** Index (obsolete). */
  IDX: 0x02,
  /** Error: the Error register holds the reason. On packet devices: CHECK. */
  ERR: 0x01,
} as const;

/** Error register bits (ATA-6 7.10). On packet devices bits 7-4 hold the sense key. */
export const ErrorBit = {
  /** Interface CRC error (Ultra DMA). */
  ICRC: 0x80,
  /** Uncorrectable data error. */
  UNC: 0x40,
  /** Media changed. */
  MC: 0x20,
  /** ID not found: the requested address is outside the device. */
  IDNF: 0x10,
  /** Media change request. */
  MCR: 0x08,
  /** Command aborted: not supported, or a parameter is invalid. */
  ABRT: 0x04,
  /** Track 0 not found (obsolete). */
  TK0NF: 0x02,
  /** Address mark not found (obsolete). */
  AMNF: 0x01,
} as const;

/** Diagnostic codes placed in the Error register by a reset or EXECUTE DEVICE DIAGNOSTIC (ATA-6 8.11, table 10). */
export const Diagnostic = {
  /** Device 0 passed, device 1 passed or not present. */
  Passed: 0x01,
  /** Device 0 passed, device 1 failed (bit 7 added to device 0's code). */
  Device1Failed: 0x80,
} as const;

/** Device register bits. */
export const DeviceBit = {
  /** Bits 7 and 5 were obsolete "always one" bits in ATA-1..3; ATA-6 ignores them. */
  Obsolete: 0xa0,
  /** Addressing is LBA (1) or CHS (0). */
  LBA: 0x40,
  /** Device select: 0 device 0 (master), 1 device 1 (slave). */
  DEV: 0x10,
  /** Head number in CHS, LBA bits 27:24 in LBA28. */
  HeadMask: 0x0f,
} as const;

/** Device Control register bits (ATA-6 7.9). */
export const Control = {
  /** High order byte: reads of the LBA48 registers return the previous ("HOB") values. Cleared by a write to any command block register. */
  HOB: 0x80,
  /** Software reset of both devices on the channel while set. */
  SRST: 0x04,
  /** Interrupt disable: INTRQ is not asserted while set. */
  nIEN: 0x02,
} as const;

/** Interrupt Reason register bits (packet devices, read at the Sector Count offset). */
export const InterruptReason = {
  /** Command (1) or data (0) transfer. */
  CoD: 0x01,
  /** Direction: 1 to the host, 0 to the device. */
  IO: 0x02,
  /** Release (overlap). */
  REL: 0x04,
} as const;

/** PACKET command Features bits (ATA-6 8.21). */
export const PacketFeature = {
  /** Data by DMA (this device has no DMA). */
  DMA: 0x01,
  /** Overlapped command (not supported). */
  OVL: 0x02,
} as const;

/** Status read on a channel with no device at all: DD7 is pulled down by the host (ATA/ATAPI-6 requires the pull-down so BSY reads 0), the other lines float high. */
export const NO_DEVICE_STATUS = 0x7f;
/** Other registers of a channel with no device: the bus floats high. */
export const FLOATING_BUS = 0xff;

/** Register signatures after a reset or diagnostic (ATA-6 9.12): Sector Count and LBA Low 01h, then LBA Mid/High. */
export const Signature = {
  ataMid: 0x00,
  ataHigh: 0x00,
  packetMid: 0x14,
  packetHigh: 0xeb,
  /**
   * LBA Mid/High of an absent device position after a reset (device 0 answers for it): FFh/FFh,
   * as QEMU posts, so that drivers that look at the signature see no device.
   */
  absent: 0xff,
} as const;

/** ATA command codes (ATA/ATAPI-6 clause 8 and ACS). */
export const Cmd = {
  DeviceReset: 0x08,
  Recalibrate: 0x10,
  ReadSectors: 0x20,
  ReadSectorsNoRetry: 0x21,
  ReadSectorsExt: 0x24,
  ReadMultipleExt: 0x29,
  WriteSectors: 0x30,
  WriteSectorsNoRetry: 0x31,
  WriteSectorsExt: 0x34,
  WriteMultipleExt: 0x39,
  ReadVerifySectors: 0x40,
  ReadVerifySectorsNoRetry: 0x41,
  ReadVerifySectorsExt: 0x42,
  Seek: 0x70,
  ExecuteDeviceDiagnostic: 0x90,
  InitializeDeviceParameters: 0x91,
  Packet: 0xa0,
  IdentifyPacketDevice: 0xa1,
  ReadMultiple: 0xc4,
  WriteMultiple: 0xc5,
  SetMultipleMode: 0xc6,
  StandbyImmediate: 0xe0,
  IdleImmediate: 0xe1,
  Standby: 0xe2,
  Idle: 0xe3,
  CheckPowerMode: 0xe5,
  Sleep: 0xe6,
  FlushCache: 0xe7,
  FlushCacheExt: 0xea,
  IdentifyDevice: 0xec,
  SetFeatures: 0xef,
} as const;

/** SET FEATURES subcommands (Features register; ATA-6 8.37, table 35). */
export const Feature = {
  EnableWriteCache: 0x02,
  SetTransferMode: 0x03,
  DisableReadLookAhead: 0x55,
  DisableRevertToDefaults: 0x66,
  DisableWriteCache: 0x82,
  EnableReadLookAhead: 0xaa,
  EnableRevertToDefaults: 0xcc,
} as const;

/** CHECK POWER MODE results in Sector Count (ATA-6 8.6). */
export const PowerModeCode = {
  Standby: 0x00,
  Idle: 0x80,
  ActiveOrIdle: 0xff,
} as const;

/** Sectors per block the device supports for READ/WRITE MULTIPLE (IDENTIFY word 47 bits 7-0). */
export const MAX_MULTIPLE = 16;

/** ATA sector size. */
export const SECTOR = 512;
/** CD-ROM (ISO 9660 Mode 1) block size. */
export const CD_BLOCK = 2048;
/** Bytes of the ATAPI command packet (IDENTIFY PACKET DEVICE word 0 bits 1-0 = 00b). */
export const PACKET_SIZE = 12;

/** SCSI/MMC operation codes a CD-ROM drive implements here. */
export const Scsi = {
  TestUnitReady: 0x00,
  RequestSense: 0x03,
  Inquiry: 0x12,
  StartStopUnit: 0x1b,
  PreventAllowMediumRemoval: 0x1e,
  ReadCapacity: 0x25,
  Read10: 0x28,
  ReadToc: 0x43,
  GetEventStatusNotification: 0x4a,
  ModeSense10: 0x5a,
  Read12: 0xa8,
} as const;

/** SCSI sense keys (SPC-3 table 27). */
export const SenseKey = {
  NoSense: 0x0,
  NotReady: 0x2,
  MediumError: 0x3,
  IllegalRequest: 0x5,
  UnitAttention: 0x6,
} as const;

/** Additional sense codes (ASC << 8 | ASCQ) used here (SPC-3 annex D, MMC-2). */
export const Asc = {
  None: 0x0000,
  InvalidCommandOperationCode: 0x2000,
  LbaOutOfRange: 0x2100,
  InvalidFieldInCdb: 0x2400,
  /** NOT READY TO READY CHANGE, MEDIUM MAY HAVE CHANGED. */
  MediumMayHaveChanged: 0x2800,
  /** POWER ON, RESET, OR BUS DEVICE RESET OCCURRED. */
  PowerOnReset: 0x2900,
  SavingParametersNotSupported: 0x3900,
  MediumNotPresent: 0x3a00,
  /** MEDIUM REMOVAL PREVENTED. */
  MediumRemovalPrevented: 0x5302,
  /** UNRECOVERED READ ERROR. */
  UnrecoveredReadError: 0x1100,
} as const;

/** GET EVENT STATUS NOTIFICATION media event codes (MMC-2 table 194). */
export const MediaEvent = {
  NoChange: 0,
  EjectRequest: 1,
  NewMedia: 2,
  MediaRemoval: 3,
} as const;

/** MODE SENSE page codes answered (SFF-8020i / MMC-2). */
export const ModePage = {
  ReadErrorRecovery: 0x01,
  CdDeviceParameters: 0x0d,
  CdAudioControl: 0x0e,
  CapabilitiesMechanicalStatus: 0x2a,
  All: 0x3f,
} as const;
