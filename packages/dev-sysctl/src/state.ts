import { defineState, field, type StateOf } from '@backplane/vmstate';

/**
 * Everything the guest can see of the system control ports. The refresh toggle and timer 2's
 * output are derived (from the virtual clock and the PIT), so they are not state.
 *
 * Version history: 1 = first version.
 */
export const systemControlState = defineState({
  name: 'sysctl',
  version: 1,
  fields: {
    /** Port 61h bits 0-3 as last written. */
    portB: field.u8({ range: [0, 0x0f] }),
    /** Port 92h as last written (a hardware reset clears it, bit 0 included). */
    portA: field.u8(),
  },
});

export type SystemControlState = StateOf<typeof systemControlState>;

export function initialState(): SystemControlState {
  return { portB: 0, portA: 0 };
}
