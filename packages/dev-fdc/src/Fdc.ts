// Intel 82077AA-compatible floppy disk controller, as a PC-AT uses it (datasheet order 290166).
import { BlockError, type BlockDevice, type FloppyFormat, chsToLba, requireFloppyFormat } from '@backplane/block';
import type { Bus, Device, DmaChannel, DmaClient, IrqLine, PortClaim, Timer } from '@backplane/bus';
import type { Migratable } from '@backplane/vmstate';
import {
  Cmd,
  CmdFlag,
  Config,
  Dir,
  Dor,
  Dsr,
  Hds,
  Msr,
  Reg,
  SECTOR_BYTES,
  SECTOR_SIZE_CODE,
  Sra,
  Srb,
  St0,
  St1,
  St2,
  St3,
  VERSION_82077AA,
} from './registers';
import { COMMAND_BYTES, DRIVE_LAST_TRACK, type DriveState, type FdcState, Op, Phase, Stage, fdcState, initialState, initialTransfer } from './state';
import { nextSectorIndex, nextSectorStart, revolutionNs, sectorNs, stepNs } from './timing';

/** Resources of a floppy controller. PC defaults: iobase 0x3F0, IRQ 6, DMA channel 2, two drives. */
export interface FdcResources {
  /** Base port: the controller answers at base+0..5 and base+7 (base+6 belongs to the hard-disk controller). */
  readonly iobase: number;
  readonly irq: number;
  readonly dma: number;
  /** Drives attached (1-4). */
  readonly drives: number;
}

export const FDC_DEFAULTS: FdcResources = Object.freeze({ iobase: 0x3f0, irq: 6, dma: 2, drives: 2 });

/** RECALIBRATE gives up after this many step pulses without seeing track 0. */
export const RECALIBRATE_STEPS = 79;
/** Revolution time assumed when no medium gives one (300 rpm). */
const IDLE_REVOLUTION = 200_000_000;
/** Shortest time any seek takes (a seek to the present cylinder still ends with an interrupt). */
const MIN_SEEK_NS = 1_000;

/** A medium in a drive (host side). */
export interface FloppyMedia {
  readonly device: BlockDevice;
  readonly format: FloppyFormat;
}

export interface InsertOptions {
  /** Write-protect tab (default: the device's own read-only flag). */
  readonly writeProtected?: boolean;
}

/** Raised for a host-side misuse of the controller API (a drive number that does not exist). */
export class FdcError extends Error {
  override readonly name = 'FdcError';
}

interface CommandEntry {
  readonly name: string;
  /** Bytes including the opcode. */
  readonly length: number;
  readonly run: (fdc: Fdc) => void;
}

/** The invalid-command entry: the result phase is a single ST0 = 0x80. */
const INVALID: CommandEntry = { name: 'INVALID', length: 1, run: (f) => f.invalidCommand() };

/** Commands: code, mask of the bits that select it (the rest are MT, MFM, SK, DIR or LOCK flags), length, handler. */
const COMMANDS: readonly (readonly [code: number, mask: number, entry: CommandEntry])[] = [
  [Cmd.READ_DATA, 0x1f, { name: 'READ DATA', length: 9, run: (f) => f.startTransfer(Op.READ) }],
  [Cmd.READ_DELETED_DATA, 0x1f, { name: 'READ DELETED DATA', length: 9, run: (f) => f.startTransfer(Op.READ_DELETED) }],
  [Cmd.WRITE_DATA, 0x3f, { name: 'WRITE DATA', length: 9, run: (f) => f.startTransfer(Op.WRITE) }],
  [Cmd.WRITE_DELETED_DATA, 0x3f, { name: 'WRITE DELETED DATA', length: 9, run: (f) => f.startTransfer(Op.WRITE_DELETED) }],
  [Cmd.READ_TRACK, 0xbf, { name: 'READ TRACK', length: 9, run: (f) => f.startTransfer(Op.READ_TRACK) }],
  [Cmd.VERIFY, 0x1f, { name: 'VERIFY', length: 9, run: (f) => f.startTransfer(Op.VERIFY) }],
  [Cmd.FORMAT_TRACK, 0xbf, { name: 'FORMAT TRACK', length: 6, run: (f) => f.startFormat() }],
  [Cmd.READ_ID, 0xbf, { name: 'READ ID', length: 2, run: (f) => f.startReadId() }],
  [Cmd.RECALIBRATE, 0xff, { name: 'RECALIBRATE', length: 2, run: (f) => f.recalibrate() }],
  [Cmd.SEEK, 0xff, { name: 'SEEK', length: 3, run: (f) => f.seek() }],
  [Cmd.SEEK | 0x80, 0xbf, { name: 'RELATIVE SEEK', length: 3, run: (f) => f.relativeSeek() }],
  [Cmd.SENSE_INTERRUPT_STATUS, 0xff, { name: 'SENSE INTERRUPT STATUS', length: 1, run: (f) => f.senseInterruptStatus() }],
  [Cmd.SENSE_DRIVE_STATUS, 0xff, { name: 'SENSE DRIVE STATUS', length: 2, run: (f) => f.senseDriveStatus() }],
  [Cmd.SPECIFY, 0xff, { name: 'SPECIFY', length: 3, run: (f) => f.specify() }],
  [Cmd.CONFIGURE, 0xff, { name: 'CONFIGURE', length: 4, run: (f) => f.configure() }],
  [Cmd.VERSION, 0xff, { name: 'VERSION', length: 1, run: (f) => f.version() }],
  [Cmd.DUMPREG, 0xff, { name: 'DUMPREG', length: 1, run: (f) => f.dumpreg() }],
  [Cmd.LOCK, 0x7f, { name: 'LOCK', length: 1, run: (f) => f.lock() }],
  [Cmd.PERPENDICULAR_MODE, 0xff, { name: 'PERPENDICULAR MODE', length: 2, run: (f) => f.perpendicularMode() }],
];

/** The command table, indexed by the first command byte. */
export const COMMAND_TABLE: readonly CommandEntry[] = (() => {
  const table: CommandEntry[] = new Array(256).fill(INVALID);
  for (let b = 0; b < 256; b++) {
    for (const [code, mask, entry] of COMMANDS) {
      if ((b & mask) === code) {
        table[b] = entry;
        break;
      }
    }
  }
  return table;
})();

