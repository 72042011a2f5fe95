import { BusRangeError, IrqLine, type Bus, type Device, type PortClaim, type Timer, type VirtualClock } from '@backplane/bus';
import type { Migratable } from '@backplane/vmstate';
import type { Observable } from 'rxjs';
import { Keyboard, type KeyId } from './Keyboard';
import {
  AUX_IRQ,
  CB_AUX_DISABLE,
  CB_AUX_INT,
  CB_KBD_DISABLE,
  CB_KBD_INT,
  CB_SYS,
  CB_TRANSLATE,
  CMD_DISABLE_AUX,
  CMD_DISABLE_KBD,
  CMD_ENABLE_AUX,
  CMD_ENABLE_KBD,
  CMD_PULSE,
  CMD_READ_INPUT,
  CMD_READ_OUTPUT,
  CMD_READ_RAM,
  CMD_SELF_TEST,
  CMD_TEST_AUX,
  CMD_TEST_KBD,
  CMD_WRITE_AUX,
  CMD_WRITE_AUX_OB,
  CMD_WRITE_KBD_OB,
  CMD_WRITE_OUTPUT,
  CMD_WRITE_RAM,
  DATA_PORT,
  INPUT_PORT_DEFAULT,
  INTERFACE_OK,
  KBD_IRQ,
  KB_BUFFER_SIZE,
  KB_RESEND_REQUEST,
  OP_A20,
  OP_AUX_OBF,
  OP_KBD_OBF,
  OP_RESET,
  PS2_BYTE_NS,
  typematicDelayNs,
  typematicPeriodNs,
  RAM_SIZE,
  SELF_TEST_OK,
  STATUS_PORT,
  ST_AUX_OBF,
  ST_CMD,
  ST_OBF,
  ST_SYS,
  ST_TIMEOUT,
  ST_UNLOCKED,
} from './registers';
import { BREAK_PREFIX, SET2_TO_SET1 } from './scancodes';
import { TYPING_QUEUE_MAX, initialState, kbcStateDescriptor, type KbcState } from './state';
import { EVENT_RELEASE, KEY_ORDER, textToEvents } from './typing';

/** Where the controller sits on the ISA bus. */
export interface KbcResources {
  /** Data port (60h). */
  readonly dataPort: number;
  /** Status/command port (64h). */
  readonly statusPort: number;
  /** Keyboard IRQ (1). */
  readonly irq: number;
  /** Auxiliary-port IRQ (12); -1 for none. */
  readonly auxIrq: number;
}

export interface KbcOptions {
  /**
   * Time for one byte from the keyboard to reach the output buffer (default 880 us, one byte on
   * the PS/2 link). 0 delivers each byte the moment the output buffer is free.
   */
  readonly byteDelayNs?: number;
  /** What command C0h reads (default B0h: an AT-compatible board, keyboard not inhibited). */
  readonly inputPort?: number;
  /** Time between key events of `type()` (default 5 ms). */
  readonly typingIntervalNs?: number;
  /**
   * Repeat a held key in virtual time at the F3h rate and delay (default false: the host's own
   * key repeat calls `press` again, as browsers and terminals do).
   */
  readonly typematic?: boolean;
}

/** Default time between the key events of `type()`. */
export const TYPING_INTERVAL_NS = 5_000_000;

type CommandHandler = (kbc: Kbc, command: number) => void;

/**
 * An 8042 keyboard controller with a PS/2 keyboard and an empty auxiliary port. Guest side:
 * ports 60h/64h, IRQ 1 (and 12). Machine side: `a20` (output port bit 1) and `resetRequest`
 * (pulsed when output port bit 0 is driven low) as lines the machine wires; the controller
 * never calls the CPU or memory. Host side: `press`/`release` keys, `leds$`.
 */
