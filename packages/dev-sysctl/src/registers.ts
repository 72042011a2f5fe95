// IBM PC/AT Technical Reference (port 61h) and the IBM PS/2 "System Control Port A" (92h).

/** Port 61h: system control port B. */
export const PORT_B = 0x61;
/** Write/read: gate input of PIT counter 2 (the speaker tone generator). */
export const B_TIMER2_GATE = 0x01;
/** Write/read: speaker data: the speaker sounds counter 2's output while this is set. */
export const B_SPEAKER_DATA = 0x02;
/** Write/read: 1 disables the RAM parity check (NMI source). */
export const B_PARITY_DISABLE = 0x04;
/** Write/read: 1 disables the I/O channel check (NMI source). */
export const B_IOCHK_DISABLE = 0x08;
/** Read only: toggles with every DRAM refresh request (PIT counter 1, every 15.085 us). */
export const B_REFRESH = 0x10;
/** Read only: the output of PIT counter 2. */
export const B_TIMER2_OUT = 0x20;
/** Read only: I/O channel check occurred. */
export const B_IOCHK = 0x40;
/** Read only: RAM parity check occurred. */
export const B_PARITY = 0x80;
/** The bits a write changes. */
export const B_WRITABLE = 0x0f;

/** Refresh request period: PIT counter 1 programmed with 18 at 1.193182 MHz = 15.085 us. */
export const REFRESH_PERIOD_NS = 15085;

/** Port 92h: system control port A. */
export const PORT_A = 0x92;
/** Write 1 (from 0): fast reset of the processor. */
export const A_FAST_RESET = 0x01;
/** Address line 20 enabled. */
export const A_A20 = 0x02;
