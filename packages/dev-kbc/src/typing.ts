// Text to key events for the host's `type()`: the US English layout of the 101/102-key keyboard.
import { KEYS } from './scancodes';

/**
 * The keys a typing queue may hold, by index (the index is what a saved queue stores: append
 * new keys at the end, never reorder).
 */
export const KEY_ORDER: readonly string[] = Object.keys(KEYS);
const INDEX = new Map(KEY_ORDER.map((k, i) => [k, i]));
/** Event byte: key index in bits 0-6, release in bit 7. */
export const EVENT_RELEASE = 0x80;

const UNSHIFTED = "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./ ";
const SHIFTED = '~!@#$%^&*()_+QWERTYUIOP{}|ASDFGHJKL:"ZXCVBNM<>? ';
const CODES = [
  'Backquote', 'Digit1', 'Digit2', 'Digit3', 'Digit4', 'Digit5', 'Digit6', 'Digit7', 'Digit8', 'Digit9', 'Digit0', 'Minus', 'Equal',
  'KeyQ', 'KeyW', 'KeyE', 'KeyR', 'KeyT', 'KeyY', 'KeyU', 'KeyI', 'KeyO', 'KeyP', 'BracketLeft', 'BracketRight', 'Backslash',
  'KeyA', 'KeyS', 'KeyD', 'KeyF', 'KeyG', 'KeyH', 'KeyJ', 'KeyK', 'KeyL', 'Semicolon', 'Quote',
  'KeyZ', 'KeyX', 'KeyC', 'KeyV', 'KeyB', 'KeyN', 'KeyM', 'Comma', 'Period', 'Slash', 'Space',
];
const CONTROL: Readonly<Record<string, string>> = { '\r': 'Enter', '\n': 'Enter', '\t': 'Tab', '\b': 'Backspace', '\x1b': 'Escape' };

/** A character the US layout cannot type. */
export class UntypableCharacterError extends Error {
  override readonly name = 'UntypableCharacterError';
  constructor(readonly character: string, readonly position: number) {
    super(`character ${JSON.stringify(character)} at position ${position} has no key on the US layout`);
  }
}

/** The key events (press/release, with Shift where needed) that type `text`. */
export function textToEvents(text: string): Uint8Array {
  const out: number[] = [];
  const shift = INDEX.get('ShiftLeft')!;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    let name = CONTROL[ch];
    let shifted = false;
    if (name === undefined) {
      const u = UNSHIFTED.indexOf(ch);
      const s = u < 0 ? SHIFTED.indexOf(ch) : -1;
      if (u < 0 && s < 0) throw new UntypableCharacterError(ch, i);
      name = CODES[u >= 0 ? u : s]!;
      shifted = u < 0;
    }
    const key = INDEX.get(name)!;
    if (shifted) out.push(shift);
    out.push(key, key | EVENT_RELEASE);
    if (shifted) out.push(shift | EVENT_RELEASE);
  }
  return Uint8Array.from(out);
}
