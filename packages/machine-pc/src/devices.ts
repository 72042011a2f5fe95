import type { BlockDevice } from '@backplane/block';
import { deviceModule, type Device } from '@backplane/bus';
import { DebugConsole, DEBUGCON_READBACK } from '@backplane/dev-debugcon';
import { DMA_DEFAULTS, Dma8237 } from '@backplane/dev-dma';
import { FDC_DEFAULTS, Fdc } from '@backplane/dev-fdc';
import { IdeChannel, type IdeChannelDrives, type IdeChannelResources } from '@backplane/dev-ide';
import { Kbc } from '@backplane/dev-kbc';
import { Pic } from '@backplane/dev-pic';
import { Pit } from '@backplane/dev-pit';
import { RTC_DEFAULTS, Rtc } from '@backplane/dev-rtc';
import { SystemControl } from '@backplane/dev-sysctl';
import { Uart } from '@backplane/dev-uart';
import { Vga } from '@backplane/dev-vga';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import type { DeviceKind, DeviceSpec } from './machine-types';

/** What building a device may need from the machine's options. */
export interface BuildContext {
  /** RTC start time (ms since the epoch, UTC fields); undefined: the host's time. */
  readonly startTime: number | undefined;
  /** Drives for an IDE channel, by device id. */
  readonly ideDrives: ReadonlyMap<string, IdeChannelDrives>;
  /** Pace UART transmission at the programmed baud rate (default true). */
  readonly pacedSerial: boolean;
}

/** A built device module with the token its instance is bound to. */
export interface BuiltDevice {
  readonly spec: DeviceSpec;
  readonly token: ServiceIdentifier<Device>;
  readonly module: ContainerModule;
}

type Factory = (spec: DeviceSpec, ctx: BuildContext) => Device;

function num(spec: DeviceSpec, name: string, fallback: number): number {
  const v = spec.resources?.[name];
  return v === undefined ? fallback : v;
}

const FACTORIES: Readonly<Record<DeviceKind, Factory>> = {
  pic: (s) => new Pic(s.id, { masterIobase: num(s, 'masterIobase', 0x20), slaveIobase: num(s, 'slaveIobase', 0xa0), elcrIobase: num(s, 'elcrIobase', 0x4d0) }),
  pit: (s) => new Pit(s.id, { iobase: num(s, 'iobase', 0x40), irq: num(s, 'irq', 0) }),
  dma: (s) => new Dma8237(s.id, { ...DMA_DEFAULTS, ...(s.resources ?? {}) }),
  rtc: (s, ctx) =>
    new Rtc(s.id, { ...RTC_DEFAULTS, ...(s.resources ?? {}), ...(ctx.startTime === undefined ? {} : { startTime: ctx.startTime }) }),
  kbc: (s) => new Kbc(s.id, { ...(s.resources ?? {}) }),
  sysctl: (s) => new SystemControl(s.id, { portB: num(s, 'portB', 0x61), portA: num(s, 'portA', 0x92) }),
  uart: (s, ctx) => new Uart(s.id, { iobase: num(s, 'iobase', 0x3f8), irq: num(s, 'irq', 4) }, { paced: ctx.pacedSerial }),
  fdc: (s) => new Fdc(s.id, { ...FDC_DEFAULTS, ...(s.resources ?? {}) }),
  ide: (s, ctx) => {
    const resources: IdeChannelResources = {
      iobase: num(s, 'iobase', 0x1f0),
      ctrlbase: num(s, 'ctrlbase', 0x3f6),
      irq: num(s, 'irq', 14),
    };
    return new IdeChannel(s.id, resources, ctx.ideDrives.get(s.id) ?? {});
  },
  vga: (s) => new Vga(s.id, { textBase: num(s, 'textBase', 0xb8000) }),
  debugcon: (s) => new DebugConsole(s.id, { iobase: num(s, 'iobase', 0xe9), readback: num(s, 'readback', DEBUGCON_READBACK) }),
};

/** The kinds a machine type may use. */
export const DEVICE_KINDS: readonly DeviceKind[] = Object.keys(FACTORIES) as DeviceKind[];

/** One inversify module per device of a machine type, each bound to its own token and to DEVICE. */
export function buildDeviceModules(specs: readonly DeviceSpec[], ctx: BuildContext): BuiltDevice[] {
  return specs.map((spec) => {
    const factory = FACTORIES[spec.kind];
    if (!factory) throw new Error(`unknown device kind "${String(spec.kind)}" (known: ${DEVICE_KINDS.join(', ')})`);
    const token: ServiceIdentifier<Device> = Symbol(`@backplane/machine-pc:${spec.id}`);
    return { spec, token, module: deviceModule(token, () => factory(spec, ctx)) };
  });
}

/** A floppy image for the BIOS's drive type byte (CMOS 10h): 1 360K, 2 1.2M, 3 720K, 4 1.44M, 5 2.88M. */
export function cmosFloppyType(image: BlockDevice | undefined): number {
  if (!image) return 0;
  switch (image.size) {
    case 368_640:
      return 1;
    case 1_228_800:
      return 2;
    case 737_280:
      return 3;
    case 1_474_560:
      return 4;
    case 2_949_120:
      return 5;
    default:
      return 4; // other formats (160K, 180K, 320K, 1.68M) are read by a 1.44M drive
  }
}
