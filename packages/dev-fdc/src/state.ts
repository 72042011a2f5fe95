// All guest-visible state of the controller and its drives, as plain objects.
import { SECTOR_BYTES } from './registers';

/** Phase of the command protocol. */
export const Phase = {
  /** Waiting for (more) command bytes. */
  COMMAND: 0,
  /** Executing: seeking, searching, moving data. */
  EXECUTION: 1,
  /** Result bytes ready to be read. */
  RESULT: 2,
} as const;

/** What the execution phase is doing. */
export const Op = {
  NONE: 0,
  READ: 1,
  READ_DELETED: 2,
  WRITE: 3,
  WRITE_DELETED: 4,
  VERIFY: 5,
  READ_TRACK: 6,
  FORMAT: 7,
  READ_ID: 8,
} as const;

/** Where an operation is inside its execution phase. */
export const Stage = {
  IDLE: 0,
  /** An implied seek is moving the head; the timer ends it. */
  SEEKING: 1,
  /** Waiting for the sector (or the index) to come under the head; the timer fires when it has. */
  SEARCHING: 2,
  /** The buffer holds sector data for the host (DMA or FIFO). */
  TO_HOST: 3,
  /** Collecting data (or format IDs) from the host. */
  FROM_HOST: 4,
  /** Data collected; the timer fires when the sector has been written. */
  COMMITTING: 5,
  /** The operation failed or finished; the timer fires when its result is due. */
  ENDING: 6,
} as const;

export interface DriveState {
  /** Present cylinder number: the controller's register, where it believes the head is (reset clears it). */
  pcn: number;
  /** Where the drive's head physically is (0 = track 0; the drive's stop is at DRIVE_LAST_TRACK). */
  track: number;
  /** Disk-change latch (DIR bit 7): set by removing the medium (and at power-on), cleared by a step with a medium present. */
  changed: boolean;
  /** A seek or recalibrate in progress: the PCN it ends with, or -1. */
  seekTarget: number;
  /** ... the physical track it ends on, and the step pulses it issues. */
  seekTrack: number;
  seekSteps: number;
  /** Virtual time the seek ends (-1: none). */
  seekEnd: number;
  /** ST0 of a seek or recalibrate (set when it starts; reported when it has ended). */
  seekStatus: number;
  seekStatusPending: boolean;
  /** Medium in the drive: its size in bytes (0 = empty) and write-protect tab. */
  mediaSize: number;
  writeProtected: boolean;
  /** Sectors (by LBA) last written with a deleted-data address mark (a raw image cannot hold marks). */
  deleted: number[];
}

export interface TransferState {
  op: number;
  stage: number;
  /** The controller timer's deadline for this stage (-1: not armed). */
  eventAt: number;
  drive: number;
  /** Physical head (HDS). */
  hds: number;
  /** The ID being looked for: cylinder, head, record, size code. */
  c: number;
  h: number;
  r: number;
  n: number;
  eot: number;
  multiTrack: boolean;
  skip: boolean;
  /** DMA (true) or non-DMA through the FIFO. */
  dma: boolean;
  /** VERIFY with EC = 1: `count` is a sector count instead of EOT. */
  ec: boolean;
  /** Sectors left (VERIFY with EC = 1, FORMAT TRACK) or read (READ TRACK). */
  count: number;
  /** Physical sector index on the track (READ TRACK, FORMAT TRACK). */
  index: number;
  st0: number;
  st1: number;
  st2: number;
  /** Terminal count seen. */
  tc: boolean;
  /** End the command after the current sector (a data mark of the other kind was read with SK = 0). */
  stopAfter: boolean;
  /** Bytes of `buffer` moved so far, and how many the stage needs. */
  pos: number;
  need: number;
  /** Last sector completed (its R and H), for the result. */
  lastR: number;
  lastH: number;
  sectorsDone: number;
  /** FORMAT TRACK: sector size code, sectors, filler byte. */
  fill: number;
}

export interface FdcState {
  dor: number;
  tdr: number;
  /** Data rate code (DSR/CCR bits 1-0). */
  rate: number;
  /** DSR precompensation bits (4-2). */
  precomp: number;
  powerDown: boolean;
  /** SPECIFY: step rate, head unload, head load, non-DMA. */
  srt: number;
  hut: number;
  hlt: number;
  nonDma: boolean;
  /** CONFIGURE. */
  impliedSeek: boolean;
  fifoDisabled: boolean;
  pollDisabled: boolean;
  fifoThreshold: number;
  pretrk: number;
  /** LOCK: FIFO settings survive a software reset. */
  locked: boolean;
  /** PERPENDICULAR MODE: D3-D0 << 2 | GAP << 1 | WGATE. */
  perpendicular: number;
  /** Last EOT/SC given (DUMPREG byte 7). */
  lastEot: number;
  phase: number;
  /** Command bytes received, and how many the command takes. */
  command: Uint8Array;
  commandLength: number;
  commandPos: number;
  /** Result bytes, how many, and how many were read. */
  result: Uint8Array;
  resultLength: number;
  resultPos: number;
  /** The INT output (before the DMA gate). */
  interrupt: boolean;
  /** Ready-changed statuses left to report after a reset with polling enabled (0-4). */
  resetSense: number;
  /** Sector buffer for the execution phase. */
  buffer: Uint8Array;
  xfer: TransferState;
  drives: DriveState[];
}

/** Command and result buffers: the longest command is 9 bytes, the longest result 10 (DUMPREG). */
export const COMMAND_BYTES = 16;
export const RESULT_BYTES = 16;

export function initialTransfer(): TransferState {
  return {
    op: 0,
    stage: 0,
    eventAt: -1,
    drive: 0,
    hds: 0,
    c: 0,
    h: 0,
    r: 0,
    n: 0,
    eot: 0,
    multiTrack: false,
    skip: false,
    dma: false,
    ec: false,
    count: 0,
    index: 0,
    st0: 0,
    st1: 0,
    st2: 0,
    tc: false,
    stopAfter: false,
    pos: 0,
    need: 0,
    lastR: 0,
    lastH: 0,
    sectorsDone: 0,
    fill: 0,
  };
}

export function initialDrive(): DriveState {
  return {
    pcn: 0,
    track: 0,
    changed: true,
    seekTarget: -1,
    seekTrack: 0,
    seekSteps: 0,
    seekEnd: -1,
    seekStatus: 0,
    seekStatusPending: false,
    mediaSize: 0,
    writeProtected: false,
    deleted: [],
  };
}

/** Power-on state: DOR = 0 holds the controller in reset until the BIOS writes it. */
export function initialState(): FdcState {
  return {
    dor: 0,
    tdr: 0,
    rate: 2,
    precomp: 0,
    powerDown: false,
    srt: 0,
    hut: 0,
    hlt: 0,
    nonDma: false,
    impliedSeek: false,
    fifoDisabled: true,
    pollDisabled: false,
    fifoThreshold: 0,
    pretrk: 0,
    locked: false,
    perpendicular: 0,
    lastEot: 0,
    phase: Phase.COMMAND,
    command: new Uint8Array(COMMAND_BYTES),
    commandLength: 0,
    commandPos: 0,
    result: new Uint8Array(RESULT_BYTES),
    resultLength: 0,
    resultPos: 0,
    interrupt: false,
    resetSense: 0,
    buffer: new Uint8Array(SECTOR_BYTES),
    xfer: initialTransfer(),
    drives: [initialDrive(), initialDrive(), initialDrive(), initialDrive()],
  };
}
