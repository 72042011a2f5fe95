// The SCSI/MMC command set of the ATAPI CD-ROM drive (SFF-8020i, MMC-2, SPC): one handler per
// operation code, each reading its CDB from the 12-byte packet and leaving either a reply in the
// drive's buffer, a media read to stream, nothing, or CHECK CONDITION with sense data.
import type { BlockDevice } from '@backplane/block';
import type { DriveIdentity } from './identify';
import { Asc, CD_BLOCK, MediaEvent, ModePage, Scsi, SenseKey } from './registers';
import { type DriveState, setReadOffset, setReadRemaining } from './state';

/** What a packet command leaves for the channel to do. */
export const Outcome = {
  /** GOOD status, no data. */
  Good: 0,
  /** Data in: the reply in `buffer[0, replyEnd)`. */
  Reply: 1,
  /** Data in: `readRemaining(d)` bytes of the medium from `readOffset(d)`. */
  MediaRead: 2,
  /** CHECK CONDITION; the sense data are set. */
  Check: 3,
} as const;
export type OutcomeCode = (typeof Outcome)[keyof typeof Outcome];

/** What the handlers may ask of the drive's host side. */
export interface PacketContext {
  readonly d: DriveState;
  readonly identity: DriveIdentity;
  /** The medium, when one is loaded. */
  media(): BlockDevice | undefined;
  /** Open the tray: the medium leaves the drive. */
  eject(): void;
  /** Close the tray. */
  load(): void;
}

type Handler = (c: PacketContext, cdb: Uint8Array) => OutcomeCode;

interface PacketCommand {
  readonly name: string;
  /** Report a pending unit attention instead of executing (false for INQUIRY, REQUEST SENSE, GET EVENT STATUS NOTIFICATION: SPC-3 5.8.7, MMC-2). */
  readonly reportsUnitAttention: boolean;
  readonly handler: Handler;
}

/** Set sense data and return CHECK CONDITION. */
export function check(d: DriveState, key: number, asc: number): OutcomeCode {
  d.senseKey = key;
  d.asc = asc;
  return Outcome.Check;
}

function be16(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}

function be32(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
}

function putBe16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 0xff;
  b[i + 1] = v & 0xff;
}

function putBe32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

function putAscii(b: Uint8Array, i: number, length: number, text: string): void {
  for (let k = 0; k < length; k++) b[i + k] = k < text.length ? text.charCodeAt(k) & 0x7f : 0x20;
}

/** Finish a reply of `length` bytes, cut to the allocation length. */
function reply(d: DriveState, length: number, allocation: number): OutcomeCode {
  const n = Math.min(length, allocation);
  if (n === 0) return Outcome.Good;
  d.replyPos = 0;
  d.replyEnd = n;
  return Outcome.Reply;
}

/** Blocks on the medium (2048-byte sectors; a trailing partial block is not addressable). */
export function mediaBlocks(media: BlockDevice): number {
  return Math.floor(media.size / CD_BLOCK);
}

/** The loaded medium, or CHECK CONDITION NOT READY / MEDIUM NOT PRESENT. */
function requireMedia(c: PacketContext): BlockDevice | undefined {
  const m = c.d.mediaPresent && !c.d.trayOpen ? c.media() : undefined;
  if (!m) check(c.d, SenseKey.NotReady, Asc.MediumNotPresent);
  return m;
}

function testUnitReady(c: PacketContext): OutcomeCode {
  return requireMedia(c) ? Outcome.Good : Outcome.Check;
}

/** REQUEST SENSE (SPC-3 6.27): fixed-format sense data (18 bytes); the sense is then cleared. */
function requestSense(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  const d = c.d;
  const b = d.buffer;
  b.fill(0, 0, 18);
  let key = d.senseKey;
  let asc = d.asc;
  if (d.unitAttention !== 0 && key === SenseKey.NoSense) {
    key = SenseKey.UnitAttention;
    asc = d.unitAttention;
    d.unitAttention = 0;
  }
  b[0] = 0x70; // current error, fixed format
  b[2] = key;
  b[7] = 10; // additional sense length
  b[12] = asc >>> 8;
  b[13] = asc & 0xff;
  d.senseKey = SenseKey.NoSense;
  d.asc = Asc.None;
  return reply(d, 18, cdb[4]!);
}