export class Kbc implements Device, Migratable<typeof kbcStateDescriptor> {
  readonly descriptor = kbcStateDescriptor;
  readonly state: KbcState = sealed(initialState());
  readonly keyboard: Keyboard;
  /** Gate A20 (output port bit 1). */
  readonly a20: IrqLine;
  /** Pulsed when the controller resets the processor (output port bit 0 driven low). */
  readonly resetRequest: IrqLine;
  readonly resources: KbcResources;
  private readonly byteDelay: number;
  private readonly inputPort: number;
  private irq1: IrqLine | undefined;
  private irq12: IrqLine | undefined;
  private clock: VirtualClock | undefined;
  private transfer: Timer | undefined;
  private typingTimer: Timer | undefined;
  private repeatTimer: Timer | undefined;
  private readonly typematic: boolean;
  private readonly typingInterval: number;
  private claims: PortClaim[] = [];

  constructor(
    readonly id: string,
    resources: Partial<KbcResources> = {},
    options: KbcOptions = {},
  ) {
    this.resources = {
      dataPort: resources.dataPort ?? DATA_PORT,
      statusPort: resources.statusPort ?? STATUS_PORT,
      irq: resources.irq ?? KBD_IRQ,
      auxIrq: resources.auxIrq ?? AUX_IRQ,
    };
    this.byteDelay = options.byteDelayNs ?? PS2_BYTE_NS;
    if (!(this.byteDelay >= 0) || !Number.isFinite(this.byteDelay)) throw new RangeError(`${id}: byteDelayNs must be a non-negative number`);
    this.inputPort = (options.inputPort ?? INPUT_PORT_DEFAULT) & 0xff;
    this.typingInterval = options.typingIntervalNs ?? TYPING_INTERVAL_NS;
    this.typematic = options.typematic ?? false;
    if (!(this.typingInterval > 0) || !Number.isFinite(this.typingInterval)) throw new RangeError(`${id}: typingIntervalNs must be a positive number`);
    this.keyboard = new Keyboard(
      () => this.state.keyboard,
      () => this.pump(),
    );
    this.a20 = new IrqLine(`${id}.a20`);
    this.resetRequest = new IrqLine(`${id}.reset`);
    this.a20.set((this.state.outputPort & OP_A20) !== 0);
  }

  /** Claim the ports, the timer and the IRQ wires; on a bad resource nothing is left claimed. */
  plug(bus: Bus): void {
    const { dataPort, statusPort, irq, auxIrq } = this.resources;
    for (const n of auxIrq >= 0 ? [irq, auxIrq] : [irq])
      if (!Number.isInteger(n) || n < 0 || n >= bus.irq.wires) throw new BusRangeError(`${this.id}: IRQ ${n} is not one of the board's ${bus.irq.wires} wires`);
    const claims: PortClaim[] = [];
    try {
      claims.push(
        bus.io.claim(this.id, dataPort, 1, {
          read8: () => this.readData(),
          write8: (_o, v) => this.writeData(v),
        }),
      );
      claims.push(
        bus.io.claim(`${this.id}.status`, statusPort, 1, {
          read8: () => this.readStatus(),
          write8: (_o, v) => this.writeCommand(v),
        }),
      );
      const timers: Timer[] = [];
      try {
        for (const [name, cb] of [
          ['kbd-byte', () => this.deliver()],
          ['typing', () => this.typeNext()],
          ['typematic', () => this.repeatNext()],
        ] as const)
          timers.push(bus.clock.timer(`${this.id}.${name}`, cb));
      } catch (e) {
        for (const t of timers) bus.clock.disposeTimer(t);
        throw e;
      }
      [this.transfer, this.typingTimer, this.repeatTimer] = timers;
    } catch (e) {
      for (const c of claims) c.release();
      throw e;
    }
    this.claims = claims;
    this.clock = bus.clock;
    this.irq1 = bus.irq.line(irq, this.id);
    if (auxIrq >= 0) this.irq12 = bus.irq.line(auxIrq, `${this.id}.aux`);
    if (this.state.transferAt >= 0) this.transfer!.armAt(this.state.transferAt);
    this.rearmTyping();
    if (this.state.keyboard.repeatAt >= 0) this.repeatTimer!.armAt(this.state.keyboard.repeatAt);
    this.updateIrq();
    this.pump();
  }

