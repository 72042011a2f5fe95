import 'reflect-metadata';
import { MemoryImage, type BlockDevice } from '@backplane/block';
import { busModule, plugDevices, type Bus, type Device } from '@backplane/bus';
import { IF, X86Cpu, type StopReason } from '@backplane/cpu-x86';
import type { DebugConsole } from '@backplane/dev-debugcon';
import type { Fdc } from '@backplane/dev-fdc';
import type { IdeChannelDrives } from '@backplane/dev-ide';
import type { Kbc } from '@backplane/dev-kbc';
import type { Pic } from '@backplane/dev-pic';
import type { Pit } from '@backplane/dev-pit';
import type { Rtc } from '@backplane/dev-rtc';
import type { SystemControl } from '@backplane/dev-sysctl';
import type { Uart } from '@backplane/dev-uart';
import type { TextScreen, Vga } from '@backplane/dev-vga';
import { Container } from 'inversify';
import { Observable, Subject } from 'rxjs';
import { allocateRam, loadMachine, saveMachine, type DeviceEntry, type LoadResult, type StreamSource } from '@backplane/vmstate';
import { buildDeviceModules, cmosFloppyType, type BuiltDevice } from './devices';
import { MachineConfigError, MachineStateError, UnknownMachineTypeError } from './errors';
import { builtInBios } from './firmware';
import { cpuSection, deviceEntry, machineSection } from './snapshot';
import { dirtyOverlayClusters, disksSection, type DiskSlot } from './disks';
import { DEFAULT_MACHINE_TYPE, MACHINE_TYPES, type CpuModelName, type DeviceKind, type MachineType } from './machine-types';

export interface MachineOptions {
  /** A machine type, or the name of one of ours (default: the newest, "pc-1.1"). */
  readonly type?: MachineType | string;
  /** Processor (default: the machine type's). */
  readonly cpu?: CpuModelName;
  /** RAM in KiB: up to 640 is conventional memory; above 1024, the rest is extended memory (80286). */
  readonly memoryKiB?: number;
  /** A BIOS image (64 or 128 KiB, mapped below 1 MiB and at the top of the address space); default: the built-in one. */
  readonly bios?: Uint8Array;
  readonly fda?: BlockDevice;
  readonly fdb?: BlockDevice;
  readonly hda?: BlockDevice;
  readonly hdb?: BlockDevice;
  readonly cdrom?: BlockDevice;
  /** Boot order: letters a (floppy), c (hard disk), d (CD-ROM); default "ac". */
  readonly boot?: string;
  /** Ask the BIOS to mirror its teletype output to COM1 (CMOS 5Fh bit 0). */
  readonly serialMirror?: boolean;
  /** RTC start time, ms since the epoch (UTC fields); default: the host's time, read once. */
  readonly startTime?: number;
  /** Instructions per microsecond of virtual time (default 10). */
  readonly instructionsPerMicrosecond?: number;
  /** Pace the UARTs at their baud rate in virtual time (default true). */
  readonly pacedSerial?: boolean;
}

/** Why `run` returned. */
export type MachineStopReason =
  /** The instruction budget is spent. */
  | 'budget'
  /** The `until` condition became true. */
  | 'until'
  /** The CPU halted with interrupts disabled: nothing can wake it. */
  | 'halted'
  /** A breakpoint was reached. */
  | 'breakpoint'
  /** The guest used something this emulation does not provide. */
  | 'unsupported';

export interface RunOptions {
  /** Stop after this many instructions (retired or idle) from now. */
  readonly maxInstructions?: number;
  /** Checked between slices: stop when it returns true. */
  readonly until?: () => boolean;
  /** Instructions per slice between checks (default 100,000). */
  readonly sliceInstructions?: number;
}

export interface RunResult {
  readonly reason: MachineStopReason;
  /** Instructions (retired or idle) in this run. */
  readonly instructions: number;
  /** Virtual time at the end, in ns. */
  readonly virtualTimeNs: number;
  /** What the guest asked for that is not provided (for 'unsupported'). */
  readonly detail?: string;
}

