/**
 * Machine types are data: a named list of devices with their resources, a CPU and a memory
 * size, plus the compatibility that keeps an older type behaving and saving as the release it
 * is named after. A user's machine type is a few lines: start from one of ours and add, remove
 * or replace devices (see `deriveMachineType` and docs/custom-machine.md).
 *
 * Versioned types work as QEMU's do: the newest type describes what this build offers; each
 * older one is the next newer one plus compat properties (device properties set back to what
 * that release had) and state pins (the descriptor versions that release reads, written by the
 * newer device packages in place of their own). A stream saved under `pc-1.0` by any later
 * build loads in the release that introduced `pc-1.0`.
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

/** A device property a machine type sets on every device of a kind (QEMU's compat properties). */
export interface CompatProperty {
  readonly kind: DeviceKind;
  readonly property: string;
  readonly value: number;
}

export interface MachineType {
  /** Name and version, e.g. "pc-1.0". */
  readonly name: string;
  readonly description: string;
  /** Default processor. */
  readonly cpu: CpuModelName;
  /** Default RAM in KiB (640 conventional plus extended memory above 1 MiB on an 80286). */
  readonly memoryKiB: number;
  /** The devices, with their resources (compat properties already applied). */
  readonly devices: readonly DeviceSpec[];
  /** Compat properties this type applied to the devices of the type it derives from. */
  readonly compat?: readonly CompatProperty[];
  /**
   * State pins: state, nested state or subsection name -> the version this type's streams carry
   * (vmstate `versions`), so a release that knows only those versions loads them.
   */
  readonly stateVersions?: Readonly<Record<string, number>>;
  /** Stream format this type's streams are written in (default: the newest vmstate writes). */
  readonly streamFormat?: 1 | 2;
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

/**
 * pc-1.1 (the newest type): an 80286 PC/AT with 1 MiB of RAM (640 KiB + 384 KiB extended), whose
 * RTC has the 256-byte CMOS of later chipsets (upper bank at ports 72h/73h).
 */
export const PC_1_1: MachineType = Object.freeze({
  name: 'pc-1.1',
  description:
    'IBM PC/AT compatible: 80286, 8259A pair, 8254, 8237A pair, MC146818 with 256 bytes of CMOS, 8042, two 16550A, 82077AA floppy, two ATA channels, VGA text',
  cpu: '80286',
  memoryKiB: 1024,
  devices: Object.freeze(pcAtDevices.map((d) => (d.kind === 'rtc' ? { ...d, resources: { ...d.resources, upperBase: 0x72 } } : d))),
  compat: Object.freeze([]),
  stateVersions: Object.freeze({}),
});

/**
 * pc-1.0: the first release's PC/AT. Its RTC has 128 bytes of CMOS only; its streams carry
 * `rtc-mc146818` version 1 and no disks section, in stream format 1, as that release wrote and reads them
 * (test/golden holds a stream it wrote). Disk overlays therefore cannot travel under pc-1.0: a
 * save that would drop guest writes is refused.
 */
export const PC_1_0: MachineType = deriveMachineType(PC_1_1, {
  name: 'pc-1.0',
  description:
    'IBM PC/AT compatible: 80286, 8259A pair, 8254, 8237A pair, MC146818, 8042, two 16550A, 82077AA floppy, two ATA channels, VGA text (first release)',
  compat: [{ kind: 'rtc', property: 'upperBase', value: -1 }],
  // The first release's streams had no disks section (pc-disks); its RTC section was version 1;
  // its vmstate read stream format 1 only.
  stateVersions: { 'rtc-mc146818': 1, 'pc-disks': 0 },
  streamFormat: 1,
});

/** Every machine type this build knows, by name. The first is the default (the newest). */
export const MACHINE_TYPES: ReadonlyMap<string, MachineType> = new Map([
  [PC_1_1.name, PC_1_1],
  [PC_1_0.name, PC_1_0],
]);

export const DEFAULT_MACHINE_TYPE = PC_1_1.name;

/**
 * A new machine type from `base`: compat properties set on every device of their kind (and
 * state pins added), then devices removed by id, added, or replaced by id (explicit devices keep
 * their own resources).
 */
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
    readonly compat?: readonly CompatProperty[];
    readonly stateVersions?: Readonly<Record<string, number>>;
    readonly streamFormat?: 1 | 2;
  },
): MachineType {
  const compat = changes.compat ?? [];
  const withCompat = (d: DeviceSpec): DeviceSpec => {
    const props = compat.filter((c) => c.kind === d.kind);
    if (props.length === 0) return d;
    const resources: Record<string, number> = { ...d.resources };
    for (const c of props) resources[c.property] = c.value;
    return { ...d, resources };
  };
  const removed = new Set(changes.remove ?? []);
  const replaced = new Map((changes.replace ?? []).map((d) => [d.id, d]));
  const devices = base.devices.filter((d) => !removed.has(d.id)).map((d) => replaced.get(d.id) ?? withCompat(d));
  devices.push(...(changes.add ?? []));
  return Object.freeze({
    name: changes.name,
    description: changes.description ?? `${base.description} (derived from ${base.name})`,
    cpu: changes.cpu ?? base.cpu,
    memoryKiB: changes.memoryKiB ?? base.memoryKiB,
    devices: Object.freeze(devices),
    compat: Object.freeze([...(base.compat ?? []), ...compat]),
    stateVersions: Object.freeze({ ...base.stateVersions, ...(changes.stateVersions ?? {}) }),
    ...((changes.streamFormat ?? base.streamFormat) === undefined ? {} : { streamFormat: changes.streamFormat ?? base.streamFormat }),
  });
}
