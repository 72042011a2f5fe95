// @backplane/bus: the backplane every device plugs into.
export { Bus, NoDmaControllerError } from './bus';
export type { BusOptions, Device, DeviceEvent } from './bus';
export { VirtualClock, Timer } from './clock';
export type { ClockState, PendingEvent, TimerCallback } from './clock';
export type { DmaChannel, DmaClient, DmaController, DmaDirection } from './dma';
export { BackingStoreError, BusError, BusRangeError, DuplicateDeviceError, MemoryConflictError, PortConflictError } from './errors';
export { IoSpace } from './io';
export type { IoTraceEvent, PortClaim, PortHandlers, PortRead, PortWrite } from './io';
export { IrqLine, IrqRouter } from './irq';
export type { IrqInputSink, LineSink } from './irq';
export type { InterruptController } from './interrupts';
export { DIRECT_READ, DIRECT_WRITE, MemorySpace, PAGE_SHIFT, PAGE_SIZE, PageKind } from './memory';
export type { MemoryOptions, MmioHandlers } from './memory';
export { BUS, DEVICE, Backplane, assemble, busModule, deviceModule, plugDevices } from './module';
export { SeededRandom } from './random';
