// One ATA channel (command block + control block, one IRQ) with a master and a slave position,
// each empty, an ATA hard disk, or an ATAPI CD-ROM drive. ATA/ATAPI-6 (T13 1410D) throughout.
import { type BlockDevice, type ChsGeometry, ataDefaultGeometry, hardDiskSectors, lba28Sectors, lba48Sectors } from '@backplane/block';
import type { Bus, Device, IrqLine, PortClaim, Timer } from '@backplane/bus';
import type { Migratable } from '@backplane/vmstate';
import { Outcome, type PacketContext, executePacket } from './atapi';
import { putTaskFileAddress, taskFileAddress, taskFileCount } from './addressing';
import { IdeConfigError, IdeStateError } from './errors';
import { type DriveIdentity, identifyCdrom, identifyDisk } from './identify';
import {
  Asc,
  CD_BLOCK,
  CONTROL_BLOCK_PORTS,
  COMMAND_BLOCK_PORTS,
  Cmd,
  Control,
  DeviceBit,
  Diagnostic,
  ErrorBit,
  Feature,
  InterruptReason,
  MAX_MULTIPLE,
  FLOATING_BUS,
  MediaEvent,
  NO_DEVICE_STATUS,
  PACKET_SIZE,
  PacketFeature,
  PowerModeCode,
  Reg,
  SECTOR,
  SenseKey,
  Signature,
  Status,
} from './registers';
import {
  BUFFER_SIZE,
  BlockEnd,
  type ChannelState,
  channelDescriptor,
  DriveKind,
  type DriveKindCode,
  type DriveState,
  Pending,
  Phase,
  Power,
  initialChannelState,
  adoptDriveState,
  initialDriveState,
  readOffset,
  readRemaining,
  setReadOffset,
  setReadRemaining,
  setTransferLba,
  transferLba,
} from './state';
import { BLOCK_NS, COMMAND_NS, PACKET_NS, RESET_NS, standbyPeriodNs } from './timing';

/** Where a channel sits: command block base, control block port, IRQ wire. */
export interface IdeChannelResources {
  /** Command block base (PC: 0x1F0 primary, 0x170 secondary). */
  readonly iobase: number;
  /** Device Control / Alternate Status port (PC: 0x3F6 primary, 0x376 secondary). */
  readonly ctrlbase: number;
  /** IRQ wire (PC: 14 primary, 15 secondary). */
  readonly irq: number;
}

/** Strings a drive reports in IDENTIFY (defaults derived from the channel id and position). */
export interface IdeIdentityOptions {
  readonly serial?: string;
  readonly model?: string;
  readonly firmware?: string;
}

/** An ATA hard disk on an image (a whole number of 512-byte sectors). */
export interface IdeDiskConfig extends IdeIdentityOptions {
  readonly kind: 'disk';
  readonly image: BlockDevice;
}

/** An ATAPI CD-ROM drive, empty or with a medium (an ISO image of 2048-byte blocks). */
export interface IdeCdromConfig extends IdeIdentityOptions {
  readonly kind: 'cdrom';
  readonly image?: BlockDevice;
}

export type IdeDriveConfig = IdeDiskConfig | IdeCdromConfig;

/** The two positions of a channel. */
export interface IdeChannelDrives {
  readonly master?: IdeDriveConfig;
  readonly slave?: IdeDriveConfig;
}

/** Host side of one drive position: what is attached, never guest-visible state. */
interface HostDrive {
  readonly kind: DriveKindCode;
  image: BlockDevice | undefined;
  readonly identity: DriveIdentity;
  /** Hard disk: sectors, and the default geometry of IDENTIFY words 1, 3, 6. */
  readonly totalSectors: number;
  readonly geometry: ChsGeometry;
  readonly packet: PacketContext | undefined;
}

type CommandHandler = (i: number, d: DriveState, h: HostDrive) => void;

interface AtaCommand {
  readonly name: string;
  /** Which drive kinds accept it (bit per DriveKind). */
  readonly kinds: number;
  readonly handler: CommandHandler;
}

const DISK = 1 << DriveKind.Disk;
const CDROM = 1 << DriveKind.Cdrom;

/**
 * An IDE channel. All guest-visible state is in `state` (plain objects); images, timers, the
 * IRQ line and port claims sit beside it.
 */
export class IdeChannel implements Device, Migratable<typeof channelDescriptor> {
  readonly descriptor = channelDescriptor;
  private s: ChannelState;
  private readonly hosts: [HostDrive, HostDrive];
  private readonly busyTimers: (Timer | undefined)[] = [undefined, undefined];
  private readonly standbyTimers: (Timer | undefined)[] = [undefined, undefined];
  private line: IrqLine | undefined;
  private claims: PortClaim[] = [];
  private bus: Bus | undefined;
  private readonly commands: readonly AtaCommand[];

  constructor(
    readonly id: string,
    readonly resources: IdeChannelResources,
    drives: IdeChannelDrives = {},
  ) {
    this.hosts = [this.host(drives.master, 0), this.host(drives.slave, 1)];
    this.s = initialChannelState(this.hosts[0].kind, this.hosts[1].kind);
    this.commands = this.commandTable();
    this.powerOn();
  }

  /** The channel's guest-visible state. */
  get state(): ChannelState {
    return this.s;
  }

  // ---- host side ---------------------------------------------------------------------------

