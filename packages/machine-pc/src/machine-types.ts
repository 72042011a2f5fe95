/**
 * Machine types are data: a named list of devices with their resources, a CPU and a memory
 * size. A user's machine type is a few lines: start from one of ours and add, remove or
 * replace devices (see `deriveMachineType` and docs/custom-machine.md).
 */

/** Processor models the machine can be built with. */
export type CpuModelName = '8086' | '80186' | '80286';

/** The device kinds this package knows how to build (see devices.ts). */
export type DeviceKind = 'pic' | 'pit' | 'dma' | 'rtc' | 'kbc' | 'sysctl' | 'uart' | 'fdc' | 'ide' | 'vga' | 'debugcon';

/** One device of a machine type: its kind, its id on the bus, and resources overriding the PC defaults. */
export interface DeviceSpec {
  readonly kind: DeviceKind;
  readonly id: string;
  readonly resources?: Readonly<Record<string, number>>;
}

export interface MachineType {
  /** Name and version, e.g. "pc-1.0". */
  readonly name: string;
  readonly description: string;
  /** Default processor. */
  readonly cpu: CpuModelName;
  /** Default RAM in KiB (640 conventional plus extended memory above 1 MiB on an 80286). */
  readonly memoryKiB: number;
  readonly devices: readonly DeviceSpec[];
}

/** The IBM PC/AT device set with the usual resources. */
const pcAtDevices: DeviceSpec[] = [
  { kind: 'pic', id: 'pic' },
  { kind: 'pit', id: 'pit' },
  { kind: 'dma', id: 'dma' },
  { kind: 'rtc', id: 'rtc' },
  { kind: 'kbc', id: 'kbc' },
  { kind: 'sysctl', id: 'sysctl' },
  { kind: 'uart', id: 'com1', resources: { iobase: 0x3f8, irq: 4 } },
  { kind: 'uart', id: 'com2', resources: { iobase: 0x2f8, irq: 3 } },
  { kind: 'fdc', id: 'fdc' },
  { kind: 'ide', id: 'ide0', resources: { iobase: 0x1f0, ctrlbase: 0x3f6, irq: 14 } },
  { kind: 'ide', id: 'ide1', resources: { iobase: 0x170, ctrlbase: 0x376, irq: 15 } },
  { kind: 'vga', id: 'vga' },
  { kind: 'debugcon', id: 'debugcon', resources: { iobase: 0xe9 } },
  { kind: 'debugcon', id: 'debugcon402', resources: { iobase: 0x402 } },
];
export const PC_AT_DEVICES: readonly DeviceSpec[] = Object.freeze(pcAtDevices);

/** pc-1.0: an 80286 PC/AT with 1 MiB of RAM (640 KiB + 384 KiB extended). */
export const PC_1_0: MachineType = Object.freeze({
  name: 'pc-1.0',
  description: 'IBM PC/AT compatible: 80286, 8259A pair, 8254, 8237A pair, MC146818, 8042, two 16550A, 82077AA floppy, two ATA channels, VGA text',
  cpu: '80286',
  memoryKiB: 1024,
  devices: PC_AT_DEVICES,
});

/** Every machine type this build knows, by name. The first is the default. */
export const MACHINE_TYPES: ReadonlyMap<string, MachineType> = new Map([[PC_1_0.name, PC_1_0]]);

export const DEFAULT_MACHINE_TYPE = PC_1_0.name;

/** A new machine type from `base`: devices removed by id, added, or replaced by id. */
export function deriveMachineType(
  base: MachineType,
  changes: {
    readonly name: string;
    readonly description?: string;
    readonly cpu?: CpuModelName;
    readonly memoryKiB?: number;
    readonly remove?: readonly string[];
    readonly add?: readonly DeviceSpec[];
    readonly replace?: readonly DeviceSpec[];
  },
): MachineType {
  const removed = new Set(changes.remove ?? []);
  const replaced = new Map((changes.replace ?? []).map((d) => [d.id, d]));
  const devices = base.devices.filter((d) => !removed.has(d.id)).map((d) => replaced.get(d.id) ?? d);
  devices.push(...(changes.add ?? []));
  return Object.freeze({
    name: changes.name,
    description: changes.description ?? `${base.description} (derived from ${base.name})`,
    cpu: changes.cpu ?? base.cpu,
    memoryKiB: changes.memoryKiB ?? base.memoryKiB,
    devices: Object.freeze(devices),
  });
}
