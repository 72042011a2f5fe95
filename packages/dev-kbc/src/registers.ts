// Intel 8042-based keyboard controller of the IBM PC/AT and PS/2 (IBM PS/2 Hardware Interface
// Technical Reference, "Keyboard/auxiliary device controller"; IBM PC/AT Technical Reference,
// "Keyboard controller"), and the IBM PS/2 keyboard's command set (same references, "Keyboard").

/** Data port: read the output buffer, write the input buffer as data. */
export const DATA_PORT = 0x60;
/** Status port (read) / command port (write). */
export const STATUS_PORT = 0x64;
/** IRQ of the keyboard (output buffer full with keyboard data). */
export const KBD_IRQ = 1;
/** IRQ of the auxiliary (mouse) port. */
export const AUX_IRQ = 12;

// ---- Status register (read 64h) ----
/** Output buffer full: a byte waits at port 60h. */
export const ST_OBF = 0x01;
/** Input buffer full: the controller has not taken the last byte written (never seen here: bytes are taken at once). */
export const ST_IBF = 0x02;
/** System flag: command byte bit 2 (0 after power-on, 1 after a successful self-test). */
export const ST_SYS = 0x04;
/** The last byte written went to port 64h (a command), not 60h (data). */
export const ST_CMD = 0x08;
/** Keyboard lock switch: 1 = not inhibited. */
export const ST_UNLOCKED = 0x10;
/** The byte in the output buffer came from the auxiliary device. */
export const ST_AUX_OBF = 0x20;
/** Timeout: the (auxiliary) device did not answer. */
export const ST_TIMEOUT = 0x40;
/** Parity error in the last byte from a device (never: the link here is perfect). */
export const ST_PARITY = 0x80;

// ---- Controller command byte (internal RAM byte 0) ----
/** Raise IRQ 1 when the output buffer holds keyboard data. */
export const CB_KBD_INT = 0x01;
/** Raise IRQ 12 when the output buffer holds auxiliary data. */
export const CB_AUX_INT = 0x02;
/** System flag (status bit 2). */
export const CB_SYS = 0x04;
/** AT: keyboard inhibit override (ignored: the lock switch is never inhibiting). */
export const CB_OVERRIDE = 0x08;
/** Disable the keyboard interface (clock held low: the keyboard cannot send). */
export const CB_KBD_DISABLE = 0x10;
/** Disable the auxiliary interface. */
export const CB_AUX_DISABLE = 0x20;
/** Translate keyboard bytes from scan-code set 2 to set 1. */
export const CB_TRANSLATE = 0x40;

// ---- Output port (D0/D1) ----
/** System reset: 0 resets the processor. */
export const OP_RESET = 0x01;
/** Gate A20. */
export const OP_A20 = 0x02;
export const OP_AUX_CLOCK = 0x04;
export const OP_AUX_DATA = 0x08;
/** Output buffer full with keyboard data (the IRQ 1 line). */
export const OP_KBD_OBF = 0x10;
/** Output buffer full with auxiliary data (the IRQ 12 line). */
export const OP_AUX_OBF = 0x20;
export const OP_KBD_CLOCK = 0x40;
export const OP_KBD_DATA = 0x80;
/** Output port after power-on: not in reset, A20 enabled, both interfaces' lines idle high. */
export const OUTPUT_PORT_RESET = OP_RESET | OP_A20 | OP_AUX_CLOCK | OP_AUX_DATA | OP_KBD_CLOCK | OP_KBD_DATA;

/**
 * Input port (C0) of an AT-compatible board: bit 7 keyboard not inhibited, bit 6 colour
 * display (0), bit 5 no manufacturing jumper (1), bit 4 512 KB on the system board (1).
 */
export const INPUT_PORT_DEFAULT = 0xb0;