/**
 * The floppy disk controller. Ports (offsets from iobase): 0 SRA, 1 SRB, 2 DOR, 3 TDR, 4 MSR/DSR,
 * 5 FIFO, 7 DIR/CCR. All guest-visible state is in `state`; media, timers and the DMA channel sit
 * beside it.
 */
export class Fdc implements Device, Migratable<typeof fdcState> {
  readonly descriptor = fdcState;
  state: FdcState = initialState();
  readonly resources: FdcResources;
  private readonly media: (FloppyMedia | undefined)[] = [undefined, undefined, undefined, undefined];
  private bus: Bus | undefined;
  private claims: PortClaim[] = [];
  private line: IrqLine | undefined;
  private timer: Timer | undefined;
  private seekTimers: Timer[] = [];
  private channel: DmaChannel | undefined;
  private readonly fillBuffer = new Uint8Array(SECTOR_BYTES);

  /** The DMA side: the controller serves DREQ from the sector buffer. */
  readonly dmaClient: DmaClient = {
    transfer: (position, length) => this.dmaTransfer(position, length),
    onTerminalCount: () => {
      if (this.state.phase === Phase.EXECUTION) this.state.xfer.tc = true;
    },
  };

  constructor(
    readonly id: string,
    resources: Partial<FdcResources> = {},
  ) {
    this.resources = { ...FDC_DEFAULTS, ...resources };
    const n = this.resources.drives;
    if (!Number.isInteger(n) || n < 1 || n > 4) throw new FdcError(`${id}: a floppy controller has 1 to 4 drives, not ${n}`);
  }

  // ---- wiring ---------------------------------------------------------------------------------

  plug(bus: Bus): void {
    this.bus = bus;
    const { iobase } = this.resources;
    this.claims.push(
      bus.io.claim(this.id, iobase, 6, { read8: (o) => this.readPort(o), write8: (o, v) => this.writePort(o, v) }),
      bus.io.claim(this.id, iobase + Reg.DIR, 1, { read8: () => this.readPort(Reg.DIR), write8: (_o, v) => this.writePort(Reg.CCR, v) }),
    );
    this.line = bus.irq.line(this.resources.irq, this.id);
    this.timer = bus.clock.timer(`${this.id}.event`, () => this.onEvent());
    this.seekTimers = [0, 1, 2, 3].map((d) => bus.clock.timer(`${this.id}.seek${d}`, () => this.onSeekEnd(d)));
    if (bus.hasDma) this.channel = bus.dma.attach(this.resources.dma, this.id, this.dmaClient);
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
    if (this.bus) {
      if (this.timer) this.bus.clock.disposeTimer(this.timer);
      for (const t of this.seekTimers) this.bus.clock.disposeTimer(t);
    }
    this.line?.lower();
    this.channel?.release();
    this.timer = undefined;
    this.seekTimers = [];
  }

  /** Hardware reset (the RESET pin): everything to power-on values; DOR = 0 holds the controller in reset. Drives and media stay. */
  reset(): void {
    const drives = this.state.drives;
    this.cancelAll();
    this.state = initialState();
    for (let d = 0; d < 4; d++) {
      const keep = drives[d]!;
      const fresh = this.state.drives[d]!;
      fresh.track = keep.track;
      fresh.changed = keep.changed;
      fresh.mediaSize = keep.mediaSize;
      fresh.writeProtected = keep.writeProtected;
      fresh.deleted = keep.deleted;
    }
    this.updateIrq();
  }

  // ---- media ----------------------------------------------------------------------------------

  /** Put a medium in `drive`. Its size must be a standard floppy format (`ImageSizeError` otherwise). */
  insert(drive: number, device: BlockDevice, options: InsertOptions = {}): FloppyFormat {
    this.checkDrive(drive);
    const format = requireFloppyFormat(device.size, `floppy image for drive ${drive}`);
    if (this.media[drive]) this.eject(drive);
    this.media[drive] = { device, format };
    const d = this.state.drives[drive]!;
    d.mediaSize = device.size;
    d.writeProtected = options.writeProtected ?? device.readOnly;
    return format;
  }

  /** Take the medium out of `drive`: the disk-change line goes active. Returns the device that was in it. */
  eject(drive: number): BlockDevice | undefined {
    this.checkDrive(drive);
    const m = this.media[drive];
    this.media[drive] = undefined;
    const d = this.state.drives[drive]!;
    d.mediaSize = 0;
    d.writeProtected = false;
    d.changed = true;
    d.deleted = [];
    return m?.device;
  }

  mediaIn(drive: number): FloppyMedia | undefined {
    this.checkDrive(drive);
    return this.media[drive];
  }

  private checkDrive(drive: number): void {
    if (!Number.isInteger(drive) || drive < 0 || drive >= this.resources.drives)
      throw new FdcError(`${this.id} has drives 0-${this.resources.drives - 1}, not ${drive}`);
  }

  // ---- ports ----------------------------------------------------------------------------------

  readPort(offset: number): number {
    const s = this.state;
    switch (offset) {
      case Reg.SRA:
        return this.readSra();
      case Reg.SRB:
        return Srb.ONES | (s.dor & Dor.MOTOR0 ? Srb.MOTOR0 : 0) | (s.dor & (Dor.MOTOR0 << 1) ? Srb.MOTOR1 : 0) | (s.dor & 1 ? Srb.DRIVE_SELECT0 : 0);
      case Reg.DOR:
        return s.dor;
      case Reg.TDR:
        return s.tdr;
      case Reg.MSR:
        return this.readMsr();
      case Reg.FIFO:
        return this.readFifo();
      case Reg.DIR: {
        const d = s.dor & Dor.SELECT;
        return d < this.resources.drives && s.drives[d]!.changed ? Dir.DISK_CHANGE : 0;
      }
      default:
        return 0xff;
    }
  }