  unplug(): void {
    for (const c of this.claims) c.release();
    this.claims = [];
    if (this.clock && this.transfer) this.clock.disposeTimer(this.transfer);
    if (this.clock && this.typingTimer) this.clock.disposeTimer(this.typingTimer);
    if (this.clock && this.repeatTimer) this.clock.disposeTimer(this.repeatTimer);
    this.transfer = this.typingTimer = this.repeatTimer = undefined;
    this.irq1?.lower();
    this.irq12?.lower();
    this.irq1 = this.irq12 = undefined;
  }

  /** Power-on reset of controller and keyboard: command byte 03h, output port CFh (A20 on), buffers empty. */
  reset(): void {
    const fresh = initialState();
    const s = this.state;
    s.ram.set(fresh.ram);
    s.outputPort = fresh.outputPort;
    s.outputBuffer = 0;
    s.obFull = s.obAux = s.lastWasCommand = s.timeout = s.translateBreak = false;
    s.pendingCommand = 0;
    s.transferAt = -1;
    this.transfer?.cancel();
    this.repeatTimer?.cancel();
    this.keyboard.powerOn();
    this.a20.set((s.outputPort & OP_A20) !== 0);
    this.updateIrq();
  }

  // ---------------------------------------------------------------- host side

  /**
   * A key goes down (or, from the host's own key repeat, repeats). With the `typematic` option
   * the keyboard repeats the last key pressed itself until it is released. Returns false if the
   * keyboard is not scanning.
   */
  press(key: KeyId): boolean {
    const sent = this.keyboard.press(key);
    if (this.typematic) {
      const k = this.state.keyboard;
      const index = KEY_ORDER.indexOf(this.keyboard.keyName(key));
      // Only the last key pressed repeats; Print Screen and Pause do not.
      k.repeatKey = sent && index >= 0 ? index + 1 : 0;
      if (k.repeatKey && this.clock && this.repeatTimer) {
        k.repeatAt = this.clock.now + typematicDelayNs(k.typematic);
        this.repeatTimer.armAt(k.repeatAt);
      } else this.stopRepeat();
    }
    return sent;
  }

  /** A key comes up (and stops repeating). */
  release(key: KeyId): boolean {
    const sent = this.keyboard.release(key);
    const k = this.state.keyboard;
    if (k.repeatKey && KEY_ORDER[k.repeatKey - 1] === this.keyboard.keyName(key)) this.stopRepeat();
    return sent;
  }

  private stopRepeat(): void {
    const k = this.state.keyboard;
    k.repeatKey = 0;
    k.repeatAt = -1;
    this.repeatTimer?.cancel();
  }

  /** Typematic: the held key's make code again, then every period. */
  private repeatNext(): void {
    const k = this.state.keyboard;
    k.repeatAt = -1;
    if (!k.repeatKey || !k.scanning || !this.clock || !this.repeatTimer) {
      k.repeatKey = 0;
      return;
    }
    this.keyboard.press(KEY_ORDER[k.repeatKey - 1]!);
    k.repeatAt = this.clock.now + typematicPeriodNs(k.typematic);
    this.repeatTimer.armAt(k.repeatAt);
  }

