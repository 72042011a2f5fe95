import { defineState, field, subsection, type StateOf } from '@backplane/vmstate';
import { CASCADE_INPUT, ICW1_IC4, ICW4_UPM, SLAVE_ID } from './registers';

/**
 * One 8259A. Registers as the datasheet names them (IRR, ISR, IMR), the initialization
 * sequence position, the ICW bits that stay in force, and the OCW-selected modes.
 *
 * Version history: 1 = first version.
 */
export const picChipState = defineState({
  name: 'pic-8259a',
  version: 1,
  fields: {
    /** Interrupt request register (only inputs that are high can request; the master's cascade input latches). */
    irr: field.u8({ check: (v, s) => (v & ~s.inputs & ~(1 << CASCADE_INPUT)) === 0 || 'IRR has a request on an input that is low' }),
    /** In-service register. */
    isr: field.u8(),
    /** Interrupt mask register (OCW1). */
    imr: field.u8(),
    /** IR input levels as last seen (edge detection). */
    inputs: field.u8(),
    /** Edge/level control register: 1 = level-triggered input (ORed with ICW1 LTIM). */
    elcr: field.u8(),
    /** Initialization: 0 ready, 1 expecting ICW2, 2 expecting ICW3, 3 expecting ICW4. */
    initStep: field.u8({ range: [0, 3] }),
    /** ICW1 bits 3-0 (LTIM, ADI, SNGL, IC4). */
    icw1: field.u8({ range: [0, 0x0f] }),
    /** ICW2 vector base (T7-T3). */
    vectorBase: field.u8({ check: (v) => (v & 7) === 0 || 'vector base has bits 2-0 set' }),
    /** ICW3: on the master, the inputs with a slave; on the slave, its ID (bits 2-0). */
    icw3: field.u8(),
    /** ICW4 bits 4-0 (SFNM, BUF, M/S, AEOI, uPM). */
    icw4: field.u8({ range: [0, 0x1f] }),
    /** The IR with the lowest priority (rotation); IR (lowest + 1) mod 8 has the highest. */
    lowestPriority: field.u8({ range: [0, 7] }),
    /** OCW3 read register: ISR (true) or IRR (false) on reads of the command port. */
    readIsr: field.bool(),
    /** OCW2 rotate in automatic EOI mode. */
    rotateInAeoi: field.bool(),
  },
  subsections: [
    // Rare: a poll command waiting for its read, or special mask mode in force.
    subsection({
      name: 'poll-special-mask',
      version: 1,
      needed: (s) => s.pollPending === true || s.specialMask === true,
      fields: {
        /** OCW3 poll: the next read of the command port is an acknowledge returning the poll word. */
        pollPending: field.bool({ default: false }),
        /** OCW3 special mask mode. */
        specialMask: field.bool({ default: false }),
      },
    }),
  ],
});

/**
 * The PC/AT pair: master (IRQ 0-7) and slave (IRQ 8-15, INT on master IR2).
 *
 * Version history: 1 = first version.
 */
export const picState = defineState({
  name: 'pic-pair',
  version: 1,
  fields: {
    master: field.struct(picChipState),
    slave: field.struct(picChipState),
  },
});

export type PicChipState = StateOf<typeof picChipState>;
export type PicState = StateOf<typeof picState>;

/**
 * Power-on state of one chip. The datasheet leaves it undefined until initialized; here it is
 * as if the PC's ICW1 (edge, cascade, ICW4), ICW2 = 0, ICW3 (master: slave on IR2; slave: ID 2)
 * and ICW4 (8086 mode) had been written: IMR clear, nothing requested or in service.
 */
export function initialChip(master: boolean): PicChipState {
  return {
    irr: 0,
    isr: 0,
    imr: 0,
    inputs: 0,
    elcr: 0,
    initStep: 0,
    icw1: ICW1_IC4,
    vectorBase: 0,
    icw3: master ? 1 << SLAVE_ID : SLAVE_ID,
    icw4: ICW4_UPM,
    lowestPriority: 7,
    readIsr: false,
    rotateInAeoi: false,
    pollPending: false,
    specialMask: false,
  };
}

export function initialPicState(): PicState {
  return { master: initialChip(true), slave: initialChip(false) };
}