  writePort(offset: number, value: number): void {
    value &= 0xff;
    switch (offset) {
      case Reg.DOR:
        this.writeDor(value);
        return;
      case Reg.TDR:
        if (this.inReset()) return;
        this.state.tdr = value & 0x03;
        return;
      case Reg.DSR:
        this.writeDsr(value);
        return;
      case Reg.FIFO:
        this.writeFifo(value);
        return;
      case Reg.CCR:
        if (this.inReset()) return;
        this.state.rate = value & Dsr.RATE;
        return;
      default:
        return; // SRA and SRB are read-only
    }
  }

  private inReset(): boolean {
    return (this.state.dor & Dor.NRESET) === 0;
  }

  private readSra(): number {
    const s = this.state;
    const d = s.dor & Dor.SELECT;
    const drive = s.drives[d]!;
    let v = 0;
    if (s.interrupt) v |= Sra.INT_PENDING;
    if (this.resources.drives < 2) v |= Sra.NOT_DRIVE2;
    if (d >= this.resources.drives || drive.track !== 0) v |= Sra.NOT_TRACK0;
    v |= Sra.NOT_INDEX;
    if (!(drive.mediaSize > 0 && drive.writeProtected)) v |= Sra.NOT_WRITE_PROTECT;
    return v;
  }

  private readMsr(): number {
    const s = this.state;
    if (this.inReset()) return 0;
    let v = 0;
    for (let d = 0; d < 4; d++) if (s.drives[d]!.seekTarget >= 0) v |= 1 << d;
    switch (s.phase) {
      case Phase.COMMAND:
        v |= Msr.RQM;
        if (s.commandPos > 0) v |= Msr.CMD_BUSY;
        break;
      case Phase.RESULT:
        v |= Msr.RQM | Msr.DIO | Msr.CMD_BUSY;
        break;
      default: {
        const x = s.xfer;
        v |= Msr.CMD_BUSY;
        if (!x.dma) {
          v |= Msr.NON_DMA;
          if (x.stage === Stage.TO_HOST) v |= Msr.RQM | Msr.DIO;
          else if (x.stage === Stage.FROM_HOST) v |= Msr.RQM;
        }
      }
    }
    return v;
  }

  private writeDor(value: number): void {
    const s = this.state;
    const old = s.dor;
    s.dor = value;
    if (!(value & Dor.NRESET)) {
      if (old & Dor.NRESET) this.enterReset();
    } else if (!(old & Dor.NRESET)) this.exitReset();
    // The DMA gate also gates DRQ: a transfer waiting for it proceeds once the gate opens.
    if (value & Dor.DMA_GATE && !(old & Dor.DMA_GATE)) this.requestDmaIfWaiting();
    this.updateIrq();
  }

  private writeDsr(value: number): void {
    if (this.inReset()) return;
    const s = this.state;
    s.rate = value & Dsr.RATE;
    s.precomp = (value & Dsr.PRECOMP) >> 2;
    s.powerDown = (value & Dsr.POWER_DOWN) !== 0;
    if (value & Dsr.SW_RESET) {
      // Self-clearing software reset: the same as a pulse on DOR nRESET.
      this.enterReset();
      this.exitReset();
      this.updateIrq();
    }
  }

  // ---- reset ----------------------------------------------------------------------------------

  /** Reset asserted: abort whatever runs, drop INT and DRQ. */
  private enterReset(): void {
    const s = this.state;
    this.cancelAll();
    s.phase = Phase.COMMAND;
    s.commandPos = 0;
    s.commandLength = 0;
    s.resultPos = 0;
    s.resultLength = 0;
    s.interrupt = false;
    s.resetSense = 0;
    s.xfer = initialTransfer();
    for (const d of s.drives) {
      d.pcn = 0;
      d.seekTarget = -1;
      d.seekEnd = -1;
      d.seekStatusPending = false;
    }
  }

  /**
   * Reset released: CONFIGURE's implied seek and polling return to their defaults, its FIFO
   * settings too unless LOCK is set; PERPENDICULAR MODE keeps D3-D0 but clears GAP and WGATE;
   * SPECIFY and the data rate are kept. With polling enabled the controller interrupts and
   * reports "ready changed" for each of the four drives through SENSE INTERRUPT STATUS.
   */
  private exitReset(): void {
    const s = this.state;
    s.impliedSeek = false;
    s.pollDisabled = false;
    if (!s.locked) {
      s.fifoDisabled = true;
      s.fifoThreshold = 0;
      s.pretrk = 0;
    }
    s.perpendicular &= 0x3c;
    s.powerDown = false;
    s.resetSense = 4;
    s.interrupt = true;
  }

  private cancelAll(): void {
    this.timer?.cancel();
    for (const t of this.seekTimers) t.cancel();
    this.channel?.release();
    this.state.xfer.eventAt = -1;
  }

  // ---- FIFO -----------------------------------------------------------------------------------

  private writeFifo(value: number): void {
    if (this.inReset()) return;
    const s = this.state;
    if (s.phase === Phase.COMMAND) {
      if (s.commandPos === 0) {
        const entry = COMMAND_TABLE[value]!;
        s.command[0] = value;
        s.commandLength = entry.length;
        s.commandPos = 1;
      } else if (s.commandPos < s.commandLength && s.commandPos < COMMAND_BYTES) {
        s.command[s.commandPos++] = value;
      }
      if (s.commandPos >= s.commandLength) {
        s.commandPos = 0;
        COMMAND_TABLE[s.command[0]!]!.run(this);
      }
      return;
    }
    if (s.phase === Phase.EXECUTION) {
      const x = s.xfer;
      if (!x.dma && x.stage === Stage.FROM_HOST && x.pos < x.need && x.need <= s.buffer.length) {
        s.buffer[x.pos++] = value;
        this.setInterrupt(false);
        if (x.pos >= x.need) this.dataPhaseDone();
        else this.setInterrupt(true);
      }
    }
    // In the result phase the FIFO takes no bytes (RQM with DIO = 1): the write is ignored.
  }

