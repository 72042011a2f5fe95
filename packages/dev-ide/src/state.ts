// The guest-visible state of one IDE channel (two drive positions), as plain objects, and the
// versioned descriptors that save and load it. The PIO transfer in flight is a subsection,
// sent only while data is pending.
import { defaultState, defineState, field, subsection, type StateOf } from '@backplane/vmstate';

/** What a drive position holds. */
export const DriveKind = {
  None: 0,
  Disk: 1,
  Cdrom: 2,
} as const;
export type DriveKindCode = (typeof DriveKind)[keyof typeof DriveKind];

/** Phase of the PIO data transfer in progress. */
export const Phase = {
  /** No data pending. */
  Idle: 0,
  /** Data to the host (DRQ set, the host reads the data port). */
  DataIn: 1,
  /** Data from the host (DRQ set, the host writes the data port). */
  DataOut: 2,
  /** Packet device waiting for the 12-byte command packet. */
  Packet: 3,
} as const;
export type PhaseCode = (typeof Phase)[keyof typeof Phase];

/** What a drive does when its busy time is over (the busy timer fires). */
export const Pending = {
  None: 0,
  /** Execute the command written to the Command register. */
  Execute: 1,
  /** Load the next block of a sector read and raise DRQ. */
  ReadBlock: 2,
  /** Commit the block the host wrote to the image, then ask for the next one or complete. */
  WriteBlock: 3,
  /** Software reset released: post the signature. */
  ResetDone: 4,
  /** Packet device: execute the packet the host wrote. */
  ExecutePacket: 5,
  /** Packet device: present the next data chunk, or complete. */
  PacketNext: 6,
} as const;
export type PendingCode = (typeof Pending)[keyof typeof Pending];

/** What happens when the host has moved the last byte of the current DRQ block. */
export const BlockEnd = {
  /** Transfer over: status goes to ready (IDENTIFY, and the last read block). */
  Complete: 0,
  /** More sectors to read: go busy, then load the next block. */
  NextRead: 1,
  /** A written block is complete: go busy and commit it. */
  CommitWrite: 2,
  /** The 12-byte packet is in: go busy and execute it. */
  PacketIn: 3,
  /** A packet data chunk was read: go busy, then the next chunk or completion. */
  PacketChunk: 4,
} as const;
export type BlockEndCode = (typeof BlockEnd)[keyof typeof BlockEnd];

/** Power mode (ATA-6 4.13). */
export const Power = {
  Active: 0,
  Idle: 1,
  Standby: 2,
  Sleep: 3,
} as const;
export type PowerCode = (typeof Power)[keyof typeof Power];

/** Largest DRQ block: a packet device's chunk is at most 0xFFFE bytes. */
export const BUFFER_SIZE = 0x10000;

/** Busy steps that continue a data transfer (the PIO subsection must travel with them). */
function transferPending(pending: number): boolean {
  return pending === Pending.ReadBlock || pending === Pending.WriteBlock || pending === Pending.ExecutePacket || pending === Pending.PacketNext;
}

const u8 = (): ReturnType<typeof field.u8> => field.u8();

/**
 * The PIO transfer in flight: DRQ block position, what follows it, the sectors still to move,
 * and the block's data. Needed only while data is pending (DRQ set, or a busy step that
 * continues the transfer); otherwise a reader takes the idle defaults.
 */
export const pioSubsection = subsection({
  name: 'pio',
  version: 1,
  needed: (s) => s.phase !== Phase.Idle || transferPending(s.pending as number),
  fields: {
    phase: field.u8({ range: [0, 3] }),
    /** Next byte of `buffer` the data port moves. */
    pos: field.u32({ range: [0, BUFFER_SIZE] }),
    /** End of the current DRQ block in `buffer`. */
    end: field.u32({ range: [0, BUFFER_SIZE] }),
    blockEnd: field.u8({ range: [0, 4] }),
    /** Next sector (ATA) to transfer: bits 31-0 and 47-32. */
    lbaLo: field.u32(),
    lbaHi: field.u16(),
    /** Sectors (ATA) still to transfer (the current read block excluded, the current write block included). */
    remaining: field.u32({ range: [0, 65536] }),
    /** Sectors per DRQ block of the command in flight. */
    blockSectors: field.u8({ range: [0, 16] }),
    /** The command in flight addresses with LBA48 / with CHS (how the task file is updated). */
    lba48: field.bool(),
    chs: field.bool(),
    /** Byte count limit of the packet command in flight (even). */
    byteLimit: field.u16(),
    /** Packet media read still to send after the current chunk: byte offset (bits 31-0, 47-32) and length. */
    readOffsetLo: field.u32(),
    readOffsetHi: field.u16(),
    readRemainingLo: field.u32(),
    readRemainingHi: field.u16(),
    /** A packet reply held in `buffer[replyPos, replyEnd)`. */
    replyPos: field.u32({ range: [0, BUFFER_SIZE] }),
    replyEnd: field.u32({ range: [0, BUFFER_SIZE] }),
    /** The data buffer. In a stream: only the bytes in use (up to the block or reply end). */
    buffer: field.varBytes({ max: BUFFER_SIZE }),
  },
});

