// Intel 8237A High Performance Programmable DMA Controller (order 231466) and the IBM PC/AT
// DMA wiring (two 8237A: DMA1 for 8-bit channels 0-3 at 00h-0Fh, DMA2 for 16-bit channels 4-7
// at C0h-DFh with its channel 4 as the cascade from DMA1; 74LS612 page registers at 80h-8Fh).

/** PC/AT port of DMA1 (8-bit channels 0-3): registers 0-15 on consecutive ports. */
export const DMA1_BASE = 0x00;
/** PC/AT port of DMA2 (16-bit channels 4-7): registers 0-15 on even ports (SA1-SA4 decode). */
export const DMA2_BASE = 0xc0;
/** PC/AT page registers: 16 ports, four of them scratch. */
export const PAGE_BASE = 0x80;

// ---- Register offsets inside one 8237A (A3-A0) ----

/** 0-7: channel n address (2n) and word count (2n+1), low byte then high through the flip-flop. */
export const REG_CHANNEL_LAST = 0x07;
/** Read: status register. Write: command register. */
export const REG_STATUS_COMMAND = 0x08;
/** Write: request register (software DREQ). Read: illegal. */
export const REG_REQUEST = 0x09;
/** Write: single mask register bit. Read: illegal. */
export const REG_SINGLE_MASK = 0x0a;
/** Write: mode register. Read: illegal. */
export const REG_MODE = 0x0b;
/** Write: clear byte pointer flip-flop. Read: illegal. */
export const REG_CLEAR_FLIP_FLOP = 0x0c;
/** Read: temporary register. Write: master clear. */
export const REG_TEMPORARY_MASTER_CLEAR = 0x0d;
/** Write: clear mask register. Read: illegal. */
export const REG_CLEAR_MASK = 0x0e;
/** Write: all mask register bits. Read: illegal. */
export const REG_ALL_MASK = 0x0f;

/** What a read of an "illegal" register returns (nothing drives the ISA data bus: it floats high). */
export const OPEN_BUS = 0xff;

// ---- Command register (write, offset 8) ----

/** Bit 0: memory-to-memory transfers (channel 0 source, channel 1 destination). */
export const CMD_MEM_TO_MEM = 0x01;
/** Bit 1: channel 0 address hold during memory-to-memory. */
export const CMD_CH0_ADDRESS_HOLD = 0x02;
/** Bit 2: controller disable. */
export const CMD_DISABLE = 0x04;
/** Bit 3: compressed timing (bus timing only; no effect on what software sees). */
export const CMD_COMPRESSED_TIMING = 0x08;
/** Bit 4: rotating priority (0 = fixed: channel 0 highest). */
export const CMD_ROTATING_PRIORITY = 0x10;
/** Bit 5: extended write selection (bus timing only). */
export const CMD_EXTENDED_WRITE = 0x20;
/** Bit 6: DREQ sense active low (pin polarity; the board wiring is fixed active high). */
export const CMD_DREQ_ACTIVE_LOW = 0x40;
/** Bit 7: DACK sense active high (pin polarity; no effect on what software sees). */
export const CMD_DACK_ACTIVE_HIGH = 0x80;

// ---- Status register (read, offset 8) ----

/** Bits 0-3: channel n reached terminal count since the last status read. */
export const STATUS_TC_MASK = 0x0f;
/** Bits 4-7: channel n is requesting service (DREQ or software request). */
export const STATUS_REQUEST_SHIFT = 4;

// ---- Request, single mask (offsets 9, 10) ----

/** Bits 1-0 select the channel. */
export const SELECT_CHANNEL = 0x03;
/** Bit 2: set (1) or reset (0) the request / mask bit. */
export const SELECT_SET = 0x04;

// ---- Mode register (write, offset 11) ----

/** Bits 3-2: transfer type. */
export const MODE_TRANSFER_MASK = 0x0c;
export const TRANSFER_VERIFY = 0x00;
/** Write: device to memory. */
export const TRANSFER_WRITE = 0x04;
/** Read: memory to device. */
export const TRANSFER_READ = 0x08;
/** Transfer type 11b: illegal; treated as a verify (no memory cycle). */
export const TRANSFER_ILLEGAL = 0x0c;
/** Bit 4: autoinitialise. */
export const MODE_AUTO_INIT = 0x10;
/** Bit 5: address decrement. */
export const MODE_DECREMENT = 0x20;
/** Bits 7-6: mode select. */
export const MODE_SELECT_MASK = 0xc0;
export const MODE_DEMAND = 0x00;
export const MODE_SINGLE = 0x40;
export const MODE_BLOCK = 0x80;
export const MODE_CASCADE = 0xc0;

// ---- Channels and pages ----

/** Channel 4 (DMA2 channel 0) carries DMA1's hold request on the PC/AT. */
export const CASCADE_CHANNEL = 4;

/**
 * Page register offset (port - 80h) for channels 0-7 on the PC/AT: 87h ch0, 83h ch1, 81h ch2,
 * 82h ch3, 8Fh ch4 (refresh on the AT), 8Bh ch5, 89h ch6, 8Ah ch7. The other eight ports are
 * plain read/write bytes (80h is the POST diagnostic port).
 */
export const PAGE_OF_CHANNEL: readonly number[] = Object.freeze([0x07, 0x03, 0x01, 0x02, 0x0f, 0x0b, 0x09, 0x0a]);