  private host(config: IdeDriveConfig | undefined, position: number): HostDrive {
    const tag = `${this.id}-${position === 0 ? 'master' : 'slave'}`;
    if (!config) return { kind: DriveKind.None, image: undefined, identity: { serial: '', model: '', firmware: '' }, totalSectors: 0, geometry: { cylinders: 0, heads: 0, sectorsPerTrack: 0 }, packet: undefined };
    const identity: DriveIdentity = {
      serial: config.serial ?? `BP-${tag}`.toUpperCase().slice(0, 20),
      model: config.model ?? (config.kind === 'disk' ? 'Backplane ATA disk' : 'Backplane ATAPI CD-ROM'),
      firmware: config.firmware ?? '1.0',
    };
    if (config.kind === 'disk') {
      let total: number;
      try {
        total = hardDiskSectors(config.image.size, `${tag} disk image`);
      } catch (e) {
        throw new IdeConfigError((e as Error).message, { cause: e });
      }
      return { kind: DriveKind.Disk, image: config.image, identity, totalSectors: total, geometry: ataDefaultGeometry(total), packet: undefined };
    }
    const host: { -readonly [K in keyof HostDrive]: HostDrive[K] } = {
      kind: DriveKind.Cdrom,
      image: config.image,
      identity,
      totalSectors: 0,
      geometry: { cylinders: 0, heads: 0, sectorsPerTrack: 0 },
      packet: undefined,
    };
    const d = (): DriveState => this.state.drives[position];
    host.packet = {
      get d() {
        return d();
      },
      identity,
      media: () => host.image,
      eject: () => this.guestEject(position),
      load: () => this.guestLoad(position),
    };
    return host;
  }

  /** Put a medium in a CD-ROM drive (the tray closes): the guest sees a unit attention and a new-media event. */
  insertMedia(position: 0 | 1, image: BlockDevice): void {
    const h = this.cdrom(position);
    const d = this.state.drives[position];
    h.image = image;
    d.mediaPresent = true;
    d.trayOpen = false;
    d.unitAttention = Asc.MediumMayHaveChanged;
    d.mediaEvent = MediaEvent.NewMedia;
  }

  /** Take the medium out of a CD-ROM drive (the user's eject). */
  ejectMedia(position: 0 | 1): void {
    const h = this.cdrom(position);
    const d = this.state.drives[position];
    h.image = undefined;
    if (d.mediaPresent) d.mediaEvent = MediaEvent.MediaRemoval;
    d.mediaPresent = false;
  }

  /**
   * The user pressed the drive's eject button: a drive whose medium removal is prevented only
   * reports an eject request event (GET EVENT STATUS NOTIFICATION, MMC-2) for the guest to act
   * on; otherwise the tray opens. Returns true when the tray opened.
   */
  requestEject(position: 0 | 1): boolean {
    this.cdrom(position);
    const d = this.s.drives[position]!;
    if (d.locked) {
      d.mediaEvent = MediaEvent.EjectRequest;
      return false;
    }
    this.guestEject(position);
    return true;
  }

  /** The medium in a CD-ROM drive, if any. */
  media(position: 0 | 1): BlockDevice | undefined {
    return this.cdrom(position).image;
  }

  /** True when the guest opened the tray (START STOP UNIT eject). */
  trayOpen(position: 0 | 1): boolean {
    return this.cdrom(position) && this.state.drives[position].trayOpen;
  }

  private cdrom(position: number): HostDrive {
    const h = this.hosts[position];
    if (!h || h.kind !== DriveKind.Cdrom) throw new IdeConfigError(`${this.id}: position ${position} holds no CD-ROM drive`);
    return h;
  }

  private guestEject(i: number): void {
    const d = this.state.drives[i];
    if (!d.trayOpen && d.mediaPresent) d.mediaEvent = MediaEvent.MediaRemoval;
    d.trayOpen = true;
  }

  private guestLoad(i: number): void {
    const d = this.state.drives[i];
    if (!d.trayOpen) return;
    d.trayOpen = false;
    if (d.mediaPresent) {
      d.unitAttention = Asc.MediumMayHaveChanged;
      d.mediaEvent = MediaEvent.NewMedia;
    }
  }

  // ---- Device ------------------------------------------------------------------------------

  plug(bus: Bus): void {
    const r = this.resources;
    this.bus = bus;
    this.line = bus.irq.line(r.irq, this.id);
    for (let i = 0; i < 2; i++) {
      if (this.hosts[i]!.kind === DriveKind.None) continue;
      this.busyTimers[i] = bus.clock.timer(`${this.id}.d${i}.busy`, () => this.busyDone(i));
      this.standbyTimers[i] = bus.clock.timer(`${this.id}.d${i}.standby`, () => this.standbyExpired(i));
    }
    this.claims.push(
      bus.io.claim(this.id, r.iobase, COMMAND_BLOCK_PORTS, {
        read8: (o) => this.read8(o),
        write8: (o, v) => this.write8(o, v),
        read16: (o) => (o === Reg.Data ? this.readData16() : this.read8(o) | (this.read8(o + 1) << 8)),
        write16: (o, v) => {
          if (o === Reg.Data) this.writeData16(v);
          else {
            this.write8(o, v & 0xff);
            this.write8(o + 1, v >>> 8);
          }
        },
        read32: (o) =>
          o === Reg.Data
            ? this.readData32()
            : (this.read8(o) | (this.read8(o + 1) << 8) | (this.read8(o + 2) << 16) | (this.read8(o + 3) << 24)) >>> 0,
        write32: (o, v) => {
          if (o === Reg.Data) {
            this.writeData16(v & 0xffff);
            this.writeData16(v >>> 16);
          } else for (let k = 0; k < 4; k++) this.write8(o + k, (v >>> (8 * k)) & 0xff);
        },
      }),
    );
    this.claims.push(
      bus.io.claim(`${this.id}.control`, r.ctrlbase, CONTROL_BLOCK_PORTS, {
        read8: () => this.alternateStatus(),
        write8: (_o, v) => this.writeControl(v),
      }),
    );
    this.updateIrq();
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
    for (let i = 0; i < 2; i++) {
      const b = this.busyTimers[i];
      const s = this.standbyTimers[i];
      if (b) this.bus?.clock.disposeTimer(b);
      if (s) this.bus?.clock.disposeTimer(s);
      this.busyTimers[i] = undefined;
      this.standbyTimers[i] = undefined;
    }
    this.line?.lower();
    this.bus = undefined;
  }

