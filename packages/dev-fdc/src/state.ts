// All guest-visible state of the controller and its drives, as plain objects, and the versioned
// descriptors that save, validate and load them (@backplane/vmstate).
import { type LoadInfo, type StateOf, defineState, field, subsection } from '@backplane/vmstate';
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

/** The last track a drive's head can reach (its mechanical stop). */
export const DRIVE_LAST_TRACK = 83;
/** Command and result buffers: the longest command is 9 bytes, the longest result 10 (DUMPREG). */
export const COMMAND_BYTES = 16;
export const RESULT_BYTES = 16;
/** Sectors of the largest floppy (2.88M): the most deleted-data marks a medium can carry. */
const MAX_SECTORS = 5760;

/**
 * One drive as the controller sees it.
 *
 * Version history: 1 = first version.
 * Subsections: `media-changed` (the disk-change line is in the state an older reader would not
 * assume: a medium is in and the guest has not stepped since it went in); `deleted-marks`
 * (sectors written with WRITE DELETED DATA).
 */
export const fdcDriveState = defineState({
  name: 'fdc-drive',
  version: 1,
  fields: {
    /** Present cylinder number: the controller's register, where it believes the head is (reset clears it). */
    pcn: field.u8(),
    /** Where the head physically is (0 = track 0). */
    track: field.u8({ range: [0, DRIVE_LAST_TRACK] }),
    /** A seek or recalibrate in progress: the PCN it ends with, or -1. */
    seekTarget: field.i16({ range: [-1, 255] }),
    /** ... the physical track it ends on, and the step pulses it issues. */
    seekTrack: field.u8({ range: [0, DRIVE_LAST_TRACK] }),
    seekSteps: field.u16({ range: [0, 255] }),
    /** When a background seek (SEEK, RECALIBRATE) ends; not armed otherwise. */
    seekEnd: field.timer({ check: (v, s) => v < 0 || s.seekTarget >= 0 || 'a seek end is armed without a seek in progress' }),
    /** ST0 of a seek or recalibrate (set when it starts; reported by SENSE INTERRUPT STATUS once it has ended). */
    seekStatus: field.u8(),
    seekStatusPending: field.bool(),
    /** Size in bytes of the medium in the drive (0 = empty); the loading machine must have the same medium in. */
    mediaSize: field.u32(),
    /** The medium's write-protect tab. */
    writeProtected: field.bool(),
  },
  subsections: [
    subsection({
      name: 'media-changed',
      version: 1,
      // An empty drive always has the line active, and one whose disk has been stepped over has
      // it clear: an older reader assumes exactly that (see postLoad). Only the window between
      // inserting a disk and the guest's first step differs.
      needed: (s) => s.changed !== (s.mediaSize === 0),
      fields: {
        /** The disk-change latch (DIR bit 7). */
        changed: field.bool(),
      },
    }),
    subsection({
      name: 'deleted-marks',
      version: 1,
      needed: (s) => s.deleted.length > 0,
      fields: {
        /** Sectors (by LBA) whose data field carries a deleted-data address mark (a raw image cannot hold marks). */
        deleted: field.varArray(field.u32({ range: [0, MAX_SECTORS - 1] }), { max: MAX_SECTORS }),
      },
    }),
  ],
  postLoad(s, info: LoadInfo) {
    if (!info.subsections.includes('media-changed')) s.changed = s.mediaSize === 0;
  },
});

/**
 * A command in its execution phase.
 *
 * Version history: 1 = first version.
 */
export const fdcTransferState = defineState({
  name: 'fdc-transfer',
  version: 1,
  fields: {
    op: field.u8({ range: [Op.NONE, Op.READ_ID] }),
    stage: field.u8({ range: [Stage.IDLE, Stage.ENDING] }),
    /** When the current stage's event is due (sector under the head, seek end, result time). */
    eventAt: field.timer(),
    drive: field.u8({ range: [0, 3] }),
    /** Physical head (HDS). */
    hds: field.u8({ range: [0, 1] }),
    /** The ID being looked for: cylinder, head, record, size code. */
    c: field.u8(),
    h: field.u8(),
    r: field.u8(),
    n: field.u8(),
    eot: field.u8(),
    multiTrack: field.bool(),
    skip: field.bool(),
    /** DMA (true) or non-DMA through the FIFO. */
    dma: field.bool(),
    /** VERIFY with EC = 1: `count` is a sector count instead of EOT. */
    ec: field.bool(),
    /** Sectors left (VERIFY with EC = 1, FORMAT TRACK) or read (READ TRACK). */
    count: field.u16({ range: [0, 255] }),
    /** Physical sector index on the track (READ TRACK). */
    index: field.u8(),
    st0: field.u8(),
    st1: field.u8(),
    st2: field.u8(),
    /** Terminal count seen. */
    tc: field.bool(),
    /** End after the current sector (a data mark of the other kind was read with SK = 0). */
    stopAfter: field.bool(),
    /** Bytes of the buffer moved so far, and how many the stage needs. */
    pos: field.u16({ range: [0, SECTOR_BYTES] }),
    need: field.u16({ range: [0, SECTOR_BYTES] }),
    /** Last sector completed (its R and H), for the result. */
    lastR: field.u8(),
    lastH: field.u8(),
    sectorsDone: field.u16(),
    /** FORMAT TRACK: the filler byte. */
    fill: field.u8(),
  },
  validate: (x) => {
    if (x.pos > x.need) return 'transfer position beyond the bytes it needs';
    const writes = x.op === Op.WRITE || x.op === Op.WRITE_DELETED;
    const reads = x.op === Op.READ || x.op === Op.READ_DELETED || x.op === Op.READ_TRACK;
    if (x.stage === Stage.TO_HOST && !reads) return 'data for the host in an operation that reads none';
    if (x.stage === Stage.FROM_HOST && !(writes || x.op === Op.FORMAT)) return 'data from the host in an operation that takes none';
    if (x.stage === Stage.COMMITTING && !writes) return 'a sector to write in an operation that writes none';
    if (x.stage === Stage.FROM_HOST && x.need !== (x.op === Op.FORMAT ? 4 : SECTOR_BYTES)) return 'wrong byte count for the data phase';
    if (x.stage === Stage.TO_HOST && x.need !== SECTOR_BYTES) return 'wrong byte count for the data phase';
    return true;
  },
});

