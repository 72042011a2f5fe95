// The states the golden streams of this package hold, written out by hand (not produced by
// the device), so the streams stay meaningful whatever the device code becomes.
import type { KbcState } from '../../src/index';

/** Virtual time at which the golden streams were saved. */
export const GOLDEN_NOW = 2_000_000;

/**
 * Version 1 (controller and keyboard), in the middle of things: translation on, A20 off,
 * a translated byte (9Eh) in the output buffer, Arrow Left's make and break (set 2) waiting in
 * the keyboard, D1h waiting for its data byte, the keyboard waiting for the argument of EDh.
 */
export function goldenKbcV1(): KbcState {
  const ram = new Uint8Array(32);
  ram[0] = 0x45;
  ram[5] = 0xa5;
  const buffer = new Uint8Array(16);
  buffer.set([0xe0, 0x6b, 0xe0, 0xf0, 0x6b]);
  return {
    ram,
    outputPort: 0xcd,
    outputBuffer: 0x9e,
    obFull: true,
    obAux: false,
    lastWasCommand: true,
    timeout: false,
    translateBreak: false,
    transferAt: -1,
    keyboard: {
      buffer,
      count: 5,
      replies: new Uint8Array(4),
      replyCount: 0,
      scanning: true,
      scancodeSet: 2,
      typematic: 0x20,
      leds: 2,
      lastSent: 0xfa,
      awaiting: 0xed,
      // Subsection typematic-repeat (added after this golden was written): absent, so its defaults.
      repeatKey: 0,
      repeatAt: -1,
    },
    pendingCommand: 0xd1,
    // Subsection host-typing (added after this golden was written): absent, so its defaults.
    typing: new Uint8Array(0),
    typingAt: -1,
  };
}