  /**
   * Type `text` on a US layout: press and release events (with Shift where needed), one every
   * `typingIntervalNs` of virtual time while the keyboard scans and its buffer has room, so
   * nothing is lost however long the text. Enter for CR and LF, Tab, Backspace, Escape. Throws
   * UntypableCharacterError (queuing nothing) for a character the layout has no key for.
   * Returns the number of key events queued (the queue holds at most 64 Ki events).
   */
  type(text: string): number {
    const events = textToEvents(text);
    const s = this.state;
    const n = Math.min(TYPING_QUEUE_MAX - s.typing.length, events.length);
    if (n <= 0) return 0;
    const q = new Uint8Array(s.typing.length + n);
    q.set(s.typing);
    q.set(events.subarray(0, n), s.typing.length);
    s.typing = q;
    if (s.typingAt < 0) this.armTyping();
    return n;
  }

  /** Key events queued by `type()` still to come. */
  get typingPending(): number {
    return this.state.typing.length;
  }

  /** Keyboard LEDs (bit 0 Scroll, 1 Num, 2 Caps Lock). */
  get leds$(): Observable<number> {
    return this.keyboard.leds$;
  }

  /** The controller command byte. */
  get commandByte(): number {
    return this.state.ram[0]!;
  }

  // ---------------------------------------------------------------- save and load

  saveState(): KbcState {
    return this.state;
  }

  /** Adopt a validated state: re-arm the byte transfer, drive A20 and the IRQs (no reset pulse). */
  loadState(state: KbcState): void {
    const s = this.state;
    s.ram.set(state.ram);
    s.outputPort = state.outputPort;
    s.outputBuffer = state.outputBuffer;
    s.obFull = state.obFull;
    s.obAux = state.obAux;
    s.lastWasCommand = state.lastWasCommand;
    s.timeout = state.timeout;
    s.translateBreak = state.translateBreak;
    s.transferAt = state.transferAt;
    s.pendingCommand = state.pendingCommand;
    s.typing = state.typing.slice();
    s.typingAt = state.typingAt;
    const k = s.keyboard;
    const l = state.keyboard;
    k.buffer.set(l.buffer);
    k.count = l.count;
    k.replies.set(l.replies);
    k.replyCount = l.replyCount;
    k.scanning = l.scanning;
    k.scancodeSet = l.scancodeSet;
    k.typematic = l.typematic;
    k.leds = l.leds;
    k.lastSent = l.lastSent;
    k.awaiting = l.awaiting;
    k.repeatKey = l.repeatKey;
    k.repeatAt = l.repeatAt;
    this.keyboard.refresh();
    if (this.transfer) {
      if (s.transferAt >= 0) this.transfer.armAt(s.transferAt);
      else this.transfer.cancel();
    }
    this.rearmTyping();
    if (this.repeatTimer) {
      if (k.repeatAt >= 0) this.repeatTimer.armAt(k.repeatAt);
      else this.repeatTimer.cancel();
    }
    this.a20.set((s.outputPort & OP_A20) !== 0);
    this.updateIrq();
    this.pump();
  }

  private armTyping(): void {
    if (!this.clock || !this.typingTimer) return;
    this.state.typingAt = this.clock.now + this.typingInterval;
    this.typingTimer.armAt(this.state.typingAt);
  }

  private rearmTyping(): void {
    const s = this.state;
    if (!this.typingTimer) return;
    if (s.typingAt >= 0) this.typingTimer.armAt(s.typingAt);
    else if (s.typing.length > 0) this.armTyping();
    else this.typingTimer.cancel();
  }

  /** The next typed key event, if the keyboard scans and has room for its longest code (3 bytes). */
  private typeNext(): void {
    const s = this.state;
    s.typingAt = -1;
    if (s.typing.length === 0) return;
    const k = s.keyboard;
    if (k.scanning && k.count <= KB_BUFFER_SIZE - 3) {
      const event = s.typing[0]!;
      s.typing = s.typing.slice(1);
      const key = KEY_ORDER[event & ~EVENT_RELEASE]!;
      if (event & EVENT_RELEASE) this.keyboard.release(key);
      else this.keyboard.press(key);
    }
    if (s.typing.length > 0) this.armTyping();
  }

  // ---------------------------------------------------------------- ports