  private readFifo(): number {
    if (this.inReset()) return 0;
    const s = this.state;
    if (s.phase === Phase.RESULT) {
      if (s.resultPos >= s.resultLength || s.resultLength > s.result.length) {
        this.toCommandPhase();
        return 0;
      }
      const v = s.result[s.resultPos]!;
      if (s.resultPos === 0) this.setInterrupt(false);
      s.resultPos++;
      if (s.resultPos >= s.resultLength) this.toCommandPhase();
      return v;
    }
    if (s.phase === Phase.EXECUTION) {
      const x = s.xfer;
      if (!x.dma && x.stage === Stage.TO_HOST && x.pos < x.need && x.need <= s.buffer.length) {
        const v = s.buffer[x.pos++]!;
        this.setInterrupt(false);
        if (x.pos >= x.need) this.dataPhaseDone();
        else this.setInterrupt(true);
        return v;
      }
    }
    return 0;
  }

  private toCommandPhase(): void {
    const s = this.state;
    s.phase = Phase.COMMAND;
    s.resultPos = 0;
    s.resultLength = 0;
    s.commandPos = 0;
  }

  /** Enter the result phase with `bytes`; commands with an execution phase also interrupt. */
  private presentResult(bytes: readonly number[], interrupt: boolean): void {
    const s = this.state;
    const n = Math.min(bytes.length, s.result.length);
    for (let i = 0; i < n; i++) s.result[i] = bytes[i]! & 0xff;
    s.resultLength = n;
    s.resultPos = 0;
    s.phase = Phase.RESULT;
    if (interrupt) this.setInterrupt(true);
  }

  private setInterrupt(level: boolean): void {
    this.state.interrupt = level;
    this.updateIrq();
  }

  private updateIrq(): void {
    const s = this.state;
    this.line?.set(s.interrupt && (s.dor & (Dor.DMA_GATE | Dor.NRESET)) === (Dor.DMA_GATE | Dor.NRESET));
  }

  // ---- commands without data ------------------------------------------------------------------

  /** @internal command table */
  invalidCommand(): void {
    this.presentResult([St0.IC_INVALID], false);
  }

  /** @internal SPECIFY: SRT | HUT, HLT | ND. No result phase. */
  specify(): void {
    const s = this.state;
    s.srt = s.command[1]! >> 4;
    s.hut = s.command[1]! & 0x0f;
    s.hlt = s.command[2]! >> 1;
    s.nonDma = (s.command[2]! & 1) !== 0;
    this.toCommandPhase();
  }

  /** @internal SENSE DRIVE STATUS: result ST3. */
  senseDriveStatus(): void {
    const s = this.state;
    const ds = s.command[1]! & Hds.DRIVE;
    const hds = (s.command[1]! & Hds.HEAD) >> 2;
    const d = s.drives[ds]!;
    const present = ds < this.resources.drives;
    let st3 = St3.ONES | (hds << 2) | ds;
    if (present && d.track === 0) st3 |= St3.TRACK0;
    if (present && d.mediaSize > 0 && d.writeProtected) st3 |= St3.WRITE_PROTECTED;
    this.presentResult([st3], false);
  }

  /**
   * @internal SENSE INTERRUPT STATUS: after a reset with polling, "ready changed" for drives 0-3
   * in turn; else the status of a drive whose seek or recalibrate ended; else invalid (0x80).
   */
  senseInterruptStatus(): void {
    const s = this.state;
    this.setInterrupt(false);
    if (s.resetSense > 0) {
      const d = 4 - s.resetSense;
      s.resetSense--;
      this.presentResult([St0.IC_READY_CHANGED | d, s.drives[d]!.pcn], false);
      return;
    }
    for (let d = 0; d < 4; d++) {
      const drive = s.drives[d]!;
      if (drive.seekStatusPending) {
        drive.seekStatusPending = false;
        this.presentResult([drive.seekStatus, drive.pcn], false);
        if (s.drives.some((x) => x.seekStatusPending)) this.setInterrupt(true);
        return;
      }
    }
    this.presentResult([St0.IC_INVALID], false);
  }

  /** @internal VERSION: 0x90 identifies an 82077AA. */
  version(): void {
    this.presentResult([VERSION_82077AA], false);
  }

  /** @internal DUMPREG: PCN0-3, SRT|HUT, HLT|ND, SC/EOT, LOCK|D3-D0|GAP|WGATE, EIS|EFIFO|POLL|FIFOTHR, PRETRK. */
  dumpreg(): void {
    const s = this.state;
    this.presentResult(
      [
        s.drives[0]!.pcn,
        s.drives[1]!.pcn,
        s.drives[2]!.pcn,
        s.drives[3]!.pcn,
        (s.srt << 4) | s.hut,
        (s.hlt << 1) | (s.nonDma ? 1 : 0),
        s.lastEot,
        (s.locked ? 0x80 : 0) | s.perpendicular,
        this.configByte(),
        s.pretrk,
      ],
      false,
    );
  }

  private configByte(): number {
    const s = this.state;
    return (s.impliedSeek ? Config.IMPLIED_SEEK : 0) | (s.fifoDisabled ? Config.FIFO_DISABLED : 0) | (s.pollDisabled ? Config.POLL_DISABLED : 0) | s.fifoThreshold;
  }

  /** @internal CONFIGURE: 0, EIS | EFIFO | POLL | FIFOTHR, PRETRK. No result phase. */
  configure(): void {
    const s = this.state;
    const c = s.command[2]!;
    s.impliedSeek = (c & Config.IMPLIED_SEEK) !== 0;
    s.fifoDisabled = (c & Config.FIFO_DISABLED) !== 0;
    s.pollDisabled = (c & Config.POLL_DISABLED) !== 0;
    s.fifoThreshold = c & Config.FIFO_THRESHOLD;
    s.pretrk = s.command[3]!;
    this.toCommandPhase();
  }

  /** @internal LOCK: bit 7 of the opcode is the new LOCK; the result is LOCK in bit 4. */
  lock(): void {
    const s = this.state;
    s.locked = (s.command[0]! & CmdFlag.LOCK) !== 0;
    this.presentResult([s.locked ? 0x10 : 0], false);
  }

  /** @internal PERPENDICULAR MODE: OW | 0 | D3-D0 | GAP | WGATE; D3-D0 change only with OW = 1. */
  perpendicularMode(): void {
    const s = this.state;
    const v = s.command[1]!;
    if (v & 0x80) s.perpendicular = (s.perpendicular & 0x03) | (v & 0x3c);
    s.perpendicular = (s.perpendicular & 0x3c) | (v & 0x03);
    this.toCommandPhase();
  }