/** INQUIRY (SPC-3 6.4, SFF-8020i 10.8.3): standard data, 36 bytes; VPD pages are not provided. */
function inquiry(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  if (cdb[1]! & 0x01 || cdb[2]! !== 0) return check(c.d, SenseKey.IllegalRequest, Asc.InvalidFieldInCdb);
  const b = c.d.buffer;
  b.fill(0, 0, 36);
  b[0] = 0x05; // peripheral device type: CD/DVD
  b[1] = 0x80; // removable medium
  b[2] = 0x00; // version: no standard claimed (ATAPI)
  b[3] = 0x21; // ATAPI version 2, response data format 1
  b[4] = 36 - 5; // additional length
  putAscii(b, 8, 8, 'BACKPLNE');
  putAscii(b, 16, 16, c.identity.model);
  putAscii(b, 32, 4, c.identity.firmware);
  return reply(c.d, 36, cdb[4]!);
}

/** START STOP UNIT (SBC/MMC): LoEj with Start = 0 ejects, with Start = 1 loads. */
function startStopUnit(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  const loej = (cdb[4]! & 0x02) !== 0;
  const start = (cdb[4]! & 0x01) !== 0;
  if (!loej) return Outcome.Good; // spin up or down: nothing to model
  if (start) {
    c.load();
    return Outcome.Good;
  }
  if (c.d.locked) return check(c.d, SenseKey.IllegalRequest, Asc.MediumRemovalPrevented);
  c.eject();
  return Outcome.Good;
}

function preventAllowMediumRemoval(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  c.d.locked = (cdb[4]! & 0x01) !== 0;
  return Outcome.Good;
}

/** READ CAPACITY (MMC-2): last logical block address and block length, 8 bytes. */
function readCapacity(c: PacketContext): OutcomeCode {
  const m = requireMedia(c);
  if (!m) return Outcome.Check;
  const b = c.d.buffer;
  putBe32(b, 0, Math.max(0, mediaBlocks(m) - 1));
  putBe32(b, 4, CD_BLOCK);
  return reply(c.d, 8, 8);
}

function readBlocks(c: PacketContext, lba: number, blocks: number): OutcomeCode {
  const m = requireMedia(c);
  if (!m) return Outcome.Check;
  if (lba + blocks > mediaBlocks(m)) return check(c.d, SenseKey.IllegalRequest, Asc.LbaOutOfRange);
  if (blocks === 0) return Outcome.Good;
  setReadOffset(c.d, lba * CD_BLOCK);
  setReadRemaining(c.d, blocks * CD_BLOCK);
  return Outcome.MediaRead;
}

/** READ(10): LBA in bytes 2-5, transfer length in blocks in bytes 7-8. */
function read10(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  return readBlocks(c, be32(cdb, 2), be16(cdb, 7));
}

/** READ(12): LBA in bytes 2-5, transfer length in blocks in bytes 6-9. */
function read12(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  return readBlocks(c, be32(cdb, 2), be32(cdb, 6));
}

/** Address of a block in a TOC: LBA, or MSF (minute, second, frame) of LBA + 150 (the 2 s pregap). */
function putAddress(b: Uint8Array, i: number, lba: number, msf: boolean): void {
  if (!msf) {
    putBe32(b, i, lba);
    return;
  }
  const f = lba + 150;
  b[i] = 0;
  b[i + 1] = Math.floor(f / (75 * 60)) & 0xff;
  b[i + 2] = Math.floor(f / 75) % 60;
  b[i + 3] = f % 75;
}

/**
 * READ TOC/PMA/ATIP (MMC-2 5.22): format 0 (TOC: the one data track and the lead-out) and
 * format 1 (session info), addresses as LBA or MSF. The format is in byte 2 bits 3-0, or in
 * byte 9 bits 7-6 (the older SFF-8020i encoding) when those are zero.
 */