  /** Hardware reset (RESET-): both drives to their power-on state; media stay in. */
  reset(): void {
    for (let i = 0; i < 2; i++) {
      this.busyTimers[i]?.cancel();
      this.standbyTimers[i]?.cancel();
    }
    this.powerOn();
    this.updateIrq();
  }

  private powerOn(): void {
    const s = this.state;
    s.control = 0;
    s.selected = 0;
    for (let i = 0; i < 2; i++) {
      const h = this.hosts[i]!;
      const fresh = initialDriveState(h.kind);
      const d = s.drives[i]!;
      const buffer = d.buffer;
      const packet = d.packet;
      Object.assign(d, fresh);
      d.buffer = buffer;
      d.packet = packet;
      buffer.fill(0);
      packet.fill(0);
      if (h.kind === DriveKind.None) {
        this.signature(d);
        continue;
      }
      this.restoreDefaults(d, h);
      this.signature(d);
      d.error = Diagnostic.Passed;
      d.status = h.kind === DriveKind.Disk ? Status.DRDY | Status.DSC : 0;
      if (h.kind === DriveKind.Cdrom) {
        d.mediaPresent = h.image !== undefined;
        d.unitAttention = Asc.PowerOnReset;
      }
    }
  }

  /** Power-on defaults of the settings SET FEATURES / SET MULTIPLE / INITIALIZE DEVICE PARAMETERS change. */
  private restoreDefaults(d: DriveState, h: HostDrive): void {
    d.multiple = 0;
    d.cylinders = h.geometry.cylinders;
    d.heads = h.geometry.heads;
    d.sectorsPerTrack = h.geometry.sectorsPerTrack;
    d.writeCache = true;
    d.readLookAhead = true;
    d.transferMode = 0;
  }

  /** Reset signature (ATA-6 9.12): Sector Count 01h, LBA Low 01h, LBA Mid/High 00h/00h (ATA) or 14h/EBh (packet), Device 00h. */
  private signature(d: DriveState): void {
    const packet = d.kind === DriveKind.Cdrom;
    const absent = d.kind === DriveKind.None;
    d.count = d.hobCount = 1;
    d.lbaLow = d.hobLbaLow = 1;
    d.lbaMid = d.hobLbaMid = absent ? Signature.absent : packet ? Signature.packetMid : Signature.ataMid;
    d.lbaHigh = d.hobLbaHigh = absent ? Signature.absent : packet ? Signature.packetHigh : Signature.ataHigh;
    d.device = 0;
  }

  // ---- state ---------------------------------------------------------------------------------

  /** The channel's guest-visible state (what `saveState` hands to vmstate). */
  saveState(): ChannelState {
    return this.s;
  }

  /**
   * Adopt a decoded, validated state: checks that it fits the drives attached here (kind per
   * position, a medium where one was), then re-arms the timers from the saved deadlines and
   * drives the IRQ line. Throws `IdeStateError` before changing anything if it does not fit.
   */
  loadState(state: ChannelState): void {
    for (let i = 0; i < 2; i++) {
      const d = state.drives[i]!;
      const h = this.hosts[i]!;
      if (d.kind !== h.kind) throw new IdeStateError(`${this.id}: the state has a drive of kind ${d.kind} at position ${i}, this channel has kind ${h.kind}`);
      if (d.buffer.length !== BUFFER_SIZE) throw new IdeStateError(`${this.id}: drive ${i} buffer has ${d.buffer.length} bytes, not ${BUFFER_SIZE}`);
      if (h.kind === DriveKind.Disk && transferLba(d) > h.totalSectors)
        throw new IdeStateError(`${this.id}: drive ${i} transfer address ${transferLba(d)} is outside the disk of ${h.totalSectors} sectors`);
      if (h.kind === DriveKind.Cdrom && d.mediaPresent !== (h.image !== undefined))
        throw new IdeStateError(`${this.id}: drive ${i} was saved ${d.mediaPresent ? 'with' : 'without'} a medium, and this drive has ${h.image ? 'one' : 'none'}`);
    }
    this.s = Object.seal({ control: state.control, selected: state.selected, drives: [adoptDriveState(state.drives[0]!), adoptDriveState(state.drives[1]!)] });
    for (let i = 0; i < 2; i++) {
      const d = this.s.drives[i]!;
      const busy = this.busyTimers[i];
      const standby = this.standbyTimers[i];
      if (busy) {
        if (d.busyDeadline >= 0) busy.armAt(d.busyDeadline);
        else busy.cancel();
      }
      if (standby) {
        if (d.standbyDeadline >= 0) standby.armAt(d.standbyDeadline);
        else standby.cancel();
      }
    }
    this.updateIrq();
  }

  // ---- registers ---------------------------------------------------------------------------

  private get noDrives(): boolean {
    return this.hosts[0].kind === DriveKind.None && this.hosts[1].kind === DriveKind.None;
  }

  private read8(offset: number): number {
    const s = this.state;
    if (this.noDrives) return offset === Reg.StatusCommand ? NO_DEVICE_STATUS : FLOATING_BUS;
    const d = s.drives[s.selected]!;
    const hob = (s.control & Control.HOB) !== 0;
    switch (offset) {
      case Reg.Data:
        return this.readDataByte(d);
      case Reg.ErrorFeatures:
        return d.kind === DriveKind.None ? 0 : d.error;
      case Reg.SectorCount:
        return hob ? d.hobCount : d.count;
      case Reg.LbaLow:
        return hob ? d.hobLbaLow : d.lbaLow;
      case Reg.LbaMid:
        return hob ? d.hobLbaMid : d.lbaMid;
      case Reg.LbaHigh:
        return hob ? d.hobLbaHigh : d.lbaHigh;
      case Reg.Device:
        return d.device;
      case Reg.StatusCommand: {
        // Device 0 answers 00h for an absent device 1 (ATA-6 9.16.1).
        if (d.kind === DriveKind.None) return 0;
        if (d.intrq) {
          d.intrq = false;
          this.updateIrq();
        }
        return d.status;
      }
      default:
        return 0xff;
    }
  }

