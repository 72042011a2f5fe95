import { defaultState, defineState, field, subsection, type StateOf } from '@backplane/vmstate';

/**
 * One channel's registers (16-bit values; on channels 4-7 address and count are in words).
 *
 * Version history: 1 = first version.
 */
export const dmaChannelState = defineState({
  name: 'dma-8237-channel',
  version: 1,
  fields: {
    baseAddress: field.u16(),
    baseCount: field.u16(),
    currentAddress: field.u16(),
    currentCount: field.u16(),
    /** Mode register as last written (bits 1-0 are the channel number within its controller). */
    mode: field.u8(),
  },
});

/**
 * One 8237A's control registers.
 *
 * Version history: 1 = first version.
 */
export const dmaControllerState = defineState({
  name: 'dma-8237',
  version: 1,
  fields: {
    /** Command register (write only). */
    command: field.u8(),
    /** Status bits 0-3: terminal count reached since the last status read. */
    tc: field.u8({ range: [0, 0x0f] }),
    /** Request register bits 0-3 (software DREQ). */
    request: field.u8({ range: [0, 0x0f] }),
    /** Mask register bits 0-3 (1 = masked). */
    mask: field.u8({ range: [0, 0x0f] }),
    /** Byte pointer flip-flop: false = the next access is the low byte. */
    flipFlop: field.bool(),
    /** Temporary register: the last byte of a memory-to-memory transfer. */
    temporary: field.u8(),
    /** Rotating priority: the channel (0-3) that has the highest priority now. */
    priority: field.u8({ range: [0, 3] }),
  },
});

/**
 * Everything the guest and the attached devices can see of the PC/AT DMA subsystem. Controller 0
 * is DMA1 (channels 0-3, 8-bit), controller 1 is DMA2 (channels 4-7, 16-bit, channel 4 the
 * cascade). Transfers take no virtual time, so there are no timers.
 *
 * Version history: 1 = first version.
 */
export const dmaState = defineState({
  name: 'dma-8237-pair',
  version: 1,
  fields: {
    controllers: field.array(field.struct(dmaControllerState), 2),
    channels: field.array(field.struct(dmaChannelState), 8),
    /** The 16 page register ports 80h-8Fh. */
    pages: field.array(field.u8(), 16),
    /** DREQ lines 0-7 as the devices drive them (bit n = channel n). */
    dreq: field.u8(),
    /** Bit n: the last transfer on channel n ended at terminal count (the EOP a device sees). */
    eop: field.u8(),
  },
  subsections: [
    // Rare: a block-mode transfer started and stopped short of terminal count because its device
    // had nothing to move; it resumes at the device's next request whatever DREQ does.
    subsection({
      name: 'block-transfer',
      version: 1,
      needed: (s) => s.blockActive !== 0,
      fields: {
        /** Bit n: channel n is inside a block-mode transfer. */
        blockActive: field.u8({ default: 0 }),
      },
    }),
  ],
  validate: (s) => {
    for (let ch = 0; ch < 8; ch++) if ((s.channels[ch]!.mode & 3) !== (ch & 3)) return `channel ${ch}'s mode register names channel ${s.channels[ch]!.mode & 3}`;
    return true;
  },
});

export type DmaChannelRegs = StateOf<typeof dmaChannelState>;
export type DmaControllerRegs = StateOf<typeof dmaControllerState>;
export type DmaState = StateOf<typeof dmaState>;

/** The state after power-on: every channel masked, registers zero. */
export function initialState(): DmaState {
  const s = defaultState(dmaState);
  for (const c of s.controllers) c.mask = 0x0f;
  s.channels.forEach((ch, n) => (ch.mode = n & 3));
  return Object.seal(s);
}
