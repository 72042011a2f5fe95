// Register map, bits and command codes of the Intel 82077AA floppy disk controller
// (datasheet order 290166), as a PC-AT uses it. Offsets are from the controller's base port
// (0x3F0 on the primary controller); offset 6 belongs to the hard-disk controller on a PC.

/** Register offsets from the base port. */
export const Reg = {
  /** Status register A (read; PS/2-style pin status). */
  SRA: 0,
  /** Status register B (read; motor, drive select, read/write toggles). */
  SRB: 1,
  /** Digital output register (read/write): drive select, nRESET, DMA gate, motor enables. */
  DOR: 2,
  /** Tape drive register (read/write): bits 1-0 tape drive select. */
  TDR: 3,
  /** Main status register (read). */
  MSR: 4,
  /** Data-rate select register (write). */
  DSR: 4,
  /** Data FIFO (read/write): command, execution and result bytes. */
  FIFO: 5,
  /** Digital input register (read): bit 7 disk change. */
  DIR: 7,
  /** Configuration control register (write): bits 1-0 data rate. */
  CCR: 7,
} as const;

/** Digital output register bits. */
export const Dor = {
  /** Drive select (bits 1-0). */
  SELECT: 0x03,
  /** Low holds the controller in reset; a 0 -> 1 edge ends the reset. */
  NRESET: 0x04,
  /** PC-AT mode: high enables the INT and DRQ outputs (low tri-states them). */
  DMA_GATE: 0x08,
  /** Motor enable for drive 0 (drive n: 0x10 << n). */
  MOTOR0: 0x10,
} as const;

/** Main status register bits. */
export const Msr = {
  /** Drive n busy seeking (bit n, n = 0..3). */
  DRIVE_BUSY: 0x0f,
  /** A command is in progress (from its first byte to the last result byte). */
  CMD_BUSY: 0x10,
  /** Execution phase in non-DMA mode. */
  NON_DMA: 0x20,
  /** Data direction: 1 = controller to host (read the FIFO), 0 = host to controller. */
  DIO: 0x40,
  /** Request for master: the FIFO is ready for the host. */
  RQM: 0x80,
} as const;

/** Data-rate select register bits. */
export const Dsr = {
  /** Data rate (bits 1-0): 0 = 500 kbps, 1 = 300, 2 = 250, 3 = 1 Mbps. */
  RATE: 0x03,
  /** Write precompensation delay (bits 4-2). */
  PRECOMP: 0x1c,
  /** Power down. */
  POWER_DOWN: 0x40,
  /** Software reset (self-clearing). */
  SW_RESET: 0x80,
} as const;

/** Digital input register bits. */
export const Dir = {
  /** The selected drive's disk-change line: set when the medium was removed, cleared by a step with a disk present. */
  DISK_CHANGE: 0x80,
} as const;

/** Status register A bits (PS/2 layout; several pins are active low). */
export const Sra = {
  DIRECTION: 0x01,
  NOT_WRITE_PROTECT: 0x02,
  NOT_INDEX: 0x04,
  HEAD_SELECT: 0x08,
  NOT_TRACK0: 0x10,
  STEP: 0x20,
  NOT_DRIVE2: 0x40,
  INT_PENDING: 0x80,
} as const;

/** Status register B bits. */
export const Srb = {
  MOTOR0: 0x01,
  MOTOR1: 0x02,
  WRITE_GATE: 0x04,
  READ_TOGGLE: 0x08,
  WRITE_TOGGLE: 0x10,
  DRIVE_SELECT0: 0x20,
  /** Bits 7-6 read as 1. */
  ONES: 0xc0,
} as const;

/** Status register 0. */
export const St0 = {
  DRIVE: 0x03,
  HEAD: 0x04,
  /** Equipment check: a recalibrate that found no track 0 after 79 steps, or a drive fault. */
  EQUIPMENT_CHECK: 0x10,
  /** Seek end: a SEEK, RELATIVE SEEK, RECALIBRATE or implied seek finished. */
  SEEK_END: 0x20,
  /** Interrupt code (bits 7-6). */
  IC_MASK: 0xc0,
  IC_NORMAL: 0x00,
  IC_ABNORMAL: 0x40,
  IC_INVALID: 0x80,
  /** Abnormal termination caused by polling (the "ready changed" status after a reset). */
  IC_READY_CHANGED: 0xc0,
} as const;