  private alternateStatus(): number {
    if (this.noDrives) return NO_DEVICE_STATUS;
    const d = this.state.drives[this.state.selected]!;
    return d.kind === DriveKind.None ? 0 : d.status;
  }

  private write8(offset: number, value: number): void {
    const s = this.state;
    if (offset === Reg.Data) {
      this.writeDataByte(s.drives[s.selected]!, value);
      return;
    }
    if (offset === Reg.StatusCommand) {
      this.writeCommand(value);
      return;
    }
    // Command block registers are written to both devices; any such write clears HOB.
    s.control &= ~Control.HOB;
    for (let i = 0; i < 2; i++) {
      const d = s.drives[i]!;
      switch (offset) {
        case Reg.ErrorFeatures:
          d.hobFeature = d.feature;
          d.feature = value;
          break;
        case Reg.SectorCount:
          d.hobCount = d.count;
          d.count = value;
          break;
        case Reg.LbaLow:
          d.hobLbaLow = d.lbaLow;
          d.lbaLow = value;
          break;
        case Reg.LbaMid:
          d.hobLbaMid = d.lbaMid;
          d.lbaMid = value;
          break;
        case Reg.LbaHigh:
          d.hobLbaHigh = d.lbaHigh;
          d.lbaHigh = value;
          break;
        case Reg.Device:
          d.device = value;
          break;
      }
    }
    if (offset === Reg.Device) {
      s.selected = value & DeviceBit.DEV ? 1 : 0;
      this.updateIrq();
    }
  }

  private writeControl(value: number): void {
    const s = this.state;
    const before = s.control;
    s.control = value & (Control.HOB | Control.SRST | Control.nIEN);
    const srstBefore = (before & Control.SRST) !== 0;
    const srstNow = (value & Control.SRST) !== 0;
    if (srstNow && !srstBefore) {
      // SRST asserted: both devices abandon what they do and stay busy while it is held.
      for (let i = 0; i < 2; i++) {
        const d = s.drives[i]!;
        if (d.kind === DriveKind.None) continue;
        this.cancelBusy(i);
        d.phase = Phase.Idle;
        d.pos = d.end = 0;
        d.status = Status.BSY;
        d.intrq = false;
      }
    } else if (!srstNow && srstBefore) {
      for (let i = 0; i < 2; i++) {
        const d = s.drives[i]!;
        if (d.kind !== DriveKind.None) this.busyFor(i, Pending.ResetDone, RESET_NS);
        else this.signature(d); // the registers of an absent device read back as no device's
      }
    }
    this.updateIrq();
  }

  /** INTRQ: driven by the selected device while it has an interrupt pending and nIEN is clear. */
  private updateIrq(): void {
    const s = this.state;
    const d = s.drives[s.selected]!;
    this.line?.set(d.intrq && d.kind !== DriveKind.None && (s.control & Control.nIEN) === 0);
  }

  private interrupt(d: DriveState): void {
    d.intrq = true;
    this.updateIrq();
  }

  // ---- data port ---------------------------------------------------------------------------

  /** One 16-bit data-port read: the next word of the DRQ block (FFFFh when no data is pending). */
  private readData16(): number {
    const s = this.state;
    const d = s.drives[s.selected]!;
    if (d.phase !== Phase.DataIn) return 0xffff;
    const p = d.pos;
    const end = d.end;
    const b = d.buffer;
    let v: number;
    if (p + 2 <= end) {
      v = b[p]! | (b[p + 1]! << 8);
      d.pos = p + 2;
    } else {
      v = b[p]! | 0xff00; // odd-length reply: the last word carries one byte
      d.pos = end;
    }
    if (d.pos >= end) this.blockDone(s.selected, d);
    return v;
  }

