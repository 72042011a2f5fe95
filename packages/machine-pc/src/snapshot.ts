import type { VirtualClock } from '@backplane/bus';
import { cpuStateDescriptor, type X86Cpu } from '@backplane/cpu-x86';
import { picState } from '@backplane/dev-pic';
import { pitState } from '@backplane/dev-pit';
import { defineState, field, type AnyDescriptor, type DeviceEntry, type Migratable, type StateOf } from '@backplane/vmstate';

/**
 * The machine's own section: the virtual clock (time and instruction count). It comes first in
 * the stream, so the clock is back at the saved time before any device adopts its state.
 *
 * The machine saves with `now = 0`, so every timer in the stream is an absolute point on the
 * machine's virtual timeline, and the loaded machine continues that same timeline exactly:
 * same instruction count, same time, same pending events (the determinism the product promises).
 *
 * Version history: 1 = first version.
 */
export const machineState = defineState({
  name: 'pc-machine',
  version: 1,
  fields: {
    /** Virtual time in ns. */
    now: field.u64({ range: [0n, BigInt(Number.MAX_SAFE_INTEGER)] }),
    /** Instructions retired or idled since power-on. */
    instructions: field.u64({ range: [0n, BigInt(Number.MAX_SAFE_INTEGER)] }),
    /** Clock rate in instructions per millisecond (instructions per microsecond x 1000). */
    instructionsPerMs: field.u32({ range: [1, 1_000_000_000] }),
    /** A reset line fired and the reset has not been carried out yet. */
    resetPending: field.bool(),
  },
});

export type MachineState = StateOf<typeof machineState>;

/** The clock (and pending reset) as a Migratable. */
export function machineSection(clock: VirtualClock, pending: { get(): boolean; set(v: boolean): void }): Migratable<typeof machineState> {
  return {
    descriptor: machineState,
    saveState: () => ({
      now: BigInt(clock.now),
      instructions: BigInt(clock.instructions),
      instructionsPerMs: Math.round(clock.instructionsPerMicrosecond * 1000),
      resetPending: pending.get(),
    }),
    loadState: (s) => {
      clock.restore({ now: Number(s.now), instructions: Number(s.instructions), instructionsPerMicrosecond: s.instructionsPerMs / 1000 });
      pending.set(s.resetPending);
    },
  };
}

/** The CPU as a Migratable. */
export function cpuSection(cpu: X86Cpu): Migratable<typeof cpuStateDescriptor> {
  return {
    descriptor: cpuStateDescriptor,
    saveState: () => cpu.saveState(),
    loadState: (s) => cpu.loadState(s),
  };
}

interface StatefulDevice {
  readonly id: string;
  readonly descriptor?: AnyDescriptor;
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

/**
 * A device as a DeviceEntry, if it has state to save (a debug port has none). The PIT and PIC
 * packages export their descriptors without a `descriptor` property on the device.
 */
export function deviceEntry(device: StatefulDevice, kind: string): DeviceEntry | undefined {
  if (typeof device.saveState !== 'function' || typeof device.loadState !== 'function') return undefined;
  const descriptor = device.descriptor ?? (kind === 'pit' ? pitState : kind === 'pic' ? picState : undefined);
  if (!descriptor) throw new Error(`device ${device.id} (${kind}) can save its state but declares no descriptor`);
  return {
    device: device.id,
    target: {
      descriptor,
      saveState: () => device.saveState!() as never,
      loadState: (s) => device.loadState!(s),
    },
  };
}