// ---- Controller commands (write 64h) ----
/** 20h-3Fh: read internal RAM byte (20h: the command byte). */
export const CMD_READ_RAM = 0x20;
/** 60h-7Fh: write internal RAM byte (60h: the command byte); the byte follows at port 60h. */
export const CMD_WRITE_RAM = 0x60;
export const CMD_DISABLE_AUX = 0xa7;
export const CMD_ENABLE_AUX = 0xa8;
/** Auxiliary interface test: 00h = no error. */
export const CMD_TEST_AUX = 0xa9;
/** Controller self-test: 55h = passed. */
export const CMD_SELF_TEST = 0xaa;
/** Keyboard interface test: 00h = no error. */
export const CMD_TEST_KBD = 0xab;
export const CMD_DISABLE_KBD = 0xad;
export const CMD_ENABLE_KBD = 0xae;
export const CMD_READ_INPUT = 0xc0;
export const CMD_READ_OUTPUT = 0xd0;
/** Write the output port; the byte follows at port 60h. */
export const CMD_WRITE_OUTPUT = 0xd1;
/** Write the keyboard output buffer (as if the keyboard had sent the byte). */
export const CMD_WRITE_KBD_OB = 0xd2;
/** Write the auxiliary output buffer (as if the auxiliary device had sent the byte). */
export const CMD_WRITE_AUX_OB = 0xd3;
/** Send the next byte to the auxiliary device. */
export const CMD_WRITE_AUX = 0xd4;
/** F0h-FFh: pulse the output port bits whose command bit (0-3) is 0, for about 6 us. */
export const CMD_PULSE = 0xf0;

/** Self-test passed. */
export const SELF_TEST_OK = 0x55;
/** Interface test: no error. */
export const INTERFACE_OK = 0x00;
/** Size of the controller's internal RAM (the command byte is byte 0). */
export const RAM_SIZE = 32;

// ---- PS/2 keyboard commands (write 60h with no controller command pending) ----
export const KB_SET_LEDS = 0xed;
export const KB_ECHO = 0xee;
export const KB_SCANCODE_SET = 0xf0;
export const KB_IDENTIFY = 0xf2;
export const KB_TYPEMATIC = 0xf3;
export const KB_ENABLE = 0xf4;
export const KB_DEFAULT_DISABLE = 0xf5;
export const KB_SET_DEFAULT = 0xf6;
export const KB_RESEND = 0xfe;
export const KB_RESET = 0xff;

// ---- PS/2 keyboard responses ----
export const KB_ACK = 0xfa;
export const KB_RESEND_REQUEST = 0xfe;
/** Basic assurance test passed. */
export const KB_BAT_OK = 0xaa;
export const KB_ECHO_REPLY = 0xee;
/** Keyboard ID: AB 83 (MF2 keyboard). */
export const KB_ID: readonly number[] = [0xab, 0x83];
/** Typematic rate/delay after power-on and F5/F6: 10.9 characters/s, 500 ms. */
export const KB_TYPEMATIC_DEFAULT = 0x2b;
/** Keyboard output buffer size (16 bytes; an overrun code replaces the last). */
export const KB_BUFFER_SIZE = 16;
/** Overrun code in scan-code sets 2 and 3 (set 1: FFh). */
export const KB_OVERRUN_SET2 = 0x00;
export const KB_OVERRUN_SET1 = 0xff;

/**
 * Time for one byte on the keyboard's serial link: 11 bits (start, 8 data, parity, stop) at
 * about 12.5 kHz (the PS/2 clock runs at 10 to 16.7 kHz).
 */
export const PS2_BYTE_NS = 880_000;

/**
 * Typematic period and delay of the F3h byte (IBM keyboard reference): period =
 * (8 + bits 0-2) x 2^(bits 3-4) x 4.17 ms; delay = (1 + bits 5-6) x 250 ms.
 */
export function typematicPeriodNs(byte: number): number {
  return (8 + (byte & 0x07)) * (1 << ((byte >> 3) & 0x03)) * 4_170_000;
}
export function typematicDelayNs(byte: number): number {
  return (1 + ((byte >> 5) & 0x03)) * 250_000_000;
}
