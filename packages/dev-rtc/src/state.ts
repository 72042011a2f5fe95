import { defaultState, defineState, field, subsection, type StateOf } from '@backplane/vmstate';
import { CMOS_SIZE, DEFAULT_A, DEFAULT_B, D_VRT, REG_A, REG_B, REG_D, UPPER_SIZE } from './registers';

/**
 * The MC146818A as the guest sees it.
 *
 * `cmos` holds the 14 clock registers and the RAM, byte for byte as the chip stores them; two
 * bits are not stored there: register A's UIP bit (a function of virtual time) and register C's
 * IRQF bit (a function of the flags and enables), both computed when read.
 *
 * The divider chain is described by `nextUpdateEnd`, the virtual time at which the next update
 * cycle ends (it began 1984 us earlier; UIP rose 244 us before that), or -1 while the divider is
 * not counting. Flags for events up to `synced` have been applied to the registers; later events
 * are applied when the registers are next looked at (or by a timer, when an interrupt is enabled).
 *
 * Version history: 1 = first version (128 bytes); 2 = the chipset's upper 128-byte bank
 * (`upper`, `upperIndex`), all zero when the machine has no such bank. Pinned to version 1 (the
 * `pc-1.0` machine type), the device writes what version 1 reads, as long as the bank is unused.
 */
export const rtcState = defineState({
  name: 'rtc-mc146818',
  version: 2,
  minVersion: 1,
  fields: {
    /** Clock registers 00h-0Dh and RAM 0Eh-7Fh. */
    cmos: field.bytes(CMOS_SIZE),
    /** Register selected through port 70h bits 6-0. */
    index: field.u8({ range: [0, CMOS_SIZE - 1] }),
    /** Port 70h bit 7: NMI masked (a board latch beside the chip). */
    nmiMasked: field.bool(),
    /** End of the next update cycle (virtual ns), -1 while the divider is held or stopped. */
    nextUpdateEnd: field.timer(),
    /** Virtual time up to which updates and periodic flags have been applied. */
    synced: field.timer({ check: (v) => v >= 0 || 'synced must be a time' }),
    /** Upper bank (ports 72h/73h on PIIX4-class chipsets): CMOS bytes 80h-FFh. */
    upper: field.bytes(UPPER_SIZE, { since: 2 }),
    /** Byte of the upper bank selected through port 72h bits 6-0. */
    upperIndex: field.u8({ since: 2, range: [0, UPPER_SIZE - 1] }),
  },
  subsections: [
    // Rare: only between the October daylight-saving fall-back (1:59:59 AM -> 1:00:00 AM on the
    // last Sunday in October) and the end of that day, with DSE set.
    subsection({
      name: 'dst-fallback',
      version: 1,
      needed: (s) => s.fallBackDone === true,
      fields: {
        /** The October fall-back has happened today; the second pass through 1 AM runs on. */
        fallBackDone: field.bool({ default: false }),
      },
    }),
  ],
  validate: (s) => s.nextUpdateEnd === -1 || s.nextUpdateEnd > s.synced || 'the next update must end after the synced time',
});

export type RtcState = StateOf<typeof rtcState>;

/** Power-on state before the machine sets the time: registers A-D at their defaults, RAM zero. */
export function initialState(): RtcState {
  const s = defaultState(rtcState);
  s.cmos[REG_A] = DEFAULT_A;
  s.cmos[REG_B] = DEFAULT_B;
  s.cmos[REG_D] = D_VRT;
  s.nextUpdateEnd = -1;
  s.synced = 0;
  return Object.seal(s);
}
