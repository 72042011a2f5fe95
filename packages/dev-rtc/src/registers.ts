// Motorola MC146818A real-time clock plus RAM (datasheet), as wired on the IBM PC/AT:
// index port 70h (bit 7 gates NMI on the board), data port 71h, IRQ 8.

/** PC/AT index port (write only; bit 7 is the board's NMI mask). */
export const RTC_BASE = 0x70;
/** PC/AT interrupt request line. */
export const RTC_IRQ = 8;
/** Offsets from the base port. */
export const PORT_INDEX = 0;
export const PORT_DATA = 1;
/** Port 70h bit 7: NMI disabled while set (a board latch, not part of the chip). */
export const INDEX_NMI_MASK = 0x80;
export const INDEX_MASK = 0x7f;
/** Bytes of clock registers and RAM addressed through the index. */
export const CMOS_SIZE = 128;
/**
 * Upper 128-byte bank of the PC chipsets' RTC (Intel 82371AB PIIX4 and later south bridges):
 * index port 72h (bits 6-0 select the byte; bit 7 is ignored), data port 73h. Not part of the
 * MC146818A: off unless a machine asks for it.
 */
export const UPPER_BASE = 0x72;
export const UPPER_SIZE = 128;
export const UPPER_INDEX_MASK = 0x7f;
/** PC/AT: CMOS byte holding the century in BCD (IBM AT BIOS convention, not the chip's). */
export const CMOS_CENTURY = 0x32;

// ---- Time, alarm and calendar registers (address 0-9) ----
export const REG_SECONDS = 0x00;
export const REG_SECONDS_ALARM = 0x01;
export const REG_MINUTES = 0x02;
export const REG_MINUTES_ALARM = 0x03;
export const REG_HOURS = 0x04;
export const REG_HOURS_ALARM = 0x05;
/** Day of week, 1-7 (Sunday = 1). */
export const REG_DAY_OF_WEEK = 0x06;
export const REG_DATE = 0x07;
export const REG_MONTH = 0x08;
/** Year within the century, 0-99. */
export const REG_YEAR = 0x09;
/** 12-hour mode: hours bit 7 set = PM. */
export const HOURS_PM = 0x80;
/** Alarm registers: a value with bits 7 and 6 set (C0h-FFh) matches every value ("don't care"). */
export const ALARM_DONT_CARE = 0xc0;

// ---- Register A (address 10) ----
export const REG_A = 0x0a;
/** Bit 7: update in progress (read only). */
export const A_UIP = 0x80;
/** Bits 6-4: divider control. */
export const A_DV_MASK = 0x70;
/** DV = 010: 32.768 kHz time base, normal operation (the PC's crystal). */
export const DV_32768 = 0x20;
/** DV = 11x: divider chain held in reset. */
export const DV_RESET = 0x60;
/** Bits 3-0: rate select for the periodic interrupt and square wave. */
export const A_RS_MASK = 0x0f;

// ---- Register B (address 11) ----
export const REG_B = 0x0b;
/** Bit 7: SET: updates inhibited so the time can be set. */
export const B_SET = 0x80;
/** Bit 6: periodic interrupt enable. */
export const B_PIE = 0x40;
/** Bit 5: alarm interrupt enable. */
export const B_AIE = 0x20;
/** Bit 4: update-ended interrupt enable. */
export const B_UIE = 0x10;
/** Bit 3: square wave enable (the SQW pin is not connected on the PC). */
export const B_SQWE = 0x08;
/** Bit 2: data mode: 1 = binary, 0 = BCD. */
export const B_DM_BINARY = 0x04;
/** Bit 1: 1 = 24-hour mode, 0 = 12-hour mode. */
export const B_24H = 0x02;
/** Bit 0: daylight saving enable. */
export const B_DSE = 0x01;

// ---- Register C (address 12, read only, cleared by reading) ----
export const REG_C = 0x0c;
/** Bit 7: IRQF = PF·PIE + AF·AIE + UF·UIE; the IRQ pin is asserted while it is set. */
export const C_IRQF = 0x80;
/** Bit 6: periodic interrupt flag. */
export const C_PF = 0x40;
/** Bit 5: alarm flag. */
export const C_AF = 0x20;
/** Bit 4: update-ended flag. */
export const C_UF = 0x10;
/** The three event flags (and, shifted identically, the three enables of register B). */
export const C_FLAGS = 0x70;

// ---- Register D (address 13, read only) ----
export const REG_D = 0x0d;
/** Bit 7: valid RAM and time (the battery is good). */
export const D_VRT = 0x80;

// ---- Timing at the 32.768 kHz time base ----
/** Update cycle length (tUC, 32.768 kHz time base): 1984 us. */
export const UPDATE_CYCLE_NS = 1_984_000;
/** UIP rises this long before an update cycle begins (tBUC): 244 us. */
export const UIP_LEAD_NS = 244_000;
/** After the divider leaves reset, the first update cycle begins half a second later. */
export const FIRST_UPDATE_NS = 500_000_000;
export const SECOND_NS = 1_000_000_000;
/** Time-base frequency (Hz). One period is 1e9/32768 = 1953125/64 ns. */
export const TIME_BASE_HZ = 32768;

/**
 * Periodic interrupt period in 32.768 kHz cycles for each rate select value (0 = none). With the
 * 32.768 kHz time base, RS = 1 and 2 give the same rates as RS = 8 and 9 (datasheet table 4).
 */
export const PERIODIC_CYCLES: readonly number[] = Object.freeze([
  0, 128, 256, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
]);

/** Registers A-D after power-on as a PC BIOS leaves them: 32.768 kHz, 1024 Hz rate; 24 h, BCD. */
export const DEFAULT_A = DV_32768 | 0x06;
export const DEFAULT_B = B_24H;