  private readData(): number {
    const s = this.state;
    // With the buffer empty, the last byte is read again.
    const value = s.outputBuffer;
    if (s.obFull) {
      s.obFull = false;
      s.obAux = false;
      s.timeout = false;
      this.updateIrq();
      this.pump();
    }
    return value;
  }

  private readStatus(): number {
    const s = this.state;
    return (
      (s.obFull ? ST_OBF : 0) |
      (s.ram[0]! & CB_SYS ? ST_SYS : 0) |
      (s.lastWasCommand ? ST_CMD : 0) |
      ST_UNLOCKED |
      (s.obFull && s.obAux ? ST_AUX_OBF : 0) |
      (s.timeout ? ST_TIMEOUT : 0)
    );
  }

  private writeData(value: number): void {
    const s = this.state;
    s.lastWasCommand = false;
    const command = s.pendingCommand;
    if (command !== 0) {
      s.pendingCommand = 0;
      this.commandData(command, value);
      return;
    }
    // Data for the keyboard; sending to it re-enables the keyboard interface.
    s.ram[0] = s.ram[0]! & ~CB_KBD_DISABLE;
    this.keyboard.write(value);
  }

  private writeCommand(value: number): void {
    const s = this.state;
    s.lastWasCommand = true;
    s.pendingCommand = 0;
    COMMANDS[value]!(this, value);
  }

  // ---------------------------------------------------------------- controller commands

  /** @internal command table entries */
  readRam(command: number): void {
    this.output(this.state.ram[command & (RAM_SIZE - 1)]!, false);
  }

  /** @internal */
  awaitData(command: number): void {
    this.state.pendingCommand = command;
  }

  /** @internal */
  setCommandBits(set: number, clear: number): void {
    const s = this.state;
    s.ram[0] = (s.ram[0]! & ~clear) | set;
    this.updateIrq();
    this.pump();
  }

  /** @internal */
  selfTest(): void {
    this.state.ram[0] = this.state.ram[0]! | CB_SYS;
    this.output(SELF_TEST_OK, false);
  }

  /** @internal */
  reply(byte: number): void {
    this.output(byte, false);
  }

  /** @internal */
  readInputPort(): void {
    this.output(this.inputPort, false);
  }

  /** @internal */
  readOutputPort(): void {
    const s = this.state;
    const obf = s.obFull ? (s.obAux ? OP_AUX_OBF : OP_KBD_OBF) : 0;
    this.output((s.outputPort & ~(OP_KBD_OBF | OP_AUX_OBF)) | obf, false);
  }

  /** @internal F0h-FFh: bits 0-3 clear = pulse that output-port bit low for about 6 us. */
  pulse(command: number): void {
    // Only the reset line (bit 0) has an effect that outlasts 6 us: the processor restarts.
    if (!(command & OP_RESET)) this.resetRequest.pulse();
  }

  private commandData(command: number, value: number): void {
    const s = this.state;
    if (command >= CMD_WRITE_RAM && command < CMD_WRITE_RAM + RAM_SIZE) {
      s.ram[command & (RAM_SIZE - 1)] = value;
      if (command === CMD_WRITE_RAM) {
        this.updateIrq();
        this.pump();
      }
      return;
    }
    switch (command) {
      case CMD_WRITE_OUTPUT: {
        const before = s.outputPort;
        s.outputPort = value;
        this.a20.set((value & OP_A20) !== 0);
        if (before & OP_RESET && !(value & OP_RESET)) this.resetRequest.pulse();
        return;
      }
      case CMD_WRITE_KBD_OB:
        this.output(value, false);
        return;
      case CMD_WRITE_AUX_OB:
        this.output(value, true);
        return;
      case CMD_WRITE_AUX:
        // No auxiliary device answers: the controller reports a timeout and FEh from the port.
        s.timeout = true;
        this.output(KB_RESEND_REQUEST, true);
        return;
    }
  }

