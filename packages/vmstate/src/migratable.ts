// The device-facing contract the machine uses to save and restore a device.
import type { AnyDescriptor, StateOf } from './descriptor';

/**
 * A device whose state can be saved and loaded. `saveState` returns the device's guest-visible
 * state object (it is validated and encoded, never kept); `loadState` receives a fresh object
 * that has already been decoded and fully validated against `descriptor`, and must not fail:
 * rebuild host-side things (timers, subscriptions) from it and adopt it.
 */
export interface Migratable<D extends AnyDescriptor = AnyDescriptor> {
  readonly descriptor: D;
  saveState(): StateOf<D>;
  loadState(state: StateOf<D>): void;
}