function readToc(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  const m = requireMedia(c);
  if (!m) return Outcome.Check;
  const msf = (cdb[1]! & 0x02) !== 0;
  const format = cdb[2]! & 0x0f || cdb[9]! >>> 6;
  const start = cdb[6]!;
  const allocation = be16(cdb, 7);
  const b = c.d.buffer;
  const leadOut = mediaBlocks(m);
  if (format === 0) {
    if (start > 1 && start !== 0xaa) return check(c.d, SenseKey.IllegalRequest, Asc.InvalidFieldInCdb);
    let n = 4;
    if (start <= 1) {
      b.fill(0, n, n + 8);
      b[n + 1] = 0x14; // ADR 1 (Q sub-channel position), control 4 (data track)
      b[n + 2] = 1;
      putAddress(b, n + 4, 0, msf);
      n += 8;
    }
    b.fill(0, n, n + 8);
    b[n + 1] = 0x14;
    b[n + 2] = 0xaa; // lead-out
    putAddress(b, n + 4, leadOut, msf);
    n += 8;
    putBe16(b, 0, n - 2);
    b[2] = 1; // first track
    b[3] = 1; // last track
    return reply(c.d, n, allocation);
  }
  if (format === 1) {
    b.fill(0, 0, 12);
    putBe16(b, 0, 10);
    b[2] = 1; // first complete session
    b[3] = 1; // last complete session
    b[5] = 0x14;
    b[6] = 1; // first track in the last session
    putAddress(b, 8, 0, msf);
    return reply(c.d, 12, allocation);
  }
  return check(c.d, SenseKey.IllegalRequest, Asc.InvalidFieldInCdb);
}

/**
 * GET EVENT STATUS NOTIFICATION (MMC-2 5.6), polled only: the media class (class 4) with the
 * pending media event, which the report clears.
 */
function getEventStatusNotification(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  if ((cdb[1]! & 0x01) === 0) return check(c.d, SenseKey.IllegalRequest, Asc.InvalidFieldInCdb); // asynchronous mode not supported
  const d = c.d;
  const b = d.buffer;
  const classes = cdb[4]!;
  const allocation = be16(cdb, 7);
  b.fill(0, 0, 8);
  b[3] = 0x10; // supported event classes: media
  if ((classes & 0x10) === 0) {
    putBe16(b, 0, 2);
    b[2] = 0x80; // NEA: no event of a requested class is available
    return reply(d, 4, allocation);
  }
  putBe16(b, 0, 6);
  b[2] = 0x04; // notification class: media
  b[4] = d.mediaEvent;
  b[5] = (d.mediaPresent && !d.trayOpen ? 0x02 : 0) | (d.trayOpen ? 0x01 : 0);
  d.mediaEvent = MediaEvent.NoChange;
  return reply(d, 8, allocation);
}

/** Put one mode page at `b[i]`; returns its length, or 0 for an unknown page. `changeable` gives the mask of changeable bits (none here). */
function modePage(c: PacketContext, page: number, b: Uint8Array, i: number, changeable: boolean): number {
  let length: number;
  switch (page) {
    case ModePage.ReadErrorRecovery:
      length = 8;
      b.fill(0, i, i + length);
      b[i] = page;
      b[i + 1] = 6;
      if (!changeable) b[i + 3] = 5; // read retry count
      return length;
    case ModePage.CdDeviceParameters:
      length = 8;
      b.fill(0, i, i + length);
      b[i] = page;
      b[i + 1] = 6;
      if (!changeable) {
        putBe16(b, i + 4, 60); // S units per M unit
        putBe16(b, i + 6, 75); // F units per S unit
      }
      return length;
    case ModePage.CdAudioControl:
      length = 16;
      b.fill(0, i, i + length);
      b[i] = page;
      b[i + 1] = 14;
      if (!changeable) {
        b[i + 2] = 0x04; // Immed
        b[i + 8] = 1; // port 0: channel 0
        b[i + 9] = 0xff; // port 0 volume
        b[i + 10] = 2; // port 1: channel 1
        b[i + 11] = 0xff;
      }
      return length;
    case ModePage.CapabilitiesMechanicalStatus: {
      length = 20;
      b.fill(0, i, i + length);
      b[i] = page;
      b[i + 1] = 18;
      if (changeable) return length;
      b[i + 2] = 0x00; // reads CD-ROM only (no CD-R/RW, DVD)
      b[i + 4] = 0x71; // audio play, mode 2 form 1 and 2, multi-session
      b[i + 5] = 0x03; // CD-DA commands supported, accurate stream
      // Byte 6: loading mechanism 001b (tray), eject supported, lock supported, lock state.
      b[i + 6] = 0x29 | (c.d.locked ? 0x02 : 0);
      b[i + 7] = 0x03; // separate volume, separate channel mute
      putBe16(b, i + 8, 706); // maximum read speed, kB/s (4x)
      putBe16(b, i + 10, 256); // volume levels
      putBe16(b, i + 12, 512); // buffer size, KiB
      putBe16(b, i + 14, 706); // current read speed
      return length;
    }
    default:
      return 0;
  }
}

