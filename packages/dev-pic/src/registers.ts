// Intel 8259A Programmable Interrupt Controller (datasheet order 231468): command words, and
// the PC/AT wiring of two 8259As plus the edge/level control registers (ELCR) of PCI-era
// chipsets (Intel PIIX: ports 4D0h/4D1h).

/** PC/AT I/O bases: master 20h-21h, slave A0h-A1h; ELCR 4D0h (master) and 4D1h (slave). */
export const PIC_MASTER_IOBASE = 0x20;
export const PIC_SLAVE_IOBASE = 0xa0;
export const PIC_ELCR_IOBASE = 0x4d0;

/** Port offsets (A0): 0 for ICW1/OCW2/OCW3 writes and IRR/ISR/poll reads, 1 for ICW2-4/OCW1 and IMR. */
export const PORT_COMMAND = 0;
export const PORT_DATA = 1;

/** ICW1 (A0 = 0, D4 = 1). */
export const ICW1_SELECT = 0x10;
/** ICW4 will be written. */
export const ICW1_IC4 = 0x01;
/** Single 8259A (no ICW3). */
export const ICW1_SNGL = 0x02;
/** Call address interval 4 (MCS-80/85 only; ignored in 8086 mode). */
export const ICW1_ADI = 0x04;
/** Level-triggered mode for every input. */
export const ICW1_LTIM = 0x08;

/** ICW2: vector bits T7-T3 in 8086 mode (bits 2-0 are the IR level). */
export const ICW2_VECTOR_MASK = 0xf8;

/** ICW4. */
export const ICW4_UPM = 0x01; // 8086/8088 mode
export const ICW4_AEOI = 0x02; // automatic end of interrupt
export const ICW4_MS = 0x04; // buffered mode: master (1) or slave (0)
export const ICW4_BUF = 0x08; // buffered mode
export const ICW4_SFNM = 0x10; // special fully nested mode

/** OCW2 (A0 = 0, D4 = 0, D3 = 0): bits 7-5 are R, SL, EOI; bits 2-0 the level L2-L0. */
export const OCW2_LEVEL_MASK = 0x07;
export const OCW2_COMMAND_SHIFT = 5;
export const OCW2_ROTATE_AEOI_CLEAR = 0; // 000
export const OCW2_NONSPECIFIC_EOI = 1; // 001
export const OCW2_NOP = 2; // 010
export const OCW2_SPECIFIC_EOI = 3; // 011
export const OCW2_ROTATE_AEOI_SET = 4; // 100
export const OCW2_ROTATE_NONSPECIFIC_EOI = 5; // 101
export const OCW2_SET_PRIORITY = 6; // 110
export const OCW2_ROTATE_SPECIFIC_EOI = 7; // 111

/** OCW3 (A0 = 0, D4 = 0, D3 = 1). */
export const OCW3_SELECT = 0x08;
export const OCW3_ESMM = 0x40; // enable special mask mode change
export const OCW3_SMM = 0x20; // special mask mode (when ESMM)
export const OCW3_POLL = 0x04; // poll command
export const OCW3_RR = 0x02; // read register command
export const OCW3_RIS = 0x01; // read ISR (1) or IRR (0), when RR

/** Poll word: bit 7 set when a request is being serviced, bits 2-0 its level. */
export const POLL_INTERRUPT = 0x80;

/** Spurious (default) level: IR7 answers an acknowledge with no request left. */
export const SPURIOUS_LEVEL = 7;

/** The slave's INT is wired to master input IR2; ISA IRQ 2 (B4) is wired to slave IR1 (IRQ 9). */
export const CASCADE_INPUT = 2;
export const SLAVE_ID = 2;
export const IRQ2_REDIRECT_INPUT = 1;

/** ELCR bits that are writable (PIIX): IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
export const ELCR_MASTER_WRITABLE = 0xf8;
export const ELCR_SLAVE_WRITABLE = 0xde;