/** One drive position: task file (with the HOB copies), settings, power, busy step, packet-device state. */
export const driveDescriptor = defineState({
  name: 'ide-drive',
  version: 1,
  fields: {
    /** What is attached (a load checks it against the machine's drives). */
    kind: field.u8({ oneOf: [DriveKind.None, DriveKind.Disk, DriveKind.Cdrom] }),
    feature: u8(),
    hobFeature: u8(),
    count: u8(),
    hobCount: u8(),
    lbaLow: u8(),
    hobLbaLow: u8(),
    lbaMid: u8(),
    hobLbaMid: u8(),
    lbaHigh: u8(),
    hobLbaHigh: u8(),
    device: u8(),
    status: u8(),
    error: u8(),
    /** The command being executed or last executed. */
    command: u8(),
    /** Interrupt pending (INTRQ asserted while this drive is selected and nIEN is clear). */
    intrq: field.bool(),
    /** Sectors per READ/WRITE MULTIPLE block; 0 = multiple mode disabled. */
    multiple: field.u8({ oneOf: [0, 1, 2, 4, 8, 16] }),
    /** Current CHS translation (INITIALIZE DEVICE PARAMETERS), IDENTIFY words 54-56. */
    cylinders: field.u16(),
    heads: field.u8({ range: [0, 16] }),
    sectorsPerTrack: u8(),
    writeCache: field.bool({ default: true }),
    readLookAhead: field.bool({ default: true }),
    /** SET FEATURES 03h value: 00h/01h PIO default, 08h + n PIO flow-control mode n. */
    transferMode: field.u8({ oneOf: [0x00, 0x01, 0x08, 0x09, 0x0a, 0x0b, 0x0c] }),
    /** SET FEATURES CCh/66h: revert to power-on defaults after a software reset. */
    revertToDefaults: field.bool(),
    power: field.u8({ range: [0, 3] }),
    /** Standby timer value of IDLE/STANDBY (Sector Count), 0 = disabled. */
    standbyTimer: u8(),
    standbyDeadline: field.timer(),
    /** What the drive does when its busy time ends. */
    pending: field.u8({ range: [0, 6] }),
    busyDeadline: field.timer(),
    /** Packet devices: the last command packet. */
    packet: field.bytes(12),
    /** Current sense key and ASC << 8 | ASCQ. */
    senseKey: field.u8({ range: [0, 15] }),
    asc: field.u16(),
    /** Unit attention (ASC << 8 | ASCQ) to report on the next command, 0 = none. */
    unitAttention: field.u16(),
    mediaPresent: field.bool(),
    trayOpen: field.bool(),
    /** PREVENT ALLOW MEDIUM REMOVAL: removal prevented. */
    locked: field.bool(),
    /** Media event for GET EVENT STATUS NOTIFICATION not reported yet. */
    mediaEvent: field.u8({ range: [0, 3] }),
  },
  subsections: [pioSubsection],
  preSave(s) {
    // Send only the bytes of the buffer in use.
    const used = pioSubsection.needed(s) ? Math.max(s.end, s.replyEnd) : 0;
    s.buffer = s.buffer.subarray(0, used);
  },
  postLoad(s) {
    const full = new Uint8Array(BUFFER_SIZE);
    full.set(s.buffer.subarray(0, BUFFER_SIZE));
    s.buffer = full;
    return undefined;
  },
  validate(s) {
    if (s.pos > s.end) return `transfer position ${s.pos} is beyond the block end ${s.end}`;
    if (s.replyPos > s.replyEnd) return `reply position ${s.replyPos} is beyond the reply end ${s.replyEnd}`;
    if (s.kind === DriveKind.None && (s.phase !== Phase.Idle || s.pending !== Pending.None)) return 'an absent drive has a command in flight';
    return undefined;
  },
});

/** One channel: Device Control (nIEN, SRST, HOB), the drive selected by DEV, the two drive positions. */
export const channelDescriptor = defineState({
  name: 'ide-channel',
  version: 1,
  fields: {
    control: field.u8(),
    selected: field.u8({ oneOf: [0, 1] }),
    drives: field.array(field.struct(driveDescriptor), 2),
  },
});

export type DriveState = StateOf<typeof driveDescriptor>;
export type ChannelState = StateOf<typeof channelDescriptor>;

/** The next sector of the ATA transfer in flight. */
export function transferLba(d: DriveState): number {
  return d.lbaHi * 0x1_0000_0000 + d.lbaLo;
}

export function setTransferLba(d: DriveState, lba: number): void {
  d.lbaLo = lba % 0x1_0000_0000;
  d.lbaHi = Math.floor(lba / 0x1_0000_0000);
}

/** Bytes of the packet media read in flight still to send after the current chunk. */
export function readRemaining(d: DriveState): number {
  return d.readRemainingHi * 0x1_0000_0000 + d.readRemainingLo;
}

export function setReadRemaining(d: DriveState, bytes: number): void {
  d.readRemainingLo = bytes % 0x1_0000_0000;
  d.readRemainingHi = Math.floor(bytes / 0x1_0000_0000);
}

/** The byte offset of the packet media read in flight. */
export function readOffset(d: DriveState): number {
  return d.readOffsetHi * 0x1_0000_0000 + d.readOffsetLo;
}

export function setReadOffset(d: DriveState, offset: number): void {
  d.readOffsetLo = offset % 0x1_0000_0000;
  d.readOffsetHi = Math.floor(offset / 0x1_0000_0000);
}

/**
 * A sealed copy of a drive state with fast (in-object) properties: the objects vmstate decodes
 * are built field by field and end up in V8's slow dictionary mode, which the data-port hot path
 * must not read through.
 */
export function adoptDriveState(d: DriveState): DriveState {
  return Object.seal({ ...d });
}

export function initialDriveState(kind: DriveKindCode): DriveState {
  return adoptDriveState({ ...defaultState(driveDescriptor), kind, buffer: new Uint8Array(BUFFER_SIZE) });
}

export function initialChannelState(master: DriveKindCode, slave: DriveKindCode): ChannelState {
  return Object.seal({ control: 0, selected: 0, drives: [initialDriveState(master), initialDriveState(slave)] });
}