const ALL_PAGES = [ModePage.ReadErrorRecovery, ModePage.CdDeviceParameters, ModePage.CdAudioControl, ModePage.CapabilitiesMechanicalStatus];

/**
 * MODE SENSE(10) (SPC-3 6.10, MMC-2 5.x): 8-byte header (no block descriptors) and the
 * requested page, or all pages (3Fh). Page control 00b current, 01b changeable (all zero),
 * 10b default (= current); saved values (11b) are not supported.
 */
function modeSense10(c: PacketContext, cdb: Uint8Array): OutcomeCode {
  const pc = cdb[2]! >>> 6;
  const page = cdb[2]! & 0x3f;
  const allocation = be16(cdb, 7);
  if (pc === 3) return check(c.d, SenseKey.IllegalRequest, Asc.SavingParametersNotSupported);
  const b = c.d.buffer;
  b.fill(0, 0, 8);
  let n = 8;
  if (page === ModePage.All) for (const p of ALL_PAGES) n += modePage(c, p, b, n, pc === 1);
  else {
    const length = modePage(c, page, b, n, pc === 1);
    if (length === 0) return check(c.d, SenseKey.IllegalRequest, Asc.InvalidFieldInCdb);
    n += length;
  }
  putBe16(b, 0, n - 2); // mode data length excludes itself
  // Medium type: 01h 120 mm CD-ROM data only; 70h door closed, no disc; 71h door open.
  b[2] = c.d.trayOpen ? 0x71 : c.d.mediaPresent ? 0x01 : 0x70;
  return reply(c.d, n, allocation);
}

const INVALID: PacketCommand = {
  name: 'invalid',
  reportsUnitAttention: true,
  handler: (c) => check(c.d, SenseKey.IllegalRequest, Asc.InvalidCommandOperationCode),
};

/** The packet command table, indexed by operation code. */
export const PACKET_COMMANDS: readonly PacketCommand[] = (() => {
  const t: PacketCommand[] = new Array<PacketCommand>(256).fill(INVALID);
  const def = (op: number, name: string, handler: Handler, reportsUnitAttention = true): void => {
    t[op] = { name, reportsUnitAttention, handler };
  };
  def(Scsi.TestUnitReady, 'TEST UNIT READY', testUnitReady);
  def(Scsi.RequestSense, 'REQUEST SENSE', requestSense, false);
  def(Scsi.Inquiry, 'INQUIRY', inquiry, false);
  def(Scsi.StartStopUnit, 'START STOP UNIT', startStopUnit);
  def(Scsi.PreventAllowMediumRemoval, 'PREVENT ALLOW MEDIUM REMOVAL', preventAllowMediumRemoval);
  def(Scsi.ReadCapacity, 'READ CAPACITY', readCapacity);
  def(Scsi.Read10, 'READ(10)', read10);
  def(Scsi.ReadToc, 'READ TOC', readToc);
  def(Scsi.GetEventStatusNotification, 'GET EVENT STATUS NOTIFICATION', getEventStatusNotification, false);
  def(Scsi.ModeSense10, 'MODE SENSE(10)', modeSense10);
  def(Scsi.Read12, 'READ(12)', read12);
  return t;
})();

/**
 * Execute the packet in `c.d.packet`. A pending unit attention is reported (once) instead of
 * executing every command but INQUIRY, REQUEST SENSE and GET EVENT STATUS NOTIFICATION.
 */
export function executePacket(c: PacketContext): OutcomeCode {
  const d = c.d;
  const cdb = d.packet;
  const command = PACKET_COMMANDS[cdb[0]!]!;
  if (command.reportsUnitAttention && d.unitAttention !== 0) {
    const asc = d.unitAttention;
    d.unitAttention = 0;
    return check(d, SenseKey.UnitAttention, asc);
  }
  if (command.handler !== requestSense) {
    d.senseKey = SenseKey.NoSense;
    d.asc = Asc.None;
  }
  return command.handler(c, cdb);
}