  // ---------------------------------------------------------------- output buffer

  /** Put a byte in the output buffer (overwriting an unread one, as the 8042 does). */
  private output(byte: number, aux: boolean): void {
    const s = this.state;
    s.outputBuffer = byte;
    s.obFull = true;
    s.obAux = aux;
    this.updateIrq();
  }

  /** Start moving the keyboard's next byte to the output buffer, if it can go. */
  private pump(): void {
    const s = this.state;
    if (s.obFull || s.transferAt >= 0 || s.ram[0]! & CB_KBD_DISABLE || !this.keyboard.hasData) return;
    if (this.byteDelay === 0 || !this.clock || !this.transfer) {
      this.deliver();
      return;
    }
    s.transferAt = this.clock.now + this.byteDelay;
    this.transfer.armAt(s.transferAt);
  }

  /** A keyboard byte arrives: translated to set 1 if the command byte asks. */
  private deliver(): void {
    const s = this.state;
    s.transferAt = -1;
    if (s.obFull || s.ram[0]! & CB_KBD_DISABLE || !this.keyboard.hasData) return;
    let byte = this.keyboard.take();
    if (s.ram[0]! & CB_TRANSLATE) {
      if (byte === BREAK_PREFIX) {
        s.translateBreak = true;
        this.pump();
        return;
      }
      byte = SET2_TO_SET1[byte]! | (s.translateBreak ? 0x80 : 0);
      s.translateBreak = false;
    }
    this.output(byte, false);
  }

  private updateIrq(): void {
    const s = this.state;
    const cb = s.ram[0]!;
    this.irq1?.set(s.obFull && !s.obAux && (cb & CB_KBD_INT) !== 0);
    this.irq12?.set(s.obFull && s.obAux && (cb & CB_AUX_INT) !== 0);
  }
}

function sealed(state: KbcState): KbcState {
  Object.seal(state.keyboard);
  return Object.seal(state);
}

/** Undefined commands are ignored by the 8042. */
const ignore: CommandHandler = () => {};

/** The controller's command table, indexed by command byte. */
const COMMANDS: readonly CommandHandler[] = (() => {
  const t: CommandHandler[] = Array.from({ length: 256 }, () => ignore);
  for (let c = 0; c < RAM_SIZE; c++) {
    t[CMD_READ_RAM + c] = (k, cmd) => k.readRam(cmd);
    t[CMD_WRITE_RAM + c] = (k, cmd) => k.awaitData(cmd);
  }
  t[CMD_DISABLE_AUX] = (k) => k.setCommandBits(CB_AUX_DISABLE, 0);
  t[CMD_ENABLE_AUX] = (k) => k.setCommandBits(0, CB_AUX_DISABLE);
  t[CMD_TEST_AUX] = (k) => k.reply(INTERFACE_OK);
  t[CMD_SELF_TEST] = (k) => k.selfTest();
  t[CMD_TEST_KBD] = (k) => k.reply(INTERFACE_OK);
  t[CMD_DISABLE_KBD] = (k) => k.setCommandBits(CB_KBD_DISABLE, 0);
  t[CMD_ENABLE_KBD] = (k) => k.setCommandBits(0, CB_KBD_DISABLE);
  t[CMD_READ_INPUT] = (k) => k.readInputPort();
  t[CMD_READ_OUTPUT] = (k) => k.readOutputPort();
  t[CMD_WRITE_OUTPUT] = (k, cmd) => k.awaitData(cmd);
  t[CMD_WRITE_KBD_OB] = (k, cmd) => k.awaitData(cmd);
  t[CMD_WRITE_AUX_OB] = (k, cmd) => k.awaitData(cmd);
  t[CMD_WRITE_AUX] = (k, cmd) => k.awaitData(cmd);
  for (let c = CMD_PULSE; c <= 0xff; c++) t[c] = (k, cmd) => k.pulse(cmd);
  return t;
})();