  // ---- seeks ----------------------------------------------------------------------------------

  /** @internal RECALIBRATE: step out until track 0, at most 79 steps; then interrupt. */
  recalibrate(): void {
    const s = this.state;
    const ds = s.command[1]! & Hds.DRIVE;
    const d = s.drives[ds]!;
    const present = ds < this.resources.drives;
    const steps = present ? Math.min(d.track, RECALIBRATE_STEPS) : RECALIBRATE_STEPS;
    const reached = present && d.track - steps === 0;
    const st0 = reached ? St0.SEEK_END | ds : St0.IC_ABNORMAL | St0.SEEK_END | St0.EQUIPMENT_CHECK | ds;
    this.startSeek(ds, 0, present ? d.track - steps : d.track, steps, st0);
  }

  /** @internal SEEK: step to cylinder NCN; then interrupt. */
  seek(): void {
    const s = this.state;
    const ds = s.command[1]! & Hds.DRIVE;
    const hds = (s.command[1]! & Hds.HEAD) >> 2;
    this.seekTo(ds, hds, s.command[2]!);
  }

  /** @internal RELATIVE SEEK: step RCN cylinders in (DIR = 1) or out (DIR = 0); then interrupt. */
  relativeSeek(): void {
    const s = this.state;
    const ds = s.command[1]! & Hds.DRIVE;
    const hds = (s.command[1]! & Hds.HEAD) >> 2;
    const d = s.drives[ds]!;
    const rcn = s.command[2]!;
    const target = s.command[0]! & CmdFlag.DIR_IN ? Math.min(255, d.pcn + rcn) : Math.max(0, d.pcn - rcn);
    this.seekTo(ds, hds, target);
  }

  private seekTo(ds: number, hds: number, target: number): void {
    const d = this.state.drives[ds]!;
    const steps = Math.abs(target - d.pcn);
    const track = ds < this.resources.drives ? clamp(d.track + Math.sign(target - d.pcn) * steps, 0, DRIVE_LAST_TRACK) : d.track;
    this.startSeek(ds, target, track, steps, St0.SEEK_END | (hds << 2) | ds);
  }

  /** Seeks run in the background (the command phase is free again at once); the drive's busy bit shows them. */
  private startSeek(ds: number, pcn: number, track: number, steps: number, st0: number): void {
    const s = this.state;
    const d = s.drives[ds]!;
    d.seekTarget = pcn;
    d.seekTrack = track;
    d.seekSteps = steps;
    d.seekStatus = st0;
    d.seekEnd = this.now() + Math.max(MIN_SEEK_NS, steps * stepNs(s.srt, s.rate));
    this.seekTimers[ds]?.armAt(d.seekEnd);
    this.toCommandPhase();
  }

  private onSeekEnd(ds: number): void {
    const d = this.state.drives[ds]!;
    if (d.seekTarget < 0) return;
    this.moveHead(ds, d.seekTarget, d.seekTrack, d.seekSteps);
    d.seekTarget = -1;
    d.seekEnd = -1;
    d.seekStatusPending = true;
    this.setInterrupt(true);
  }

  /** The head arrives: PCN and track update; a step pulse with a medium in clears the disk-change line. */
  private moveHead(ds: number, pcn: number, track: number, steps: number): void {
    const d = this.state.drives[ds]!;
    d.pcn = pcn & 0xff;
    if (ds >= this.resources.drives) return;
    d.track = track;
    if (steps > 0 && d.mediaSize > 0) d.changed = false;
  }

  // ---- data commands --------------------------------------------------------------------------

  /**
   * @internal READ DATA, READ DELETED DATA, WRITE DATA, WRITE DELETED DATA, READ TRACK, VERIFY:
   * opcode, HDS|DS (VERIFY: EC too), C, H, R, N, EOT, GPL, DTL (VERIFY with EC = 1: SC).
   */
  startTransfer(op: number): void {
    const s = this.state;
    const b = s.command;
    const x = (s.xfer = initialTransfer());
    x.op = op;
    x.drive = b[1]! & Hds.DRIVE;
    x.hds = (b[1]! & Hds.HEAD) >> 2;
    x.c = b[2]!;
    x.h = b[3]!;
    x.r = b[4]!;
    x.n = b[5]!;
    x.eot = b[6]!;
    x.multiTrack = op !== Op.READ_TRACK && (b[0]! & CmdFlag.MT) !== 0;
    x.skip = (b[0]! & CmdFlag.SK) !== 0;
    x.dma = !s.nonDma;
    x.ec = op === Op.VERIFY && (b[1]! & Hds.EC) !== 0;
    x.count = x.ec ? b[8]! : 0;
    s.lastEot = x.ec ? b[8]! : x.eot;
    s.phase = Phase.EXECUTION;
    const d = s.drives[x.drive]!;
    if (s.impliedSeek && x.c !== d.pcn) {
      // Implied seek (CONFIGURE EIS): step to C first; ST0 then reports seek end.
      const steps = Math.abs(x.c - d.pcn);
      d.seekTarget = x.c;
      d.seekTrack = x.drive < this.resources.drives ? clamp(d.track + Math.sign(x.c - d.pcn) * steps, 0, DRIVE_LAST_TRACK) : d.track;
      d.seekSteps = steps;
      d.seekEnd = -1;
      x.stage = Stage.SEEKING;
      this.armEvent(this.now() + Math.max(MIN_SEEK_NS, steps * stepNs(s.srt, s.rate)));
      return;
    }
    this.afterSeek();
  }

  private afterSeek(): void {
    const x = this.state.xfer;
    const d = this.state.drives[x.drive]!;
    if ((x.op === Op.WRITE || x.op === Op.WRITE_DELETED) && this.media[x.drive] && d.writeProtected) {
      this.fail(0, St1.NOT_WRITABLE, 0);
      return;
    }
    this.beginSector();
  }

