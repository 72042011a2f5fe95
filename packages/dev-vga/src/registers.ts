// VGA register map (IBM VGA Technical Reference; colour I/O addresses, 3Dxh).

export const ATTR_INDEX = 0x3c0; // attribute controller: index/data flip-flop (write)
export const ATTR_DATA_READ = 0x3c1;
export const MISC_WRITE = 0x3c2; // miscellaneous output (write); 3C2h read: input status 0
export const SEQ_INDEX = 0x3c4;
export const SEQ_DATA = 0x3c5;
export const DAC_MASK = 0x3c6;
export const DAC_READ_INDEX = 0x3c7; // write: read index; read: DAC state
export const DAC_WRITE_INDEX = 0x3c8;
export const DAC_DATA = 0x3c9;
export const FEATURE_READ = 0x3ca;
export const MISC_READ = 0x3cc;
export const GC_INDEX = 0x3ce;
export const GC_DATA = 0x3cf;
export const CRTC_INDEX = 0x3d4;
export const CRTC_DATA = 0x3d5;
export const INPUT_STATUS_1 = 0x3da; // read: status (resets the attribute flip-flop); write: feature control

/** CRT controller registers used by text mode. */
export const CRTC_CURSOR_START = 0x0a; // bit 5: cursor off
export const CRTC_CURSOR_END = 0x0b;
export const CRTC_START_HIGH = 0x0c;
export const CRTC_START_LOW = 0x0d;
export const CRTC_CURSOR_HIGH = 0x0e;
export const CRTC_CURSOR_LOW = 0x0f;
export const CRTC_VRETRACE_END = 0x11; // bit 7: protect registers 0-7
export const CRTC_REGISTERS = 0x19;

/** Input status 1 bits. */
export const STATUS_DISPLAY_DISABLED = 0x01;
export const STATUS_VRETRACE = 0x08;

/** The text buffer of the colour text modes. */
export const TEXT_BASE = 0xb8000;
export const TEXT_SIZE = 0x8000;

/**
 * Register values of text mode 3 (80x25, 720x400 at 70 Hz), as the VGA BIOS programs them:
 * the adapter comes up in this mode, since there is no video BIOS to set it.
 */
export const MODE3_CRTC = [
  0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28,
  0x1f, 0x96, 0xb9, 0xa3, 0xff,
];
export const MODE3_SEQ = [0x03, 0x00, 0x03, 0x00, 0x02];
export const MODE3_GC = [0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x0e, 0x00, 0xff];
export const MODE3_ATTR = [
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x0c, 0x00, 0x0f, 0x08,
  0x00,
];
export const MODE3_MISC = 0x67;

/**
 * Display timing of the 720x400 70 Hz text mode: 28.322 MHz dot clock, 900 dots per line
 * (720 shown), 449 lines per frame (400 shown), vertical sync on lines 412-413.
 */
export const LINE_NS = 31_778;
export const ACTIVE_LINE_NS = 25_422;
export const LINES_PER_FRAME = 449;
export const ACTIVE_LINES = 400;
export const VSYNC_FIRST_LINE = 412;
export const VSYNC_LINES = 2;