const KiB = 1024;
const MiB = 1024 * 1024;

function resolveType(type: MachineType | string | undefined): MachineType {
  if (type === undefined) return MACHINE_TYPES.get(DEFAULT_MACHINE_TYPE)!;
  if (typeof type !== 'string') return type;
  const t = MACHINE_TYPES.get(type);
  if (!t) throw new UnknownMachineTypeError(type, [...MACHINE_TYPES.keys()]);
  return t;
}

/**
 * A PC assembled from the device packages: an inversify container with the bus and one module
 * per device of the machine type, the CPU, RAM, the BIOS ROM, and the wiring only the machine
 * may know (interrupt controller to CPU, A20 and reset lines, PIT counter 2 and port 61h, CMOS
 * configuration, disks).
 */
export class PcMachine {
  readonly type: MachineType;
  readonly cpuModel: CpuModelName;
  readonly memoryKiB: number;
  readonly container: Container;
  readonly bus: Bus;
  readonly cpu: X86Cpu;
  /** Devices by id, in plug order. */
  readonly devices: ReadonlyMap<string, Device>;
  private readonly serialSubject = new Subject<number>();
  private readonly debugSubject = new Subject<number>();
  private serialText = '';
  private debugText = '';
  private resetPending = false;
  private readonly bios: Uint8Array;
  /** The images attached at power-on, by drive slot (their overlays travel in the stream). */
  private readonly drives: ReadonlyMap<DiskSlot, BlockDevice>;

  /** Bytes COM1 transmits (paced in virtual time). */
  readonly serial$: Observable<number> = this.serialSubject.asObservable();
  /** Bytes written to the debug ports (E9h, 402h). */
  readonly debug$: Observable<number> = this.debugSubject.asObservable();

