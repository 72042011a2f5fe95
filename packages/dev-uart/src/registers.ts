// National Semiconductor / Texas Instruments PC16550D UART, register map (datasheet table II,
// "Summary of registers") and the IBM PC serial adapter's resources.

/** COM1: I/O base 3F8h, IRQ 4 (IBM PC/AT). */
export const COM1_BASE = 0x3f8;
export const COM1_IRQ = 4;
/** COM2: I/O base 2F8h, IRQ 3. */
export const COM2_BASE = 0x2f8;
export const COM2_IRQ = 3;
/** The PC's baud-rate crystal: 1.8432 MHz, i.e. 115200 baud with divisor 1 (16x clock). */
export const PC_CLOCK_HZ = 1_843_200;

// ---- Register offsets from the I/O base (A2..A0) ----
/** Read, DLAB=0: receiver buffer register. Write, DLAB=0: transmitter holding register. */
export const REG_DATA = 0;
/** DLAB=0: interrupt enable register. */
export const REG_IER = 1;
/** Read: interrupt identification register. Write: FIFO control register. */
export const REG_IIR_FCR = 2;
/** Line control register. */
export const REG_LCR = 3;
/** Modem control register. */
export const REG_MCR = 4;
/** Line status register (read; writes are for factory test and are ignored). */
export const REG_LSR = 5;
/** Modem status register (read; writes are ignored). */
export const REG_MSR = 6;
/** Scratch register: 8 bits the chip does not use. */
export const REG_SCR = 7;
/** DLAB=1 aliases of offsets 0 and 1: divisor latch, least and most significant bytes. */
export const REG_DLL = 0;
export const REG_DLM = 1;

// ---- IER ----
/** ERBFI: received data available (and, with FIFOs, character timeout). */
export const IER_RDA = 0x01;
/** ETBEI: transmitter holding register empty. */
export const IER_THRE = 0x02;
/** ELSI: receiver line status. */
export const IER_RLS = 0x04;
/** EDSSI: modem status. */
export const IER_MSR = 0x08;
/** Bits 4-7 are always 0. */
export const IER_MASK = 0x0f;

// ---- IIR (bit 0 = 0: interrupt pending; bits 1-3 identify it, in priority order) ----
export const IIR_NONE = 0x01;
/** Priority 1: overrun, parity, framing error or break. Cleared by reading the LSR. */
export const IIR_RLS = 0x06;
/** Priority 2: receiver data available / FIFO at trigger level. Cleared by reading RBR (below the trigger). */
export const IIR_RDA = 0x04;
/** Priority 2: character timeout (FIFO mode). Cleared by reading RBR. */
export const IIR_TIMEOUT = 0x0c;
/** Priority 3: transmitter holding register empty. Cleared by reading the IIR (if this is the source) or writing THR. */
export const IIR_THRE = 0x02;
/** Priority 4: modem status. Cleared by reading the MSR. */
export const IIR_MSR = 0x00;
/** Bits 6-7 are set when FCR bit 0 is set (FIFOs enabled). */
export const IIR_FIFO = 0xc0;

// ---- FCR ----
/** Enable both FIFOs; changing it clears both. The other bits are programmed only with this bit set. */
export const FCR_ENABLE = 0x01;
/** Clear the receiver FIFO (self-clearing). */
export const FCR_RX_RESET = 0x02;
/** Clear the transmitter FIFO (self-clearing). */
export const FCR_TX_RESET = 0x04;
/** RXRDY/TXRDY pin mode (not wired on a PC). */
export const FCR_DMA_MODE = 0x08;
/** Receiver trigger level: bits 6-7 select 1, 4, 8 or 14 bytes. */
export const FCR_TRIGGER_SHIFT = 6;
export const RX_TRIGGER_LEVELS: readonly number[] = [1, 4, 8, 14];
/** FIFO depth (both FIFOs). */
export const FIFO_SIZE = 16;

// ---- LCR ----
/** Word length select: 5 + bits 0-1 data bits. */
export const LCR_WLS = 0x03;
/** Stop bits: 0 = 1 stop bit, 1 = 2 (1.5 with 5-bit words). */
export const LCR_STB = 0x04;
/** Parity enable. */
export const LCR_PEN = 0x08;
/** Even parity select. */
export const LCR_EPS = 0x10;
/** Stick parity. */
export const LCR_STICK = 0x20;
/** Set break: SOUT forced to the spacing (0) state. */
export const LCR_BREAK = 0x40;
/** Divisor latch access bit. */
export const LCR_DLAB = 0x80;

// ---- MCR ----
export const MCR_DTR = 0x01;
export const MCR_RTS = 0x02;
export const MCR_OUT1 = 0x04;
/** OUT2: on a PC, the output that enables the adapter's IRQ driver. */
export const MCR_OUT2 = 0x08;
/** Loopback (diagnostic) mode. */
export const MCR_LOOP = 0x10;
/** Bits 5-7 are always 0 on the 16550A. */
export const MCR_MASK = 0x1f;

// ---- LSR ----
/** Data ready. */
export const LSR_DR = 0x01;
/** Overrun error. */
export const LSR_OE = 0x02;
/** Parity error (of the character at the top of the FIFO). */
export const LSR_PE = 0x04;
/** Framing error. */
export const LSR_FE = 0x08;
/** Break interrupt. */
export const LSR_BI = 0x10;
/** Transmitter holding register (FIFO mode: transmitter FIFO) empty. */
export const LSR_THRE = 0x20;
/** Transmitter empty: THR (FIFO) and shift register both empty. */
export const LSR_TEMT = 0x40;
/** FIFO mode: at least one parity, framing or break error in the receiver FIFO. */
export const LSR_RX_FIFO_ERROR = 0x80;
/** The error bits a read of the LSR clears (and that raise the line status interrupt). */
export const LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;

// ---- MSR ----
export const MSR_DCTS = 0x01;
export const MSR_DDSR = 0x02;
/** Trailing edge ring indicator: RI went from active to inactive. */
export const MSR_TERI = 0x04;
export const MSR_DDCD = 0x08;
export const MSR_DELTAS = 0x0f;
export const MSR_CTS = 0x10;
export const MSR_DSR = 0x20;
export const MSR_RI = 0x40;
export const MSR_DCD = 0x80;
