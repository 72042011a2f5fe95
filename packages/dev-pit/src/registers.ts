// Intel 8254 Programmable Interval Timer (datasheet order 231164): port map, control word,
// read-back command and status byte.

/** Port offsets from the I/O base (A1 A0). */
export const PORT_COUNTER0 = 0;
export const PORT_COUNTER1 = 1;
export const PORT_COUNTER2 = 2;
/** Control word register: write only; a read is a no-operation (the bus floats, 0xFF). */
export const PORT_CONTROL = 3;
/** Ports the 8254 decodes. */
export const PORT_COUNT = 4;

/** PC/AT I/O base of the 8254. */
export const PIT_IOBASE = 0x40;
/** PC/AT IRQ wired to counter 0's OUT. */
export const PIT_IRQ = 0;

/** Control word bits 7-6 (SC1 SC0): counter select; 3 is the read-back command. */
export const CW_SELECT_SHIFT = 6;
export const CW_SELECT_READBACK = 3;
/** Control word bits 5-4 (RW1 RW0): 0 counter latch command, 1 LSB only, 2 MSB only, 3 LSB then MSB. */
export const CW_RW_SHIFT = 4;
export const CW_RW_MASK = 0x30;
export const RW_LATCH = 0;
export const RW_LSB = 1;
export const RW_MSB = 2;
export const RW_WORD = 3;
/** Control word bits 3-1 (M2 M1 M0): mode; M2 is "don't care" for modes 2 and 3 (x10, x11). */
export const CW_MODE_SHIFT = 1;
export const CW_MODE_MASK = 0x0e;
/** Control word bit 0: BCD (four decades) instead of 16-bit binary counting. */
export const CW_BCD = 0x01;
/** The control word bits a counter keeps and reports in its status byte (RW, mode, BCD). */
export const CW_COUNTER_BITS = 0x3f;

/** The six counter modes. */
export const MODE_INTERRUPT_ON_TERMINAL_COUNT = 0;
export const MODE_ONE_SHOT = 1;
export const MODE_RATE_GENERATOR = 2;
export const MODE_SQUARE_WAVE = 3;
export const MODE_SOFTWARE_STROBE = 4;
export const MODE_HARDWARE_STROBE = 5;

/** Read-back command (SC = 11): bit 5 = 0 latches the count, bit 4 = 0 latches the status. */
export const RB_NOT_COUNT = 0x20;
export const RB_NOT_STATUS = 0x10;
/** Read-back counter selects: bit 1 counter 0, bit 2 counter 1, bit 3 counter 2. */
export const RB_COUNTER0 = 0x02;

/** Status byte: bit 7 OUT pin, bit 6 null count, bits 5-0 the counter's control word bits. */
export const STATUS_OUT = 0x80;
export const STATUS_NULL_COUNT = 0x40;

/** Binary counting wraps at 2^16, BCD at 10^4; an initial count of 0 is the maximum. */
export const BINARY_MODULUS = 0x10000;
export const BCD_MODULUS = 10000;

/**
 * The PC's PIT input clock: 1.193182 MHz (the 14.31818 MHz oscillator divided by 12). Time
 * conversions use this integer rate exactly (see timebase.ts).
 */
export const PIT_HZ = 1_193_182;
