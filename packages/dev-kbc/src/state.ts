import { defaultState, defineState, field, subsection, type StateOf } from '@backplane/vmstate';
import {
  CB_KBD_INT,
  CB_AUX_INT,
  KB_BUFFER_SIZE,
  KB_SCANCODE_SET,
  KB_SET_LEDS,
  KB_TYPEMATIC,
  KB_TYPEMATIC_DEFAULT,
  OUTPUT_PORT_RESET,
  RAM_SIZE,
} from './registers';
import { KEY_ORDER } from './typing';

/** Controller commands that wait for a data byte at port 60h (60h-7Fh, D1h-D4h), or 0. */
const DATA_COMMANDS = [0, ...Array.from({ length: 32 }, (_, i) => 0x60 + i), 0xd1, 0xd2, 0xd3, 0xd4];
/** Key events the host may have queued with `type()`. */
export const TYPING_QUEUE_MAX = 65536;
/** Replies the keyboard can have queued at once (F2h: FAh ABh 83h, with room for one more). */
export const KB_REPLY_SIZE = 4;

/**
 * The PS/2 keyboard: its output buffer, the replies to commands (sent before any scan code),
 * its settings, and a command waiting for its argument byte (subsection `command-argument`,
 * present only in that rarer state).
 */
export const keyboardStateDescriptor = defineState({
  name: 'ps2-keyboard',
  version: 1,
  fields: {
    /** Scan codes waiting to be sent, oldest first. */
    buffer: field.bytes(KB_BUFFER_SIZE),
    count: field.u8({ range: [0, KB_BUFFER_SIZE] }),
    /** Replies to commands, sent before the scan codes. */
    replies: field.bytes(KB_REPLY_SIZE),
    replyCount: field.u8({ range: [0, KB_REPLY_SIZE] }),
    /** Scanning enabled (F4h) or disabled (F5h). */
    scanning: field.bool({ default: true }),
    /** Scan-code set in use (1 or 2). */
    scancodeSet: field.u8({ oneOf: [1, 2], default: 2 }),
    /** Typematic rate and delay byte (F3h). */
    typematic: field.u8({ range: [0, 0x7f], default: KB_TYPEMATIC_DEFAULT }),
    /** LEDs: bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock. */
    leds: field.u8({ range: [0, 7] }),
    /** The last byte sent (for the resend command). */
    lastSent: field.u8(),
  },
  subsections: [
    subsection({
      name: 'typematic-repeat',
      version: 1,
      needed: (s) => s.repeatKey !== 0,
      fields: {
        /** The key repeating (index in KEY_ORDER + 1), or 0 (only with the controller's `typematic` option). */
        repeatKey: field.u8({ check: (v) => v <= KEY_ORDER.length || 'a key index beyond the key table' }),
        /** When it repeats next (virtual ns), or -1. */
        repeatAt: field.timer(),
      },
    }),
    subsection({
      name: 'command-argument',
      version: 1,
      needed: (s) => s.awaiting !== 0,
      fields: {
        /** The command (EDh, F0h, F3h) whose argument byte is awaited, or 0. */
        awaiting: field.u8({ oneOf: [0, KB_SET_LEDS, KB_SCANCODE_SET, KB_TYPEMATIC] }),
      },
    }),
  ],
});

export type KeyboardState = StateOf<typeof keyboardStateDescriptor>;

/**
 * The 8042 and its keyboard, versioned. Version 1. The subsection `command-data` carries a
 * controller command waiting for its data byte (60h-7Fh, D1h-D4h): present only then;
 * `host-typing` carries key events the host queued with `type()` that are still to come.
 */
export const kbcStateDescriptor = defineState({
  name: 'kbc-8042',
  version: 1,
  fields: {
    /** Internal RAM; byte 0 is the controller command byte. */
    ram: field.bytes(RAM_SIZE, { default: Uint8Array.from({ length: RAM_SIZE }, (_, i) => (i === 0 ? CB_KBD_INT | CB_AUX_INT : 0)) }),
    /** Output port as last written (bits 4-5 are driven by the output buffer when read). */
    outputPort: field.u8({ default: OUTPUT_PORT_RESET }),
    /** The output buffer (port 60h), whether it is full, and whether its byte came from the auxiliary port. */
    outputBuffer: field.u8(),
    obFull: field.bool(),
    obAux: field.bool(),
    /** Status bit 3: the last write went to port 64h. */
    lastWasCommand: field.bool(),
    /** Status bit 6: the auxiliary device did not answer. */
    timeout: field.bool(),
    /** Translation: an F0h break prefix was seen; the next byte is translated with bit 7 set. */
    translateBreak: field.bool(),
    /** A byte on its way from the keyboard arrives at this virtual time (ns), or -1. */
    transferAt: field.timer(),
    keyboard: field.struct(keyboardStateDescriptor),
  },
  subsections: [
    subsection({
      name: 'command-data',
      version: 1,
      needed: (s) => s.pendingCommand !== 0,
      fields: {
        /** The controller command waiting for its data byte at port 60h, or 0. */
        pendingCommand: field.u8({ oneOf: DATA_COMMANDS }),
      },
    }),
    subsection({
      name: 'host-typing',
      version: 1,
      needed: (s) => s.typing.length > 0 || s.typingAt >= 0,
      fields: {
        /** Key events queued by `type()`: key index (see KEY_ORDER) in bits 0-6, release in bit 7. */
        typing: field.varBytes({ max: TYPING_QUEUE_MAX, check: (v) => v.every((e) => (e & 0x7f) < KEY_ORDER.length) || 'a key index beyond the key table' }),
        /** When the next of them is due (virtual ns), or -1. */
        typingAt: field.timer(),
      },
    }),
  ],
});

/** Everything the guest can see of the controller and its keyboard, in one plain object. */
export type KbcState = StateOf<typeof kbcStateDescriptor>;

/** The state after power-on. */
export function initialState(): KbcState {
  // Spread copies: the objects vmstate builds field by field are in V8's slow (dictionary) mode.
  const s = defaultState(kbcStateDescriptor);
  return { ...s, keyboard: { ...s.keyboard } };
}