  constructor(readonly options: MachineOptions = {}) {
    this.type = resolveType(options.type);
    this.cpuModel = options.cpu ?? this.type.cpu;
    if (!['8086', '80186', '80286'].includes(this.cpuModel)) throw new MachineConfigError(`unknown CPU "${String(this.cpuModel)}" (8086, 80186, 80286)`);
    const addressBits = this.cpuModel === '80286' ? 24 : 20;
    this.bios = options.bios ?? builtInBios();
    if (this.bios.length !== 64 * KiB && this.bios.length !== 128 * KiB)
      throw new MachineConfigError(`a BIOS image is 64 or 128 KiB, got ${this.bios.length} bytes`);
    const memoryKiB = options.memoryKiB ?? this.type.memoryKiB;
    // 24 address lines: extended memory ends where the BIOS's alias at the top of 16 MiB begins.
    const maxKiB = addressBits === 24 ? 16 * KiB - this.bios.length / KiB : 640;
    if (!Number.isInteger(memoryKiB) || memoryKiB < 64 || memoryKiB > maxKiB)
      throw new MachineConfigError(`memory must be 64..${maxKiB} KiB for an ${this.cpuModel}, got ${memoryKiB}`);
    this.memoryKiB = memoryKiB;

    const drives = new Map<DiskSlot, BlockDevice>();
    for (const slot of ['fda', 'fdb', 'hda', 'hdb', 'cdrom'] as const) {
      const image = options[slot];
      if (image) drives.set(slot, image);
    }
    this.drives = drives;

    const extendedKiB = memoryKiB > KiB ? memoryKiB - KiB : 0;
    const backing = Math.max(MiB, MiB + extendedKiB * KiB);
    const ideDrives = new Map<string, IdeChannelDrives>();
    const hd = (image: BlockDevice | undefined) => (image ? { kind: 'disk' as const, image } : undefined);
    ideDrives.set('ide0', { ...(options.hda ? { master: hd(options.hda)! } : {}), ...(options.hdb ? { slave: hd(options.hdb)! } : {}) });
    ideDrives.set('ide1', { master: { kind: 'cdrom', ...(options.cdrom ? { image: options.cdrom } : {}) } });
    const built = buildDeviceModules(this.type.devices, {
      startTime: options.startTime,
      ideDrives,
      pacedSerial: options.pacedSerial ?? true,
    });

    this.container = new Container({ defaultScope: 'Singleton' });
    this.container.load(
      // RAM lives in WebAssembly memory from vmstate (a plain array where WebAssembly SIMD is
      // missing): `save` and `load` hand this very array to vmstate, which digests and
      // zero-tests it in place and, loading into zero RAM, writes each page once. Committed at
      // allocation: a load into a machine just built then takes no first-touch faults (16 MiB:
      // load 4 to 6 ms after 6 ms more building, against 21 ms uncommitted; docs/benchmarks.md).
      busModule({ backingSize: backing, addressBits, allocate: (n: number) => allocateRam(n, { commit: true }), instructionsPerMicrosecond: options.instructionsPerMicrosecond ?? 10 }),
      ...built.map((b) => b.module),
    );
    const bus = plugDevices(this.container);
    this.bus = bus;
    this.devices = new Map(built.map((b: BuiltDevice) => [b.spec.id, this.container.get(b.token)]));

    // Memory map: conventional RAM, extended RAM, the BIOS below 1 MiB and at the top.
    bus.memory.mapRam('ram', 0, Math.min(memoryKiB, 640) * KiB);
    if (extendedKiB > 0) bus.memory.mapRam('ram-extended', MiB, extendedKiB * KiB);
    bus.memory.mapRom('bios', MiB - this.bios.length, this.bios);
    if (addressBits === 24) {
      // The top of 16 MiB, where an 80286 starts after reset, shows the same ROM bytes as
      // F0000h, read from the machine's memory: the BIOS in a loaded stream is the one that runs
      // at both addresses (firmware travels with the machine, as QEMU migrates its ROMs).
      const ram = bus.memory.ram;
      const low = MiB - this.bios.length;
      bus.memory.mapMmio('bios-high', (1 << 24) - this.bios.length, this.bios.length, {
        read8: (o) => ram[low + o]!,
        write8: () => {},
        read16: (o) => ram[low + o]! | (ram[low + o + 1]! << 8),
        write16: () => {},
      });
    }

    this.cpu = new X86Cpu(bus, { model: this.cpuModel });
    this.wire();
    this.configureCmos(extendedKiB);
    if (options.fda) this.first<Fdc>('fdc')?.insert(0, options.fda);
    if (options.fdb) this.first<Fdc>('fdc')?.insert(1, options.fdb);
    this.cpu.reset();
  }

  /** The first device of a kind. */
  first<T extends Device>(kind: DeviceKind): T | undefined {
    const spec = this.type.devices.find((d) => d.kind === kind);
    return spec ? (this.devices.get(spec.id) as T | undefined) : undefined;
  }

  private wire(): void {
    const pic = this.first<Pic>('pic');
    if (pic) this.cpu.connectInterrupts(pic);
    const pit = this.first<Pit>('pit');
    const sysctl = this.first<SystemControl>('sysctl');
    const kbc = this.first<Kbc>('kbc');
    if (pit && sysctl) {
      pit.out2.connect((level) => sysctl.setTimer2Out(level));
      sysctl.timer2Gate.connect((level) => pit.setGate(2, level));
    }
    // A20: the keyboard controller's output port bit 1 OR port 92h bit 1, as the chipset does.
    const a20 = () => this.bus.memory.setA20((kbc?.a20.level ?? false) || (sysctl?.a20.level ?? false));
    kbc?.a20.connect(a20);
    sysctl?.a20.connect(a20);
    a20();
    const requestReset = (level: boolean) => {
      if (!level) return;
      this.resetPending = true;
      this.cpu.stop();
    };
    kbc?.resetRequest.connect(requestReset);
    sysctl?.resetRequest.connect(requestReset);
    // The first UART is COM1: its output is the machine's serial output.
    this.first<Uart>('uart')?.transmit$.subscribe((b) => {
      if (this.serialText.length < 1 << 20) this.serialText += String.fromCharCode(b);
      this.serialSubject.next(b);
    });
    for (const spec of this.type.devices) {
      if (spec.kind !== 'debugcon') continue;
      (this.devices.get(spec.id) as DebugConsole).output$.subscribe((b) => {
        if (this.debugText.length < 1 << 20) this.debugText += String.fromCharCode(b);
        this.debugSubject.next(b);
      });
    }
  }