  /** One 32-bit data-port read: two words of the DRQ block (the controller splits it into two 16-bit cycles). */
  private readData32(): number {
    const s = this.s;
    const d = s.drives[s.selected]!;
    const p = d.pos;
    if (d.phase !== Phase.DataIn || p + 4 > d.end) return (this.readData16() | (this.readData16() << 16)) >>> 0;
    const b = d.buffer;
    d.pos = p + 4;
    if (d.pos >= d.end) this.blockDone(s.selected, d);
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  private writeData16(value: number): void {
    const s = this.state;
    const d = s.drives[s.selected]!;
    if (d.phase !== Phase.DataOut && d.phase !== Phase.Packet) return;
    const p = d.pos;
    const end = d.end;
    const b = d.buffer;
    b[p] = value & 0xff;
    if (p + 1 < end) {
      b[p + 1] = value >>> 8;
      d.pos = p + 2;
    } else d.pos = end;
    if (d.pos >= end) this.blockDone(s.selected, d);
  }

  /** An 8-bit data-port read moves one byte (the 8-bit PIO of SET FEATURES 01h; defined here for any access). */
  private readDataByte(d: DriveState): number {
    if (d.phase !== Phase.DataIn) return 0xff;
    const v = d.buffer[d.pos]!;
    d.pos++;
    if (d.pos >= d.end) this.blockDone(this.state.selected, d);
    return v;
  }

  private writeDataByte(d: DriveState, value: number): void {
    if (d.phase !== Phase.DataOut && d.phase !== Phase.Packet) return;
    d.buffer[d.pos] = value;
    d.pos++;
    if (d.pos >= d.end) this.blockDone(this.state.selected, d);
  }

  /** The host moved the last byte of a DRQ block. */
  private blockDone(i: number, d: DriveState): void {
    d.phase = Phase.Idle;
    switch (d.blockEnd) {
      case BlockEnd.Complete:
        d.status = this.readyStatus(d);
        break;
      case BlockEnd.NextRead:
        this.busyFor(i, Pending.ReadBlock, BLOCK_NS);
        break;
      case BlockEnd.CommitWrite:
        this.busyFor(i, Pending.WriteBlock, BLOCK_NS);
        break;
      case BlockEnd.PacketIn:
        this.busyFor(i, Pending.ExecutePacket, PACKET_NS);
        break;
      case BlockEnd.PacketChunk:
        this.busyFor(i, Pending.PacketNext, BLOCK_NS);
        break;
    }
  }

  // ---- busy periods --------------------------------------------------------------------------

  private busyFor(i: number, what: number, ns: number): void {
    const d = this.state.drives[i]!;
    d.status = Status.BSY;
    d.pending = what;
    const t = this.busyTimers[i];
    const now = this.bus ? this.bus.clock.now : 0;
    d.busyDeadline = now + ns;
    if (t) t.armAt(d.busyDeadline);
  }

  private cancelBusy(i: number): void {
    const d = this.state.drives[i]!;
    d.pending = Pending.None;
    d.busyDeadline = -1;
    this.busyTimers[i]?.cancel();
  }

  private busyDone(i: number): void {
    const d = this.state.drives[i]!;
    const h = this.hosts[i]!;
    const what = d.pending;
    d.pending = Pending.None;
    d.busyDeadline = -1;
    switch (what) {
      case Pending.Execute:
        this.execute(i, d, h);
        break;
      case Pending.ReadBlock:
        this.readBlock(i, d, h);
        break;
      case Pending.WriteBlock:
        this.commitWrite(i, d, h);
        break;
      case Pending.ResetDone:
        this.softResetDone(i, d, h);
        break;
      case Pending.ExecutePacket:
        this.runPacket(i, d, h);
        break;
      case Pending.PacketNext:
        this.packetChunk(i, d, h);
        break;
    }
  }

  private standbyExpired(i: number): void {
    const d = this.state.drives[i]!;
    d.standbyDeadline = -1;
    if (d.power === Power.Active || d.power === Power.Idle) d.power = Power.Standby;
  }

  private restartStandbyTimer(i: number, d: DriveState): void {
    const t = this.standbyTimers[i];
    const period = standbyPeriodNs(d.standbyTimer);
    if (!t || period === 0 || d.power === Power.Standby || d.power === Power.Sleep) {
      d.standbyDeadline = -1;
      t?.cancel();
      return;
    }
    d.standbyDeadline = this.bus!.clock.now + period;
    t.armAt(d.standbyDeadline);
  }

  // ---- commands ----------------------------------------------------------------------------

  private writeCommand(value: number): void {
    const s = this.state;
    let i = s.selected;
    let d = s.drives[i]!;
    if (value === Cmd.ExecuteDeviceDiagnostic && d.kind === DriveKind.None) {
      // Device 0 executes the diagnostic for the channel even with device 1 selected.
      i = 1 - i;
      d = s.drives[i]!;
    }
    if (d.kind === DriveKind.None) return; // commands to an absent device are ignored
    const deviceReset = value === Cmd.DeviceReset && d.kind === DriveKind.Cdrom;
    if (s.control & Control.SRST) return;
    if (d.status & Status.BSY && !deviceReset) return; // the host shall not write the command register while BSY
    if (d.power === Power.Sleep && !deviceReset) return; // only a reset wakes a sleeping device
    this.cancelBusy(i);
    d.phase = Phase.Idle;
    d.pos = d.end = 0;
    d.command = value;
    d.intrq = false;
    this.updateIrq();
    if (value === Cmd.ExecuteDeviceDiagnostic) for (const other of s.drives) if (other.kind !== DriveKind.None) other.status = Status.BSY;
    this.busyFor(i, Pending.Execute, deviceReset ? RESET_NS : COMMAND_NS);
  }

  private execute(i: number, d: DriveState, h: HostDrive): void {
    const c = this.commands[d.command]!;
    this.restartStandbyTimer(i, d);
    if ((c.kinds & (1 << d.kind)) === 0) {
      // A packet device aborts IDENTIFY DEVICE (and the ATA read commands) with its signature in the registers (ATA-6 8.15).
      if (d.kind === DriveKind.Cdrom && (d.command === Cmd.IdentifyDevice || d.command === Cmd.ReadSectors || d.command === Cmd.ReadSectorsNoRetry)) this.signature(d);
      this.abort(d);
      return;
    }
    c.handler(i, d, h);
  }

  private readyStatus(d: DriveState): number {
    return d.kind === DriveKind.Disk ? Status.DRDY | Status.DSC : Status.DRDY;
  }

  /** Command completed without data: ready, interrupt. */
  private complete(d: DriveState): void {
    d.phase = Phase.Idle;
    d.status = this.readyStatus(d);
    d.error = 0;
    this.interrupt(d);
  }

  /** ABRT: command not supported or a parameter invalid. */
  private abort(d: DriveState): void {
    this.fail(d, ErrorBit.ABRT);
  }

  private fail(d: DriveState, error: number): void {
    d.phase = Phase.Idle;
    d.pos = d.end = 0;
    d.status = this.readyStatus(d) | Status.ERR;
    d.error = error;
    this.interrupt(d);
  }

  /** Present `buffer[0, length)` to the host as a data-in DRQ block. */
  private dataIn(d: DriveState, length: number, after: number): void {
    d.phase = Phase.DataIn;
    d.pos = 0;
    d.end = length;
    d.blockEnd = after;
    d.status = this.readyStatus(d) | Status.DRQ;
    d.error = 0;
    this.interrupt(d);
  }

  private commandTable(): AtaCommand[] {
    const invalid: AtaCommand = { name: 'invalid', kinds: 0, handler: () => {} };
    const t: AtaCommand[] = new Array<AtaCommand>(256).fill(invalid);
    const def = (codes: number | readonly number[], name: string, kinds: number, handler: CommandHandler): void => {
      for (const c of typeof codes === 'number' ? [codes] : codes) t[c] = { name, kinds, handler };
    };
    const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
    def(Cmd.DeviceReset, 'DEVICE RESET', CDROM, (i, d, h) => this.deviceReset(i, d, h));
    def(range(0x10, 0x1f), 'RECALIBRATE', DISK, (_i, d) => this.complete(d));
    def([Cmd.ReadSectors, Cmd.ReadSectorsNoRetry], 'READ SECTORS', DISK, (i, d, h) => this.read(i, d, h, false, false));
    def(Cmd.ReadSectorsExt, 'READ SECTORS EXT', DISK, (i, d, h) => this.read(i, d, h, true, false));
    def(Cmd.ReadMultiple, 'READ MULTIPLE', DISK, (i, d, h) => this.read(i, d, h, false, true));
    def(Cmd.ReadMultipleExt, 'READ MULTIPLE EXT', DISK, (i, d, h) => this.read(i, d, h, true, true));
    def([Cmd.WriteSectors, Cmd.WriteSectorsNoRetry], 'WRITE SECTORS', DISK, (i, d, h) => this.write(i, d, h, false, false));
    def(Cmd.WriteSectorsExt, 'WRITE SECTORS EXT', DISK, (i, d, h) => this.write(i, d, h, true, false));
    def(Cmd.WriteMultiple, 'WRITE MULTIPLE', DISK, (i, d, h) => this.write(i, d, h, false, true));
    def(Cmd.WriteMultipleExt, 'WRITE MULTIPLE EXT', DISK, (i, d, h) => this.write(i, d, h, true, true));
    def([Cmd.ReadVerifySectors, Cmd.ReadVerifySectorsNoRetry], 'READ VERIFY SECTORS', DISK, (_i, d, h) => this.verify(d, h, false));
    def(Cmd.ReadVerifySectorsExt, 'READ VERIFY SECTORS EXT', DISK, (_i, d, h) => this.verify(d, h, true));
    def(range(0x70, 0x7f), 'SEEK', DISK, (_i, d, h) => this.seek(d, h));
    def(Cmd.ExecuteDeviceDiagnostic, 'EXECUTE DEVICE DIAGNOSTIC', DISK | CDROM, () => this.diagnostic());
    def(Cmd.InitializeDeviceParameters, 'INITIALIZE DEVICE PARAMETERS', DISK, (_i, d, h) => this.initializeDeviceParameters(d, h));
    def(Cmd.Packet, 'PACKET', CDROM, (_i, d) => this.packetCommand(d));
    def(Cmd.IdentifyPacketDevice, 'IDENTIFY PACKET DEVICE', CDROM, (_i, d, h) => {
      identifyCdrom(d.buffer, h.identity);
      this.dataIn(d, SECTOR, BlockEnd.Complete);
    });
    def(Cmd.IdentifyDevice, 'IDENTIFY DEVICE', DISK, (_i, d, h) => {
      identifyDisk(d.buffer, {
        identity: h.identity,
        totalSectors: h.totalSectors,
        defaultCylinders: h.geometry.cylinders,
        defaultHeads: h.geometry.heads,
        defaultSectorsPerTrack: h.geometry.sectorsPerTrack,
        cylinders: d.cylinders,
        heads: d.heads,
        sectorsPerTrack: d.sectorsPerTrack,
        multiple: d.multiple,
        writeCache: d.writeCache,
        readLookAhead: d.readLookAhead,
        lba28Sectors: lba28Sectors(h.totalSectors),
        lba48Sectors: lba48Sectors(h.totalSectors),
      });
      this.dataIn(d, SECTOR, BlockEnd.Complete);
    });
    def(Cmd.SetMultipleMode, 'SET MULTIPLE MODE', DISK, (_i, d) => {
      const n = d.count;
      if (n > MAX_MULTIPLE || (n & (n - 1)) !== 0) return this.abort(d);
      d.multiple = n;
      this.complete(d);
    });
    def(Cmd.StandbyImmediate, 'STANDBY IMMEDIATE', DISK | CDROM, (i, d) => this.powerCommand(i, d, Power.Standby, false));
    def(Cmd.IdleImmediate, 'IDLE IMMEDIATE', DISK | CDROM, (i, d) => this.powerCommand(i, d, Power.Idle, false));
    def(Cmd.Standby, 'STANDBY', DISK, (i, d) => this.powerCommand(i, d, Power.Standby, true));
    def(Cmd.Idle, 'IDLE', DISK, (i, d) => this.powerCommand(i, d, Power.Idle, true));
    def(Cmd.Sleep, 'SLEEP', DISK | CDROM, (i, d) => this.powerCommand(i, d, Power.Sleep, false));
    def(Cmd.CheckPowerMode, 'CHECK POWER MODE', DISK | CDROM, (_i, d) => {
      d.count = d.power === Power.Standby ? PowerModeCode.Standby : d.power === Power.Idle ? PowerModeCode.Idle : PowerModeCode.ActiveOrIdle;
      this.complete(d);
    });
    def([Cmd.FlushCache, Cmd.FlushCacheExt], 'FLUSH CACHE', DISK, (_i, d, h) => {
      try {
        h.image!.flush();
      } catch {
        return this.abort(d);
      }
      this.complete(d);
    });
    def(Cmd.SetFeatures, 'SET FEATURES', DISK | CDROM, (_i, d) => this.setFeatures(d));
    return t;
  }

  // ---- addressing ----------------------------------------------------------------------------

  /** IDNF at `lba` (the first sector not found goes to the task file). */
  private idnf(d: DriveState, lba: number): void {
    putTaskFileAddress(d, lba);
    this.fail(d, ErrorBit.IDNF);
  }


  /** Set up the transfer of a read/write/verify command; false when it already failed. */
  private setupTransfer(d: DriveState, h: HostDrive, ext: boolean, multiple: boolean): boolean {
    if (multiple && d.multiple === 0) {
      this.abort(d);
      return false;
    }
    d.lba48 = ext;
    d.chs = !ext && (d.device & DeviceBit.LBA) === 0;
    const lba = taskFileAddress(d, ext);
    const count = taskFileCount(d, ext);
    d.power = Power.Active;
    if (lba < 0) {
      this.fail(d, ErrorBit.IDNF); // CHS address outside the current geometry: registers keep it
      return false;
    }
    if (lba >= h.totalSectors) {
      this.idnf(d, lba);
      return false;
    }
    setTransferLba(d, lba);
    d.remaining = count;
    d.blockSectors = multiple ? d.multiple : 1;
    return true;
  }

  // ---- ATA data commands ---------------------------------------------------------------------

  private read(i: number, d: DriveState, h: HostDrive, ext: boolean, multiple: boolean): void {
    if (!this.setupTransfer(d, h, ext, multiple)) return;
    this.readBlock(i, d, h);
  }

  /** Load the next block of a read and raise DRQ with an interrupt (PIO data-in, ATA-6 9.7). */
  private readBlock(_i: number, d: DriveState, h: HostDrive): void {
    let lba = transferLba(d);
    if (lba >= h.totalSectors) return this.idnf(d, lba);
    const n = Math.min(d.blockSectors, d.remaining, h.totalSectors - lba);
    try {
      h.image!.read(lba * SECTOR, d.buffer, 0, n * SECTOR);
    } catch {
      putTaskFileAddress(d, lba);
      return this.fail(d, ErrorBit.UNC);
    }
    lba += n;
    setTransferLba(d, lba);
    d.remaining -= n;
    putTaskFileAddress(d, lba);
    d.count = d.remaining & 0xff;
    this.dataIn(d, n * SECTOR, d.remaining > 0 ? BlockEnd.NextRead : BlockEnd.Complete);
  }

  private write(i: number, d: DriveState, h: HostDrive, ext: boolean, multiple: boolean): void {
    if (h.image!.readOnly) return this.abort(d);
    if (!this.setupTransfer(d, h, ext, multiple)) return;
    this.requestWriteBlock(i, d, h, false);
  }

  /** Raise DRQ for the next block to write (no interrupt before the first block, ATA-6 9.8). */
  private requestWriteBlock(_i: number, d: DriveState, h: HostDrive, interrupt: boolean): void {
    const n = Math.min(d.blockSectors, d.remaining, h.totalSectors - transferLba(d));
    d.phase = Phase.DataOut;
    d.pos = 0;
    d.end = n * SECTOR;
    d.blockEnd = BlockEnd.CommitWrite;
    d.status = this.readyStatus(d) | Status.DRQ;
    if (interrupt) this.interrupt(d);
  }

  /** Write the block the host sent to the image (before reporting anything), then continue or complete. */
  private commitWrite(i: number, d: DriveState, h: HostDrive): void {
    const n = d.end / SECTOR;
    let lba = transferLba(d);
    try {
      h.image!.write(lba * SECTOR, d.buffer, 0, n * SECTOR);
      if (!d.writeCache) h.image!.flush();
    } catch {
      putTaskFileAddress(d, lba);
      return this.abort(d);
    }
    lba += n;
    setTransferLba(d, lba);
    d.remaining -= n;
    putTaskFileAddress(d, lba);
    d.count = d.remaining & 0xff;
    if (d.remaining === 0) return this.complete(d);
    if (lba >= h.totalSectors) return this.idnf(d, lba);
    this.requestWriteBlock(i, d, h, true);
  }

  /** READ VERIFY SECTORS: the sectors must exist; no data moves. */
  private verify(d: DriveState, h: HostDrive, ext: boolean): void {
    if (!this.setupTransfer(d, h, ext, false)) return;
    const last = transferLba(d) + d.remaining;
    if (last > h.totalSectors) return this.idnf(d, h.totalSectors);
    putTaskFileAddress(d, last - 1);
    this.complete(d);
  }

  private seek(d: DriveState, h: HostDrive): void {
    d.lba48 = false;
    d.chs = (d.device & DeviceBit.LBA) === 0;
    const lba = taskFileAddress(d, false);
    d.power = Power.Active;
    if (lba < 0) return this.fail(d, ErrorBit.IDNF);
    if (lba >= h.totalSectors) return this.idnf(d, lba);
    this.complete(d);
  }

  /** INITIALIZE DEVICE PARAMETERS: sectors per track from Sector Count, heads from Device bits 3-0 plus one. */
  private initializeDeviceParameters(d: DriveState, h: HostDrive): void {
    const spt = d.count;
    const heads = (d.device & DeviceBit.HeadMask) + 1;
    if (spt === 0) return this.abort(d);
    const cylinders = Math.min(65535, Math.floor(h.totalSectors / (heads * spt)));
    if (cylinders === 0) return this.abort(d);
    d.sectorsPerTrack = spt;
    d.heads = heads;
    d.cylinders = cylinders;
    this.complete(d);
  }

  private setFeatures(d: DriveState): void {
    const disk = d.kind === DriveKind.Disk;
    switch (d.feature) {
      case Feature.EnableWriteCache:
      case Feature.DisableWriteCache:
        if (!disk) return this.abort(d);
        d.writeCache = d.feature === Feature.EnableWriteCache;
        break;
      case Feature.EnableReadLookAhead:
      case Feature.DisableReadLookAhead:
        if (!disk) return this.abort(d);
        d.readLookAhead = d.feature === Feature.EnableReadLookAhead;
        break;
      case Feature.EnableRevertToDefaults:
      case Feature.DisableRevertToDefaults:
        d.revertToDefaults = d.feature === Feature.EnableRevertToDefaults;
        break;
      case Feature.SetTransferMode: {
        // Sector Count: 00h PIO default, 01h PIO default with IORDY disabled, 08h-0Ch PIO flow-control modes 0-4. No DMA modes here.
        const mode = d.count;
        if (mode > 0x01 && (mode < 0x08 || mode > 0x0c)) return this.abort(d);
        d.transferMode = mode;
        break;
      }
      default:
        return this.abort(d);
    }
    this.complete(d);
  }

  private powerCommand(i: number, d: DriveState, mode: number, timer: boolean): void {
    d.power = mode;
    if (timer) d.standbyTimer = d.count;
    this.restartStandbyTimer(i, d);
    this.complete(d);
  }

  // ---- resets and diagnostics ----------------------------------------------------------------

  /** After SRST is released: signature, diagnostic code, ready (ATA) or zero (packet) status; no interrupt. */
  private softResetDone(i: number, d: DriveState, h: HostDrive): void {
    if (d.revertToDefaults) this.restoreDefaults(d, h);
    this.signature(d);
    d.error = Diagnostic.Passed;
    d.status = h.kind === DriveKind.Disk ? Status.DRDY | Status.DSC : 0;
    d.phase = Phase.Idle;
    if (d.power === Power.Sleep) d.power = Power.Standby;
    if (i === 0 || this.state.drives[0]!.kind === DriveKind.None) this.state.selected = 0;
    this.updateIrq();
  }

  /** DEVICE RESET (packet devices): the device's own reset, signature, no interrupt. */
  private deviceReset(i: number, d: DriveState, h: HostDrive): void {
    this.signature(d);
    d.error = Diagnostic.Passed;
    d.status = 0;
    d.phase = Phase.Idle;
    if (d.power === Power.Sleep) d.power = Power.Standby;
    void i;
    void h;
  }

  /** EXECUTE DEVICE DIAGNOSTIC: both devices post signature and code; device 0 interrupts (ATA-6 8.11). */
  private diagnostic(): void {
    const s = this.state;
    for (let k = 0; k < 2; k++) {
      const d = s.drives[k]!;
      if (d.kind === DriveKind.None) {
        this.signature(d);
        continue;
      }
      this.cancelBusy(k);
      this.signature(d);
      d.error = Diagnostic.Passed;
      d.phase = Phase.Idle;
      d.status = d.kind === DriveKind.Disk ? Status.DRDY | Status.DSC : 0;
    }
    s.selected = 0;
    const first = s.drives[0]!.kind !== DriveKind.None ? s.drives[0]! : s.drives[1]!;
    this.interrupt(first);
  }

  // ---- ATAPI ---------------------------------------------------------------------------------

  /** PACKET: Features bit 0 (DMA) and bit 1 (overlap) are not supported; otherwise DRQ for the 12-byte packet, Interrupt Reason CoD. */
  private packetCommand(d: DriveState): void {
    if (d.feature & (PacketFeature.DMA | PacketFeature.OVL)) return this.abort(d);
    const limit = ((d.lbaHigh << 8) | d.lbaMid) & ~1;
    d.byteLimit = limit === 0 ? 0xfffe : limit;
    d.phase = Phase.Packet;
    d.pos = 0;
    d.end = PACKET_SIZE;
    d.blockEnd = BlockEnd.PacketIn;
    d.count = InterruptReason.CoD;
    d.status = Status.DRDY | Status.DRQ;
    d.error = 0;
  }

  private runPacket(i: number, d: DriveState, h: HostDrive): void {
    d.packet.set(d.buffer.subarray(0, PACKET_SIZE));
    d.replyPos = d.replyEnd = 0;
    setReadOffset(d, 0);
    setReadRemaining(d, 0);
    const outcome = executePacket(h.packet!);
    if (outcome === Outcome.Check) return this.packetCheck(d);
    if (outcome === Outcome.Good) return this.packetGood(d);
    this.packetChunk(i, d, h);
  }

  /** Present the next data chunk (at most the byte count limit; whole blocks when the limit allows), or complete. */
  private packetChunk(_i: number, d: DriveState, h: HostDrive): void {
    let n: number;
    const left = readRemaining(d);
    if (left > 0) {
      const media = d.mediaPresent && !d.trayOpen ? h.image : undefined;
      if (!media) {
        setReadRemaining(d, 0);
        d.senseKey = SenseKey.NotReady;
        d.asc = Asc.MediumNotPresent;
        return this.packetCheck(d);
      }
      n = d.byteLimit >= CD_BLOCK ? Math.min(left, d.byteLimit - (d.byteLimit % CD_BLOCK)) : Math.min(left, d.byteLimit);
      const offset = readOffset(d);
      try {
        media.read(offset, d.buffer, 0, n);
      } catch {
        setReadRemaining(d, 0);
        d.senseKey = SenseKey.MediumError;
        d.asc = Asc.UnrecoveredReadError;
        return this.packetCheck(d);
      }
      setReadOffset(d, offset + n);
      setReadRemaining(d, left - n);
      d.pos = 0;
      d.end = n;
    } else if (d.replyPos < d.replyEnd) {
      n = Math.min(d.byteLimit, d.replyEnd - d.replyPos);
      d.pos = d.replyPos;
      d.end = d.replyPos + n;
      d.replyPos += n;
    } else return this.packetGood(d);
    d.lbaMid = n & 0xff;
    d.lbaHigh = n >>> 8;
    d.count = InterruptReason.IO;
    d.phase = Phase.DataIn;
    d.blockEnd = BlockEnd.PacketChunk;
    d.status = Status.DRDY | Status.DRQ;
    this.interrupt(d);
  }

  private packetGood(d: DriveState): void {
    d.phase = Phase.Idle;
    d.count = InterruptReason.IO | InterruptReason.CoD;
    d.status = Status.DRDY;
    d.error = 0;
    this.interrupt(d);
  }

  /** CHECK CONDITION: ERR (CHK) set, sense key in Error bits 7-4 (ATA-6 7.10 for packet devices). */
  private packetCheck(d: DriveState): void {
    d.phase = Phase.Idle;
    d.pos = d.end = 0;
    d.count = InterruptReason.IO | InterruptReason.CoD;
    d.status = Status.DRDY | Status.ERR;
    d.error = (d.senseKey << 4) | (d.senseKey === SenseKey.IllegalRequest ? ErrorBit.ABRT : 0);
    this.interrupt(d);
  }
}
