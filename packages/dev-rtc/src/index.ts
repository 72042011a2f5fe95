// @backplane/dev-rtc: Motorola MC146818A real-time clock with 128 bytes of CMOS (and, as an option, a PC chipset's upper 128-byte bank).
export { Rtc, RTC_DEFAULTS, RTC_UPPER_BASE } from './Rtc';
export type { CmosLoadOptions, RtcResources } from './Rtc';
export { RTC, rtcModule } from './module';
export { loadCmosFile, saveCmosFile } from './cmos-file';
export { CmosImageError, RtcConfigError } from './errors';
export { rtcState } from './state';
export type { RtcState } from './state';
export { advanceSecond, alarmMatches, calendarOf, daysInMonth, decode, encode, setClockRegisters } from './calendar';
export type { CalendarTime } from './calendar';
export {
  ALARM_DONT_CARE,
  A_UIP,
  B_24H,
  B_AIE,
  B_DM_BINARY,
  B_DSE,
  B_PIE,
  B_SET,
  B_UIE,
  CMOS_CENTURY,
  CMOS_SIZE,
  C_AF,
  C_IRQF,
  C_PF,
  C_UF,
  DV_32768,
  DV_RESET,
  D_VRT,
  HOURS_PM,
  REG_A,
  REG_B,
  REG_C,
  REG_D,
  RTC_BASE,
  RTC_IRQ,
  UIP_LEAD_NS,
  UPDATE_CYCLE_NS,
  UPPER_SIZE,
} from './registers';