  /** What the BIOS reads from CMOS: memory sizes, drives, equipment, boot order, options. */
  private configureCmos(extendedKiB: number): void {
    const rtc = this.first<Rtc>('rtc');
    if (!rtc) return;
    const o = this.options;
    const c = rtc.cmosImage();
    c[0x10] = (cmosFloppyType(o.fda) << 4) | cmosFloppyType(o.fdb);
    c[0x12] = (o.hda ? 0xf0 : 0) | (o.hdb ? 0x0f : 0); // type 15: see 19h/1Ah
    c[0x19] = o.hda ? 47 : 0;
    c[0x1a] = o.hdb ? 47 : 0;
    const floppies = (o.fda ? 1 : 0) + (o.fdb ? 1 : 0);
    c[0x14] = (floppies > 0 ? 0x01 : 0) | (floppies > 1 ? 0x40 : 0); // VGA: display bits 00
    const base = Math.min(this.memoryKiB, 640);
    c[0x15] = base & 0xff;
    c[0x16] = base >> 8;
    const ext = Math.min(extendedKiB, 0xffff);
    c[0x17] = c[0x30] = ext & 0xff;
    c[0x18] = c[0x31] = ext >> 8;
    const order = [...(o.boot ?? 'ac')].map((ch) => ({ a: 1, c: 2, d: 3 })[ch as 'a' | 'c' | 'd'] ?? -1);
    if (order.some((n) => n < 0) || order.length === 0 || order.length > 3)
      throw new MachineConfigError(`boot order "${o.boot}" must be one to three of the letters a, c, d`);
    c[0x3d] = ((order[1] ?? 0) << 4) | order[0]!;
    c[0x38] = (order[2] ?? 0) << 4;
    c[0x5f] = o.serialMirror ? 1 : 0;
    let sum = 0;
    for (let i = 0x10; i <= 0x2d; i++) sum += c[i]!;
    c[0x2e] = (sum >> 8) & 0xff;
    c[0x2f] = sum & 0xff;
    rtc.loadCmosImage(c);
  }

  /** Everything COM1 has sent (up to 1 MiB). */
  get serialOutput(): string {
    return this.serialText;
  }

  /** Everything written to the debug ports (up to 1 MiB). */
  get debugOutput(): string {
    return this.debugText;
  }

  /** The text screen. */
  screen(): TextScreen | undefined {
    return this.first<Vga>('vga')?.screen();
  }

  /** The text screen as plain text (trailing blanks trimmed). */
  screenText(): string {
    return this.first<Vga>('vga')?.text() ?? '';
  }

  /** Bytes typed into COM1 (to the guest), one per character time so none overruns the FIFO. */
  sendSerial(bytes: Iterable<number>): void {
    this.first<Uart>('uart')?.feed([...bytes]);
  }

  /** Hardware reset: every device and the CPU; memory keeps its contents. */
  reset(): void {
    this.resetPending = false;
    this.bus.reset();
    this.configureCmos(this.memoryKiB > KiB ? this.memoryKiB - KiB : 0);
    this.cpu.reset();
  }

  /**
   * Every section of the machine, in stream order: the machine's clock first (so devices adopt
   * their state at the saved time), the CPU, then each device with state, in plug order.
   */
  private sections(): DeviceEntry[] {
    const entries: DeviceEntry[] = [
      {
        device: 'machine',
        target: machineSection(this.bus.clock, {
          get: () => this.resetPending,
          set: (v) => {
            this.resetPending = v;
          },
        }),
      },
      { device: 'cpu', target: cpuSection(this.cpu) },
    ];
    for (const spec of this.type.devices) {
      const e = deviceEntry(this.devices.get(spec.id) as never, spec.kind);
      if (e) entries.push(e);
    }
    if (this.carriesDisks) entries.push({ device: 'disks', target: disksSection(this.drives) });
    return entries;
  }