/** Status register 1. */
export const St1 = {
  /** Missing address mark: no ID field found in two revolutions. */
  MISSING_ADDRESS_MARK: 0x01,
  /** Not writable: the medium is write-protected. */
  NOT_WRITABLE: 0x02,
  /** No data: the sector was not found (or READ TRACK found an ID that did not match). */
  NO_DATA: 0x04,
  /** Overrun / underrun. */
  OVERRUN: 0x10,
  /** Data error (CRC) in the ID or data field. */
  DATA_ERROR: 0x20,
  /** End of cylinder: the transfer went past the final sector (EOT) without terminal count. */
  END_OF_CYLINDER: 0x80,
} as const;

/** Status register 2. */
export const St2 = {
  MISSING_DATA_MARK: 0x01,
  BAD_CYLINDER: 0x02,
  SCAN_NOT_SATISFIED: 0x04,
  SCAN_EQUAL_HIT: 0x08,
  /** Wrong cylinder: the ID's cylinder differs from the one asked for. */
  WRONG_CYLINDER: 0x10,
  DATA_ERROR_IN_DATA: 0x20,
  /** Control mark: a deleted-data mark was read by READ DATA, or a normal one by READ DELETED DATA. */
  CONTROL_MARK: 0x40,
} as const;

/** Status register 3 (SENSE DRIVE STATUS). On the 82077AA bits 5 and 3 always read 1. */
export const St3 = {
  DRIVE: 0x03,
  HEAD: 0x04,
  ONES: 0x28,
  TRACK0: 0x10,
  WRITE_PROTECTED: 0x40,
} as const;

/** Command codes (the low five bits of the first byte; MT, MFM and SK ride in bits 7-5). */
export const Cmd = {
  READ_TRACK: 0x02,
  SPECIFY: 0x03,
  SENSE_DRIVE_STATUS: 0x04,
  WRITE_DATA: 0x05,
  READ_DATA: 0x06,
  RECALIBRATE: 0x07,
  SENSE_INTERRUPT_STATUS: 0x08,
  WRITE_DELETED_DATA: 0x09,
  READ_ID: 0x0a,
  READ_DELETED_DATA: 0x0c,
  FORMAT_TRACK: 0x0d,
  DUMPREG: 0x0e,
  SEEK: 0x0f,
  VERSION: 0x10,
  SCAN_EQUAL: 0x11,
  PERPENDICULAR_MODE: 0x12,
  CONFIGURE: 0x13,
  LOCK: 0x14,
  VERIFY: 0x16,
  SCAN_LOW_OR_EQUAL: 0x19,
  SCAN_HIGH_OR_EQUAL: 0x1d,
} as const;

/** Flags in the first command byte. */
export const CmdFlag = {
  /** Multi-track: continue on head 1 after EOT on head 0. */
  MT: 0x80,
  /** MFM (double density) recording. */
  MFM: 0x40,
  /** Skip sectors with the other kind of data mark. */
  SK: 0x20,
  /** RELATIVE SEEK direction: 1 = step in (towards higher cylinders). */
  DIR_IN: 0x40,
  /** LOCK: the value to set. */
  LOCK: 0x80,
} as const;

/** Second byte of most commands: head select and drive select. */
export const Hds = {
  DRIVE: 0x03,
  HEAD: 0x04,
  /** VERIFY only: EC = 1 means the DTL/SC byte counts sectors. */
  EC: 0x80,
} as const;

/** CONFIGURE third byte. */
export const Config = {
  FIFO_THRESHOLD: 0x0f,
  /** 1 = drive polling disabled (no ready-changed interrupts after a reset). */
  POLL_DISABLED: 0x10,
  /** 1 = FIFO disabled (byte mode). */
  FIFO_DISABLED: 0x20,
  /** 1 = implied seek enabled for read/write/verify/scan. */
  IMPLIED_SEEK: 0x40,
} as const;

/** VERSION result of an 82077AA (an 8272A/765A answers with ST0 = 0x80, invalid). */
export const VERSION_82077AA = 0x90;

/** Sector size code N = 2: 512 bytes, the only size a raw PC image holds. */
export const SECTOR_SIZE_CODE = 2;
export const SECTOR_BYTES = 512;
