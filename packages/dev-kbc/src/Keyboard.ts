import { BehaviorSubject, type Observable } from 'rxjs';
import {
  KB_ACK,
  KB_BAT_OK,
  KB_BUFFER_SIZE,
  KB_DEFAULT_DISABLE,
  KB_ECHO,
  KB_ECHO_REPLY,
  KB_ENABLE,
  KB_ID,
  KB_IDENTIFY,
  KB_OVERRUN_SET1,
  KB_OVERRUN_SET2,
  KB_RESEND,
  KB_RESEND_REQUEST,
  KB_RESET,
  KB_SCANCODE_SET,
  KB_SET_DEFAULT,
  KB_SET_LEDS,
  KB_TYPEMATIC,
  KB_TYPEMATIC_DEFAULT,
} from './registers';
import { BREAK_PREFIX, EXTENDED, KEYS, SEQUENCES, SET1_BREAK } from './scancodes';
import { KB_REPLY_SIZE, type KeyboardState } from './state';

/** A key the keyboard does not have (host mistake). */
export class UnknownKeyError extends Error {
  override readonly name = 'UnknownKeyError';
  constructor(readonly key: string | number) {
    super(`no key ${typeof key === 'number' ? `with set 1 code ${key.toString(16)}h` : `named "${key}"`} on the keyboard`);
  }
}

/** A key: its W3C `code` name ("KeyA", "Enter", "ArrowUp"...), or its set 1 make code (E0nn for extended keys). */
export type KeyId = string | number;

const BY_SET1 = new Map<number, string>(Object.entries(KEYS).map(([name, [set1]]) => [set1, name]));

/**
 * An IBM PS/2 (MF2) keyboard: the commands of its interface (reset, LEDs, echo, identify,
 * scan-code set 1 or 2, typematic, enable/disable, defaults, resend), a 16-byte output buffer,
 * and scan codes for key presses and releases. Its state is a slice of the controller's state
 * object; the controller takes bytes from it with `take()` when its output buffer is free.
 */
export class Keyboard {
  private readonly ledsSubject: BehaviorSubject<number>;
  /** The LEDs (bit 0 Scroll Lock, bit 1 Num Lock, bit 2 Caps Lock), now and on every change. */
  readonly leds$: Observable<number>;

  constructor(
    private readonly state: () => KeyboardState,
    /** Told when the keyboard has something to send. */
    private readonly onData: () => void,
  ) {
    this.ledsSubject = new BehaviorSubject(state().leds);
    this.leds$ = this.ledsSubject.asObservable();
  }

  get hasData(): boolean {
    const k = this.state();
    return k.replyCount > 0 || k.count > 0;
  }

  /** The next byte to send: replies to commands first, then scan codes. */
  take(): number {
    const k = this.state();
    let byte: number;
    if (k.replyCount > 0) {
      byte = k.replies[0]!;
      k.replies.copyWithin(0, 1, k.replyCount);
      k.replyCount--;
    } else if (k.count > 0) {
      byte = k.buffer[0]!;
      k.buffer.copyWithin(0, 1, k.count);
      k.count--;
    } else return k.lastSent;
    k.lastSent = byte;
    return byte;
  }

  /** A byte from the controller (the host wrote port 60h). */
  write(byte: number): void {
    const k = this.state();
    if (k.awaiting !== 0) {
      if (this.argument(k, k.awaiting, byte)) {
        this.onData();
        return;
      }
      // Not a valid argument: a command ends the wait and runs; anything else is refused.
      if (!isCommand(byte)) {
        this.reply(k, KB_RESEND_REQUEST);
        this.onData();
        return;
      }
      k.awaiting = 0;
    }
    this.command(k, byte);
    this.onData();
  }

  /** Power-on: defaults, LEDs off, scanning, nothing queued. */
  powerOn(): void {
    const k = this.state();
    this.defaults(k);
    k.count = 0;
    k.replyCount = 0;
    k.awaiting = 0;
    k.lastSent = 0;
    k.scanning = true;
    this.setLeds(k, 0);
  }

  /** Publish the LEDs after the state was replaced (a load). */
  refresh(): void {
    this.ledsSubject.next(this.state().leds);
  }

  // ---------------------------------------------------------------- keys

  /** A key goes down (again, for a typematic repeat): its make code is queued. False if not scanning. */
  press(key: KeyId): boolean {
    return this.key(key, false);
  }

  /** A key comes up: its break code is queued (Pause has none). */
  release(key: KeyId): boolean {
    return this.key(key, true);
  }

  /** The name of a key (W3C `code`), or UnknownKeyError. */
  keyName(key: KeyId): string {
    const name = typeof key === 'number' ? BY_SET1.get(key) : key;
    if (name === undefined || (KEYS[name] === undefined && SEQUENCES[name] === undefined)) throw new UnknownKeyError(key);
    return name;
  }