  /** Whether this machine type's streams carry the disks (pc-1.0's, pinned `pc-disks: 0`, do not). */
  private get carriesDisks(): boolean {
    return this.type.stateVersions?.['pc-disks'] !== 0;
  }

  /**
   * The whole machine as one migration stream (chunks, produced as they are read): the clock,
   * the CPU, every device's section, and memory as page records (zero pages as a flag).
   * Timers are saved on the machine's own timeline (now = 0), which a load restores exactly.
   *
   * With `views`, RAM chunks are views of the machine's memory rather than copies (no copy, no
   * fresh memory): write each chunk out before the machine runs again, as a file or pipe writer
   * does; a chunk kept and written later carries changed RAM, which a load refuses.
   */
  save(options: { readonly views?: boolean } = {}): AsyncIterable<Uint8Array> {
    if (!this.carriesDisks) {
      const dirty = dirtyOverlayClusters(this.drives);
      if (dirty > 0)
        throw new MachineStateError(
          `machine type ${this.type.name} cannot carry disk overlays in its streams, and ${dirty} cluster(s) of guest writes would be lost: save under a newer machine type, or run with the disks written through`,
        );
    }
    return saveMachine({
      machineType: this.type.name,
      now: 0,
      devices: this.sections(),
      ram: [{ name: 'memory', bytes: this.bus.memory.ram }],
      // An older machine type's streams carry the state versions its release reads.
      ...(this.type.stateVersions ? { versions: this.type.stateVersions } : {}),
      ...(this.type.streamFormat === undefined ? {} : { streamFormat: this.type.streamFormat }),
      ramViews: options.views === true && this.type.streamFormat !== 1,
    });
  }

  /**
   * Load a stream saved by a machine of the same type. Everything is decoded and checked before
   * anything changes; a refused or corrupt stream leaves this machine as it was (typed error).
   */
  async load(source: StreamSource): Promise<LoadResult> {
    return loadMachine(source, {
      machineType: this.type.name,
      now: 0,
      devices: this.sections(),
      ram: [{ name: 'memory', bytes: this.bus.memory.ram }],
    });
  }

  /** Instructions (retired or idle) since power-on: the machine's time base. */
  get instructions(): number {
    return this.bus.clock.instructions;
  }

  /** Run until the budget is spent, `until` holds, or the CPU halts for good. */
  run(options: RunOptions = {}): RunResult {
    const clock = this.bus.clock;
    const start = clock.instructions;
    const max = options.maxInstructions ?? Infinity;
    const slice = options.sliceInstructions ?? 100_000;
    for (;;) {
      if (this.resetPending) this.reset();
      const left = max - (clock.instructions - start);
      if (left <= 0) return this.result('budget', start);
      const reason: StopReason = this.cpu.run(Math.min(slice, left));
      if (reason === 'unsupported') return this.result('unsupported', start, this.cpu.unsupported);
      if (reason === 'breakpoint') return this.result('breakpoint', start);
      // The AT decodes the 80286's shutdown cycle and pulses the processor's RESET (only the
      // processor: the BIOS then reads the CMOS shutdown byte, 0Fh, to tell why).
      if (reason === 'shutdown') this.cpu.reset();
      if (reason === 'halt' && !this.resetPending && !(this.cpu.flags & IF) && !this.cpu.state.nmiPending)
        return this.result('halted', start);
      if (options.until?.()) return this.result('until', start);
    }
  }

  private result(reason: MachineStopReason, start: number, detail?: string): RunResult {
    return {
      reason,
      instructions: this.bus.clock.instructions - start,
      virtualTimeNs: this.bus.clock.now,
      ...(detail === undefined ? {} : { detail }),
    };
  }
}

/** A block device over bytes in memory (the built-in demo images, tests). */
export function memoryDisk(bytes: Uint8Array, readOnly = false): BlockDevice {
  return new MemoryImage(bytes, { readOnly });
}