/**
 * The 82077AA controller with its four drive slots.
 *
 * Version history: 1 = first version.
 * Subsections, each absent in the idle state (command phase, no command byte received):
 * `command-bytes` (a command partly written), `execution` (a command in its execution phase:
 * the transfer and the sector buffer), `pending-result` (result bytes not read yet).
 */
export const fdcState = defineState({
  name: 'fdc-82077aa',
  version: 1,
  fields: {
    /** Digital output register: drive select, nRESET, DMA gate, motors. */
    dor: field.u8(),
    /** Tape drive register, bits 1-0. */
    tdr: field.u8({ range: [0, 3] }),
    /** Data rate code (DSR/CCR bits 1-0). */
    rate: field.u8({ range: [0, 3] }),
    /** DSR precompensation (bits 4-2, stored as 0-7). */
    precomp: field.u8({ range: [0, 7] }),
    powerDown: field.bool(),
    /** SPECIFY: step rate, head unload, head load, non-DMA. */
    srt: field.u8({ range: [0, 15] }),
    hut: field.u8({ range: [0, 15] }),
    hlt: field.u8({ range: [0, 127] }),
    nonDma: field.bool(),
    /** CONFIGURE. */
    impliedSeek: field.bool(),
    fifoDisabled: field.bool({ default: true }),
    pollDisabled: field.bool(),
    fifoThreshold: field.u8({ range: [0, 15] }),
    pretrk: field.u8(),
    /** LOCK: the FIFO settings survive a software reset. */
    locked: field.bool(),
    /** PERPENDICULAR MODE: D3-D0 << 2 | GAP << 1 | WGATE. */
    perpendicular: field.u8({ range: [0, 0x3f] }),
    /** Last EOT/SC given (DUMPREG byte 7). */
    lastEot: field.u8(),
    phase: field.u8({ range: [Phase.COMMAND, Phase.RESULT] }),
    /** The INT output (before the DMA gate). */
    interrupt: field.bool(),
    /** Ready-changed statuses left to report after a reset with polling enabled (0-4). */
    resetSense: field.u8({ range: [0, 4] }),
    drives: field.array(field.struct(fdcDriveState), 4),
  },
  subsections: [
    subsection({
      name: 'command-bytes',
      version: 1,
      needed: (s) => s.phase === Phase.COMMAND && s.commandPos > 0,
      fields: {
        command: field.bytes(COMMAND_BYTES),
        commandLength: field.u8({ range: [0, COMMAND_BYTES] }),
        commandPos: field.u8({ range: [0, COMMAND_BYTES], check: (v, s) => v === 0 || v < s.commandLength || 'command position beyond the command' }),
      },
    }),
    subsection({
      name: 'execution',
      version: 1,
      needed: (s) => s.phase === Phase.EXECUTION,
      fields: {
        xfer: field.struct(fdcTransferState),
        /** The sector buffer (data in flight, or FORMAT's four ID bytes). */
        buffer: field.bytes(SECTOR_BYTES),
      },
    }),
    subsection({
      name: 'pending-result',
      version: 1,
      needed: (s) => s.phase === Phase.RESULT,
      fields: {
        result: field.bytes(RESULT_BYTES),
        resultLength: field.u8({ range: [0, RESULT_BYTES] }),
        resultPos: field.u8({ range: [0, RESULT_BYTES], check: (v, s) => v === 0 || v < s.resultLength || 'result position beyond the result' }),
      },
    }),
  ],
  validate: (s) => {
    if (s.phase === Phase.EXECUTION && s.xfer.op === Op.NONE) return 'execution phase without an operation';
    if (s.phase === Phase.RESULT && s.resultLength === 0) return 'result phase without result bytes';
    return true;
  },
});

export type DriveState = StateOf<typeof fdcDriveState>;
export type TransferState = StateOf<typeof fdcTransferState>;
export type FdcState = StateOf<typeof fdcState>;

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