  private key(key: KeyId, up: boolean): boolean {
    const k = this.state();
    const name = typeof key === 'number' ? BY_SET1.get(key) : key;
    const code = name === undefined ? undefined : KEYS[name];
    const sequence = name === undefined ? undefined : SEQUENCES[name];
    if (code === undefined && sequence === undefined) throw new UnknownKeyError(key);
    if (!k.scanning) return false;
    if (sequence) {
      for (const b of (k.scancodeSet === 1 ? sequence.set1 : sequence.set2)[up ? 1 : 0]) this.queue(k, b);
    } else {
      const c = k.scancodeSet === 1 ? code![0] : code![1];
      if (c > 0xff) this.queue(k, EXTENDED);
      if (k.scancodeSet === 1) this.queue(k, (c & 0xff) | (up ? SET1_BREAK : 0));
      else {
        if (up) this.queue(k, BREAK_PREFIX);
        this.queue(k, c & 0xff);
      }
    }
    this.onData();
    return true;
  }

  /** Queue a scan code; a full buffer keeps its contents and ends with the overrun code. */
  private queue(k: KeyboardState, byte: number): void {
    if (k.count < KB_BUFFER_SIZE) k.buffer[k.count++] = byte;
    else k.buffer[KB_BUFFER_SIZE - 1] = k.scancodeSet === 1 ? KB_OVERRUN_SET1 : KB_OVERRUN_SET2;
  }

  // ---------------------------------------------------------------- commands

  private command(k: KeyboardState, byte: number): void {
    switch (byte) {
      case KB_SET_LEDS:
      case KB_SCANCODE_SET:
      case KB_TYPEMATIC:
        k.awaiting = byte;
        this.reply(k, KB_ACK);
        return;
      case KB_ECHO:
        this.reply(k, KB_ECHO_REPLY);
        return;
      case KB_IDENTIFY:
        this.reply(k, KB_ACK);
        for (const b of KB_ID) this.reply(k, b);
        return;
      case KB_ENABLE:
        k.count = 0;
        k.scanning = true;
        this.reply(k, KB_ACK);
        return;
      case KB_DEFAULT_DISABLE:
        this.defaults(k);
        k.count = 0;
        k.scanning = false;
        this.reply(k, KB_ACK);
        return;
      case KB_SET_DEFAULT:
        this.defaults(k);
        k.count = 0;
        k.scanning = true;
        this.reply(k, KB_ACK);
        return;
      case KB_RESEND:
        this.reply(k, k.lastSent);
        return;
      case KB_RESET:
        this.defaults(k);
        k.count = 0;
        k.replyCount = 0;
        k.scanning = true;
        this.setLeds(k, 0);
        this.reply(k, KB_ACK);
        this.reply(k, KB_BAT_OK);
        return;
      default:
        // Not a command of this keyboard (including the set 3 key-type commands F7h-FDh).
        this.reply(k, KB_RESEND_REQUEST);
    }
  }

  /** Try `byte` as the argument of `command`; false if it is not a valid one. */
  private argument(k: KeyboardState, command: number, byte: number): boolean {
    switch (command) {
      case KB_SET_LEDS:
        if (byte & ~0x07) return false;
        this.setLeds(k, byte);
        break;
      case KB_TYPEMATIC:
        if (byte & 0x80) return false;
        k.typematic = byte;
        break;
      case KB_SCANCODE_SET:
        // 0 asks for the current set; sets 1 and 2 are supported (set 3 is refused).
        if (byte > 2) return false;
        k.awaiting = 0;
        this.reply(k, KB_ACK);
        if (byte === 0) this.reply(k, k.scancodeSet);
        else {
          k.scancodeSet = byte;
          k.count = 0;
        }
        return true;
    }
    k.awaiting = 0;
    this.reply(k, KB_ACK);
    return true;
  }

  private reply(k: KeyboardState, byte: number): void {
    if (k.replyCount < KB_REPLY_SIZE) k.replies[k.replyCount++] = byte;
  }

  private defaults(k: KeyboardState): void {
    k.scancodeSet = 2;
    k.typematic = KB_TYPEMATIC_DEFAULT;
    k.repeatKey = 0;
    k.repeatAt = -1;
  }

  private setLeds(k: KeyboardState, leds: number): void {
    k.leds = leds;
    if (this.ledsSubject.value !== leds) this.ledsSubject.next(leds);
  }
}

/** The bytes this keyboard takes as commands. */
function isCommand(byte: number): boolean {
  return byte === KB_SET_LEDS || byte === KB_ECHO || byte >= KB_SCANCODE_SET && byte !== 0xf1;
}