  /** The medium under the command's head, if the controller can read its IDs: drive there, medium in, motor on, matching data rate, formatted track and side. */
  private readable(ds: number, hds: number): FloppyMedia | undefined {
    const s = this.state;
    if (ds >= this.resources.drives || !(s.dor & (Dor.MOTOR0 << ds))) return undefined;
    const m = this.media[ds];
    if (!m) return undefined;
    const f = m.format;
    if (!f.rateCodes.includes(s.rate as 0 | 1 | 2 | 3)) return undefined;
    if (s.drives[ds]!.track >= f.cylinders || hds >= f.heads) return undefined;
    return m;
  }

  private revolution(m: FloppyMedia | undefined): number {
    if (!m) return IDLE_REVOLUTION;
    return revolutionNs(m.format.sectorsPerTrack, this.state.rate, m.format.formFactor);
  }

  /** Look for the sector the transfer needs next. */
  private beginSector(): void {
    const s = this.state;
    const x = s.xfer;
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      // No ID field passes the head: missing address mark after two index pulses.
      this.fail(2 * this.revolution(this.media[x.drive]), St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    const f = m.format;
    const rev = this.revolution(m);
    const st = sectorNs(rev, f.sectorsPerTrack);
    const now = this.now();
    if (x.op === Op.READ_TRACK) {
      // From the index on, whatever the IDs say.
      this.armStage(Stage.SEARCHING, nextSectorStart(now, rev, st, x.index) + st);
      return;
    }
    const track = s.drives[x.drive]!.track;
    const idFits = x.r >= 1 && x.r <= f.sectorsPerTrack && x.n === SECTOR_SIZE_CODE && x.h === x.hds;
    if (!idFits || x.c !== track) {
      // Two revolutions without a matching ID: no data; the cylinder in the IDs tells why.
      const st2 = idFits ? (x.c === 0xff ? St2.BAD_CYLINDER : St2.WRONG_CYLINDER) : 0;
      this.fail(2 * rev, St1.NO_DATA, st2);
      return;
    }
    const start = nextSectorStart(now, rev, st, x.r - 1);
    if (x.op === Op.WRITE || x.op === Op.WRITE_DELETED) {
      // The ID is found; the data must come from the host before the data field passes.
      this.toStage(Stage.FROM_HOST, SECTOR_BYTES);
      return;
    }
    this.armStage(Stage.SEARCHING, start + st);
  }

  private armStage(stage: number, at: number): void {
    this.state.xfer.stage = stage;
    this.armEvent(at);
  }

  private armEvent(at: number): void {
    this.state.xfer.eventAt = at;
    this.timer?.armAt(at);
  }

  private onEvent(): void {
    const s = this.state;
    const x = s.xfer;
    x.eventAt = -1;
    if (s.phase !== Phase.EXECUTION) return;
    switch (x.stage) {
      case Stage.SEEKING: {
        const d = s.drives[x.drive]!;
        this.moveHead(x.drive, d.seekTarget, d.seekTrack, d.seekSteps);
        d.seekTarget = -1;
        x.st0 |= St0.SEEK_END;
        x.stage = Stage.IDLE;
        if (x.op === Op.READ_ID) this.startReadIdSearch();
        else if (x.op === Op.FORMAT) this.beginFormat();
        else this.afterSeek();
        return;
      }
      case Stage.SEARCHING:
        if (x.op === Op.FORMAT) this.toStage(Stage.FROM_HOST, 4);
        else this.sectorArrived();
        return;
      case Stage.COMMITTING:
        this.commitSector();
        return;
      case Stage.ENDING:
        this.presentTransferResult();
        return;
      default:
        return;
    }
  }

  /** The sector's data field has passed the head: its bytes are in the buffer. */
  private sectorArrived(): void {
    const s = this.state;
    const x = s.xfer;
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      this.fail(0, St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    const track = s.drives[x.drive]!.track;
    const physical = x.op === Op.READ_TRACK ? x.index + 1 : x.r;
    if (physical < 1 || physical > m.format.sectorsPerTrack) {
      this.fail(0, St1.NO_DATA, 0); // the search checked R: only a medium swapped mid-command or a loaded state gets here
      return;
    }
    if (x.op === Op.READ_TRACK && (x.c !== track || x.h !== x.hds || x.r !== physical || x.n !== SECTOR_SIZE_CODE)) x.st1 |= St1.NO_DATA;
    const lba = chsToLba(m.format, track, x.hds, physical);
    try {
      m.device.read(lba * SECTOR_BYTES, s.buffer, 0, SECTOR_BYTES);
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      this.fail(0, St1.DATA_ERROR, St2.DATA_ERROR_IN_DATA);
      return;
    }
    if (x.op !== Op.READ_TRACK) {
      const deleted = s.drives[x.drive]!.deleted.includes(lba);
      const wantDeleted = x.op === Op.READ_DELETED;
      if (deleted !== wantDeleted) {
        // A data mark of the other kind: skip the sector with SK = 1, else read it, set CM, stop after it.
        if (x.skip) {
          this.sectorDone(false);
          return;
        }
        x.st2 |= St2.CONTROL_MARK;
        x.stopAfter = true;
      }
    }
    if (x.op === Op.VERIFY) {
      this.sectorDone(true);
      return;
    }
    this.toStage(Stage.TO_HOST, SECTOR_BYTES);
  }

  /** Hand the buffer to the host (or take it from the host): by DMA, or through the FIFO with an interrupt per byte. */
  private toStage(stage: number, need: number): void {
    const x = this.state.xfer;
    x.stage = stage;
    x.pos = 0;
    x.need = need;
    if (x.dma) this.requestDmaIfWaiting();
    else this.setInterrupt(true);
  }

  private requestDmaIfWaiting(): void {
    const s = this.state;
    const x = s.xfer;
    if (s.phase !== Phase.EXECUTION || !x.dma || (x.stage !== Stage.TO_HOST && x.stage !== Stage.FROM_HOST)) return;
    if (!(s.dor & Dor.DMA_GATE)) return; // DRQ is gated off until DOR enables it
    this.channel?.request();
  }

  private dmaTransfer(position: number, length: number): number {
    const s = this.state;
    const x = s.xfer;
    if (s.phase !== Phase.EXECUTION || !x.dma || (x.stage !== Stage.TO_HOST && x.stage !== Stage.FROM_HOST)) return position;
    const channel = this.channel;
    if (!channel) return position;
    const need = Math.min(x.need, s.buffer.length);
    const n = Math.min(need - x.pos, length - position);
    if (n <= 0) return position;
    // The controller strobes the bytes whatever the DMA controller does with them (a verify
    // transfer or a mismatched direction moves nothing in memory), so progress is n bytes.
    if (x.stage === Stage.TO_HOST) channel.writeMemory(s.buffer, x.pos, position, n);
    else channel.readMemory(s.buffer, x.pos, position, n);
    x.pos += n;
    const end = position + n;
    if (end >= length) x.tc = true; // the last byte of the block: the controller sees TC with it
    if (x.pos >= need || x.tc) {
      channel.release();
      if (x.stage === Stage.FROM_HOST && x.pos < need) s.buffer.fill(0, x.pos, need); // TC mid-sector: the rest is zero-filled
      x.pos = need;
      this.dataPhaseDone();
    }
    return end;
  }

  private dataPhaseDone(): void {
    const s = this.state;
    const x = s.xfer;
    if (x.stage === Stage.TO_HOST) {
      this.sectorDone(true);
      return;
    }
    if (x.op === Op.FORMAT) {
      this.formatIdReceived();
      return;
    }
    // Write: the data is in; it reaches the medium when the sector's data field passes.
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      this.fail(0, St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    const rev = this.revolution(m);
    const st = sectorNs(rev, m.format.sectorsPerTrack);
    this.armStage(Stage.COMMITTING, nextSectorStart(this.now(), rev, st, x.r - 1) + st);
  }

  private commitSector(): void {
    const s = this.state;
    const x = s.xfer;
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      this.fail(0, St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    const d = s.drives[x.drive]!;
    if (x.r < 1 || x.r > m.format.sectorsPerTrack) {
      this.fail(0, St1.NO_DATA, 0); // the search checked R: only a medium swapped mid-command or a loaded state gets here
      return;
    }
    const lba = chsToLba(m.format, d.track, x.hds, x.r);
    try {
      m.device.write(lba * SECTOR_BYTES, s.buffer, 0, SECTOR_BYTES);
    } catch (e) {
      if (!(e instanceof BlockError)) throw e;
      // The host could not store the sector: report a drive fault (equipment check).
      x.st0 |= St0.EQUIPMENT_CHECK;
      this.fail(0, 0, 0);
      return;
    }
    setMark(d, lba, x.op === Op.WRITE_DELETED);
    this.sectorDone(true);
  }

  /** A sector is finished (transferred, verified, written, or skipped). Decide what comes next. */
  private sectorDone(transferred: boolean): void {
    const s = this.state;
    const x = s.xfer;
    x.stage = Stage.IDLE;
    if (transferred) {
      x.lastR = x.r;
      x.lastH = x.h;
      x.sectorsDone++;
    }
    if (x.stopAfter || x.tc) {
      this.complete(0);
      return;
    }
    if (x.op === Op.VERIFY && x.ec) {
      x.count = (x.count - 1) & 0xff;
      if (x.count === 0) {
        this.complete(0);
        return;
      }
    }
    if (x.op === Op.READ_TRACK) {
      x.count++;
      x.r = (x.r + 1) & 0xff;
      x.index++;
      const m = this.media[x.drive];
      if (x.count >= x.eot || !m || x.index >= m.format.sectorsPerTrack) {
        this.complete(St1.END_OF_CYLINDER);
        return;
      }
      this.beginSector();
      return;
    }
    if (x.r === x.eot) {
      const m = this.media[x.drive];
      if (x.multiTrack && x.hds === 0 && m && m.format.heads === 2) {
        // Multi-track: continue with sector 1 on side 1 (H's low bit complemented).
        x.hds = 1;
        x.h ^= 1;
        x.r = 1;
        this.beginSector();
        return;
      }
      // VERIFY ends at EOT by design (nothing is transferred, so no TC); the others ran past the cylinder end.
      this.complete(x.op === Op.VERIFY && !x.ec ? 0 : St1.END_OF_CYLINDER);
      return;
    }
    x.r = (x.r + 1) & 0xff;
    this.beginSector();
  }

  /**
   * End the transfer after at least one sector; C H R N are the datasheet's "next sector":
   * R + 1 before EOT; at EOT, sector 1 on the next cylinder (MT = 0 or side 1) or on side 1 (MT = 1, side 0).
   */
  private complete(st1: number): void {
    const x = this.state.xfer;
    if (st1 !== 0) x.st0 |= St0.IC_ABNORMAL;
    x.st1 |= st1;
    if (x.op !== Op.FORMAT && x.sectorsDone > 0) {
      if (x.lastR !== x.eot) {
        x.h = x.lastH;
        x.r = (x.lastR + 1) & 0xff;
      } else if (!x.multiTrack) {
        x.c = (x.c + 1) & 0xff;
        x.h = x.lastH;
        x.r = 1;
      } else if ((x.lastH & 1) === 0) {
        x.h = x.lastH ^ 1;
        x.r = 1;
      } else {
        x.c = (x.c + 1) & 0xff;
        x.h = x.lastH ^ 1;
        x.r = 1;
      }
    }
    this.presentTransferResult();
  }

  /** End abnormally after `delay` ns with the ID being looked for in the result. */
  private fail(delay: number, st1: number, st2: number): void {
    const x = this.state.xfer;
    x.st0 |= St0.IC_ABNORMAL;
    x.st1 |= st1;
    x.st2 |= st2;
    if (delay <= 0) this.presentTransferResult();
    else this.armStage(Stage.ENDING, this.now() + delay);
  }

  private presentTransferResult(): void {
    const s = this.state;
    const x = s.xfer;
    this.channel?.release();
    this.timer?.cancel();
    x.eventAt = -1;
    x.stage = Stage.IDLE;
    const st0 = (x.st0 & ~(St0.HEAD | St0.DRIVE)) | (x.hds << 2) | x.drive;
    const bytes = [st0, x.st1, x.st2, x.c, x.h, x.r, x.n];
    x.op = Op.NONE;
    this.presentResult(bytes, true);
  }

  // ---- READ ID --------------------------------------------------------------------------------

  /** @internal READ ID: opcode, HDS|DS. Result: the first ID field that passes the head. */
  startReadId(): void {
    const s = this.state;
    const x = (s.xfer = initialTransfer());
    x.op = Op.READ_ID;
    x.drive = s.command[1]! & Hds.DRIVE;
    x.hds = (s.command[1]! & Hds.HEAD) >> 2;
    x.dma = !s.nonDma;
    s.phase = Phase.EXECUTION;
    this.startReadIdSearch();
  }

  private startReadIdSearch(): void {
    const s = this.state;
    const x = s.xfer;
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      this.fail(2 * this.revolution(this.media[x.drive]), St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    const f = m.format;
    const rev = this.revolution(m);
    const st = sectorNs(rev, f.sectorsPerTrack);
    const now = this.now();
    const i = nextSectorIndex(now, rev, st, f.sectorsPerTrack);
    x.c = s.drives[x.drive]!.track;
    x.h = x.hds;
    x.r = i + 1;
    x.n = SECTOR_SIZE_CODE;
    // The ID field is at the start of the sector; it has been read a little after.
    this.armStage(Stage.ENDING, nextSectorStart(now, rev, st, i) + Math.floor(st / 8));
  }

  // ---- FORMAT TRACK ---------------------------------------------------------------------------

  /** @internal FORMAT TRACK: opcode, HDS|DS, N, SC, GPL, D; then C, H, R, N from the host for each sector. */
  startFormat(): void {
    const s = this.state;
    const b = s.command;
    const x = (s.xfer = initialTransfer());
    x.op = Op.FORMAT;
    x.drive = b[1]! & Hds.DRIVE;
    x.hds = (b[1]! & Hds.HEAD) >> 2;
    x.n = b[2]!;
    x.count = b[3]!;
    x.eot = b[3]!;
    x.fill = b[5]!;
    x.dma = !s.nonDma;
    s.lastEot = x.eot;
    s.phase = Phase.EXECUTION;
    this.beginFormat();
  }

  private beginFormat(): void {
    const s = this.state;
    const x = s.xfer;
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      this.fail(2 * this.revolution(this.media[x.drive]), St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    if (s.drives[x.drive]!.writeProtected) {
      this.fail(0, St1.NOT_WRITABLE, 0);
      return;
    }
    if (x.count === 0) {
      this.complete(0);
      return;
    }
    // Formatting starts at the index pulse.
    const rev = this.revolution(m);
    this.armStage(Stage.SEARCHING, nextSectorStart(this.now(), rev, rev, 0));
  }

  private formatIdReceived(): void {
    const s = this.state;
    const x = s.xfer;
    const b = s.buffer;
    x.c = b[0]!;
    x.h = b[1]!;
    x.r = b[2]!;
    x.n = b[3]!;
    x.lastR = x.r;
    x.lastH = x.h;
    const m = this.readable(x.drive, x.hds);
    if (!m) {
      this.fail(0, St1.MISSING_ADDRESS_MARK, 0);
      return;
    }
    const f = m.format;
    const d = s.drives[x.drive]!;
    // A raw image holds 512-byte sectors at fixed places: an ID that names one of this track's
    // sectors gets its data field filled; other IDs have no place in the image.
    if (x.n === SECTOR_SIZE_CODE && x.r >= 1 && x.r <= f.sectorsPerTrack) {
      const lba = chsToLba(f, d.track, x.hds, x.r);
      this.fillBuffer.fill(x.fill);
      try {
        m.device.write(lba * SECTOR_BYTES, this.fillBuffer, 0, SECTOR_BYTES);
      } catch (e) {
        if (!(e instanceof BlockError)) throw e;
        x.st0 |= St0.EQUIPMENT_CHECK;
        this.fail(0, 0, 0);
        return;
      }
      setMark(d, lba, false);
    }
    x.sectorsDone++;
    x.count--;
    if (x.count <= 0 || x.tc) {
      this.complete(0);
      return;
    }
    const rev = this.revolution(m);
    this.armStage(Stage.SEARCHING, this.now() + Math.floor(rev / Math.max(1, x.eot)));
  }

  // ---- helpers --------------------------------------------------------------------------------

  private now(): number {
    return this.bus ? this.bus.clock.now : 0;
  }

  /** The guest-visible state, for saving (vmstate validates and encodes it; nothing keeps it). */
  saveState(): FdcState {
    return this.state;
  }

  /**
   * Adopt a loaded (already validated) state: re-arm timers from the saved deadlines, restore the
   * IRQ level and DREQ. A drive whose medium differs from the saved one (another size, or
   * none) sees a media change: its disk-change line goes active, as if swapped while stopped.
   */
  loadState(state: FdcState): void {
    this.cancelAll();
    this.state = state;
    for (let d = 0; d < 4; d++) {
      const drive = state.drives[d]!;
      const m = this.media[d];
      const size = m ? m.device.size : 0;
      if (size !== drive.mediaSize) {
        drive.mediaSize = size;
        drive.writeProtected = m ? m.device.readOnly : false;
        drive.changed = true;
        drive.deleted = [];
      }
    }
    this.resume();
  }

  /** Re-arm timers and DREQ from `state`. */
  private resume(): void {
    const s = this.state;
    this.timer?.cancel();
    for (const t of this.seekTimers) t.cancel();
    if (s.phase === Phase.EXECUTION && s.xfer.eventAt >= 0) this.timer?.armAt(s.xfer.eventAt);
    for (let d = 0; d < 4; d++) {
      const drive = s.drives[d]!;
      if (drive.seekTarget >= 0 && drive.seekEnd >= 0) this.seekTimers[d]?.armAt(drive.seekEnd);
    }
    this.updateIrq();
    this.requestDmaIfWaiting();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function setMark(d: DriveState, lba: number, deleted: boolean): void {
  const i = d.deleted.indexOf(lba);
  if (deleted && i < 0) d.deleted.push(lba);
  else if (!deleted && i >= 0) d.deleted.splice(i, 1);
}
