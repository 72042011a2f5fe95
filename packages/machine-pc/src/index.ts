// @backplane/machine-pc: PC machine types assembled from Backplane device packages.
export { PcMachine, memoryDisk } from './Machine';
export type { MachineOptions, MachineStopReason, RunOptions, RunResult } from './Machine';
export { DEFAULT_MACHINE_TYPE, MACHINE_TYPES, PC_1_0, PC_1_1, PC_AT_DEVICES, deriveMachineType } from './machine-types';
export type { CompatProperty, CpuModelName, DeviceKind, DeviceSpec, MachineType } from './machine-types';
export { DEVICE_KINDS, cmosFloppyType } from './devices';
export { MachineConfigError, MachineError, MachineStateError, UnknownMachineTypeError } from './errors';
export { builtInBios, demoDiskImage, demoFloppyImage } from './firmware';
export { DISK_SLOTS, disksState, fingerprint as diskFingerprint } from './disks';
export type { DiskSlot, DisksState } from './disks';
