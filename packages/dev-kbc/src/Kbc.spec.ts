import { Bus, BusRangeError, PortConflictError, SeededRandom } from '@backplane/bus';
import { createTestBench, type TestBench } from '@backplane/bus/testing';
import { describe, expect, it } from 'vitest';
import { Kbc } from './Kbc';
import { UnknownKeyError } from './Keyboard';
import { UntypableCharacterError } from './typing';
import { KBC, kbcModule, type KbcModuleOptions } from './module';
import { PS2_BYTE_NS } from './registers';
import { KEYS } from './scancodes';

// IBM PS/2 Hardware Interface Technical Reference (keyboard/auxiliary device controller and
// keyboard chapters) and IBM PC/AT Technical Reference (keyboard controller).
const DATA = 0x60;
const STATUS = 0x64;

interface Rig {
  bench: TestBench;
  kbc: Kbc;
  /** Write a controller command (port 64h). */
  cmd(c: number): void;
  /** Write a data byte (port 60h). */
  data(v: number): void;
  /** Wait (in virtual time) for the output buffer, then read it; undefined if nothing comes. */
  read(): number | undefined;
  /** Read until nothing more comes. */
  drain(): number[];
}

function setup(options: KbcModuleOptions = {}): Rig {
  const bench = createTestBench([kbcModule({}, options)]);
  const kbc = bench.get(KBC);
  const read = (): number | undefined => {
    for (let i = 0; i < 4; i++) {
      if (bench.inb(STATUS) & 0x01) return bench.inb(DATA);
      bench.advance(PS2_BYTE_NS);
    }
    return undefined;
  };
  return {
    bench,
    kbc,
    cmd: (c) => bench.outb(STATUS, c),
    data: (v) => bench.outb(DATA, v),
    read,
    drain: () => {
      const out: number[] = [];
      for (let b = read(); b !== undefined; b = read()) out.push(b);
      return out;
    },
  };
}

/** Command byte: IRQ 1, system flag, translation (what a BIOS writes). */
function translated(r: Rig): void {
  r.cmd(0x60);
  r.data(0x45);
}

/** Command byte: IRQ 1, system flag, no translation (scan-code set 2 reaches the guest). */
function raw(r: Rig): void {
  r.cmd(0x60);
  r.data(0x05);
}

describe('status register (port 64h)', () => {
  it('after power-on: output buffer empty, input buffer empty, system flag 0, keyboard not inhibited', () => {
    const { bench } = setup();
    expect(bench.inb(STATUS)).toBe(0x10);
  });

  it('bit 3 tells whether the last write went to port 64h (command) or 60h (data)', () => {
    const r = setup();
    r.cmd(0xad);
    expect(r.bench.inb(STATUS) & 0x08).toBe(0x08);
    r.data(0xee);
    expect(r.bench.inb(STATUS) & 0x08).toBe(0);
  });

  it('the input buffer is taken at once: bit 1 never stays set', () => {
    const r = setup();
    r.cmd(0x20);
    expect(r.bench.inb(STATUS) & 0x02).toBe(0);
    r.data(0xf4);
    expect(r.bench.inb(STATUS) & 0x02).toBe(0);
  });
});

describe('commands 20h-3Fh / 60h-7Fh: read and write internal RAM (20h/60h: the command byte)', () => {
  it('reads back the command byte written, and bit 2 is the status system flag', () => {
    const r = setup();
    r.cmd(0x60);
    r.data(0x45);
    r.cmd(0x20);
    expect(r.read()).toBe(0x45);
    expect(r.bench.inb(STATUS) & 0x04).toBe(0x04);
    r.cmd(0x60);
    r.data(0x01);
    expect(r.bench.inb(STATUS) & 0x04).toBe(0);
  });

  it('keeps the other RAM bytes', () => {
    const r = setup();
    r.cmd(0x75);
    r.data(0xa5);
    r.cmd(0x35);
    expect(r.read()).toBe(0xa5);
  });

  it('a command in place of the awaited data byte cancels the wait', () => {
    const r = setup();
    r.cmd(0x60);
    r.cmd(0x20);
    expect(r.read()).toBe(0x03);
  });
});

describe('command AAh: self-test', () => {
  it('answers 55h and sets the system flag', () => {
    const r = setup();
    expect(r.bench.inb(STATUS) & 0x04).toBe(0);
    r.cmd(0xaa);
    expect(r.read()).toBe(0x55);
    expect(r.bench.inb(STATUS) & 0x04).toBe(0x04);
  });
});

describe('command ABh: keyboard interface test', () => {
  it('answers 00h (no error)', () => {
    const r = setup();
    r.cmd(0xab);
    expect(r.read()).toBe(0x00);
  });
});

describe('commands A7h/A8h/A9h and D3h/D4h: an auxiliary port with no device on it', () => {
  it('A7h/A8h set and clear the disable bit (5) of the command byte', () => {
    const r = setup();
    r.cmd(0xa7);
    r.cmd(0x20);
    expect(r.read()! & 0x20).toBe(0x20);
    r.cmd(0xa8);
    r.cmd(0x20);
    expect(r.read()! & 0x20).toBe(0);
  });

  it('A9h: the interface itself tests good (00h)', () => {
    const r = setup();
    r.cmd(0xa9);
    expect(r.read()).toBe(0x00);
  });

  it('D4h: a byte for the missing device times out: status timeout and FEh from the auxiliary port', () => {
    const r = setup();
    r.cmd(0xd4);
    r.data(0xff);
    expect(r.bench.inb(STATUS) & 0x61).toBe(0x61);
    expect(r.bench.inb(DATA)).toBe(0xfe);
    expect(r.bench.inb(STATUS) & 0x61).toBe(0);
    expect(r.drain()).toEqual([]); // nothing reached the keyboard
  });

  it('D3h: a byte written to the auxiliary output buffer comes back as auxiliary data on IRQ 12', () => {
    const r = setup();
    r.cmd(0xd3);
    r.data(0x5a);
    expect(r.bench.inb(STATUS) & 0x21).toBe(0x21);
    expect(r.bench.irq(12).level).toBe(true);
    expect(r.bench.irq(1).level).toBe(false);
    expect(r.bench.inb(DATA)).toBe(0x5a);
    expect(r.bench.irq(12).level).toBe(false);
  });
});

describe('commands ADh/AEh: disable and enable the keyboard interface', () => {
  it('while disabled, keyboard bytes wait in the keyboard; enabling lets them through', () => {
    const r = setup();
    raw(r);
    r.cmd(0xad);
    r.cmd(0x20);
    expect(r.read()! & 0x10).toBe(0x10);
    r.kbc.press('KeyA');
    expect(r.drain()).toEqual([]);
    r.cmd(0xae);
    expect(r.drain()).toEqual([0x1c]);
  });

  it('writing a byte to the keyboard enables the interface again', () => {
    const r = setup();
    r.cmd(0xad);
    r.data(0xee);
    expect(r.drain()).toEqual([0xee]);
    r.cmd(0x20);
    expect(r.read()! & 0x10).toBe(0);
  });
});

describe('command C0h: read input port', () => {
  it('answers the board configuration (default B0h: keyboard not inhibited)', () => {
    const r = setup();
    r.cmd(0xc0);
    expect(r.read()).toBe(0xb0);
    const other = setup({ inputPort: 0xf0 });
    other.cmd(0xc0);
    expect(other.read()).toBe(0xf0);
  });
});

describe('commands D0h/D1h: read and write the output port (bit 1 A20, bit 0 reset)', () => {
  it('reads CFh after power-on: not in reset, A20 on, interface lines high, no output buffer bits', () => {
    const r = setup();
    r.cmd(0xd0);
    expect(r.read()).toBe(0xcf);
    expect(r.kbc.a20.level).toBe(true);
  });

  it('drives the A20 line from bit 1', () => {
    const r = setup();
    r.cmd(0xd1);
    r.data(0xdd);
    expect(r.kbc.a20.level).toBe(false);
    r.cmd(0xd0);
    expect(r.read()! & 0x02).toBe(0);
    r.cmd(0xd1);
    r.data(0xdf);
    expect(r.kbc.a20.level).toBe(true);
  });

  it('bits 4 and 5 read the output buffer full lines', () => {
    const r = setup();
    r.cmd(0xd2);
    r.data(0x99);
    r.cmd(0xd0);
    // The output buffer held a keyboard byte when D0h ran (it is overwritten by the answer).
    expect(r.bench.inb(DATA) & 0x30).toBe(0x10);
  });

  it('pulses the reset line when bit 0 is written 0', () => {
    const r = setup();
    const edges: boolean[] = [];
    r.kbc.resetRequest.level$.subscribe((l) => edges.push(l));
    r.cmd(0xd1);
    r.data(0xdf);
    expect(edges).toEqual([false]);
    r.cmd(0xd1);
    r.data(0xde);
    expect(edges).toEqual([false, true, false]);
  });

  it('never touches memory or the CPU itself: A20 and reset are lines the machine wires', () => {
    const r = setup();
    const a20: boolean[] = [];
    r.kbc.a20.connect((l) => a20.push(l));
    r.cmd(0xd1);
    r.data(0xcd);
    expect(a20).toEqual([true, false]);
    expect(r.bench.memory.a20Enabled).toBe(true);
  });
});

describe('commands F0h-FFh: pulse output port bits', () => {
  it('FEh (bit 0 clear) pulses the reset line; FFh pulses nothing', () => {
    const r = setup();
    const edges: boolean[] = [];
    r.kbc.resetRequest.level$.subscribe((l) => edges.push(l));
    r.cmd(0xff);
    expect(edges).toEqual([false]);
    r.cmd(0xfe);
    expect(edges).toEqual([false, true, false]);
    r.cmd(0xf1); // bit 0 set: reset not pulsed
    expect(edges).toEqual([false, true, false]);
    r.cmd(0xf0);
    expect(edges).toEqual([false, true, false, true, false]);
    expect(r.kbc.a20.level).toBe(true);
  });
});

describe('command D2h: write keyboard output buffer', () => {
  it('the byte is read as keyboard data, with IRQ 1', () => {
    const r = setup();
    translated(r);
    r.cmd(0xd2);
    r.data(0x3b);
    expect(r.bench.irq(1).level).toBe(true);
    expect(r.bench.inb(STATUS) & 0x21).toBe(0x01);
    expect(r.bench.inb(DATA)).toBe(0x3b);
  });
});

describe('undefined commands', () => {
  it('are ignored', () => {
    const r = setup();
    for (const c of [0x00, 0x10, 0x80, 0xa0, 0xc8, 0xe5]) r.cmd(c);
    expect(r.drain()).toEqual([]);
    r.cmd(0x20);
    expect(r.read()).toBe(0x03);
  });
});

describe('IRQ 1', () => {
  it('is raised while keyboard data waits and command byte bit 0 is set, lowered by reading it', () => {
    const r = setup();
    raw(r);
    const irq = r.bench.irq(1);
    r.kbc.press('KeyA');
    r.bench.advance(PS2_BYTE_NS);
    expect(irq.level).toBe(true);
    r.bench.inb(DATA);
    expect(irq.level).toBe(false);
  });

  it('each byte gives its own rising edge', () => {
    const r = setup();
    raw(r);
    const irq = r.bench.irq(1);
    r.kbc.release('KeyA'); // F0 1C
    r.drain();
    expect(irq.rises).toBe(2);
  });

  it('stays low with command byte bit 0 clear (polled operation)', () => {
    const r = setup();
    r.cmd(0x60);
    r.data(0x44);
    r.kbc.press('KeyA');
    expect(r.read()).toBe(0x1e);
    expect(r.bench.irq(1).rises).toBe(0);
  });
});

describe('keyboard command FFh: reset', () => {
  it('answers ACK then AAh (self-test passed) and turns the LEDs off', () => {
    const r = setup();
    r.data(0xed);
    r.data(0x07);
    r.drain();
    r.data(0xff);
    expect(r.drain()).toEqual([0xfa, 0xaa]);
    expect(r.kbc.keyboard).toBeDefined();
    let leds = -1;
    r.kbc.leds$.subscribe((l) => (leds = l));
    expect(leds).toBe(0);
  });

  it('discards scan codes not yet sent', () => {
    const r = setup();
    raw(r);
    r.cmd(0xad);
    r.kbc.press('KeyQ');
    r.data(0xff);
    expect(r.drain()).toEqual([0xfa, 0xaa]);
  });
});

describe('keyboard command EDh: set LEDs', () => {
  it('ACKs the command and the option byte, and sets the LEDs', () => {
    const r = setup();
    const seen: number[] = [];
    r.kbc.leds$.subscribe((l) => seen.push(l));
    r.data(0xed);
    expect(r.drain()).toEqual([0xfa]);
    r.data(0x05);
    expect(r.drain()).toEqual([0xfa]);
    expect(seen).toEqual([0, 5]);
  });

  it('refuses an option byte with bits above 2 (FEh) and still waits for it', () => {
    const r = setup();
    r.data(0xed);
    r.data(0x10);
    expect(r.drain()).toEqual([0xfa, 0xfe]);
    r.data(0x02);
    expect(r.drain()).toEqual([0xfa]);
  });

  it('a command in place of the option byte ends the wait and is executed', () => {
    const r = setup();
    r.data(0xed);
    r.data(0xee);
    expect(r.drain()).toEqual([0xfa, 0xee]);
  });
});

describe('keyboard command EEh: echo', () => {
  it('answers EEh without ACK', () => {
    const r = setup();
    r.data(0xee);
    expect(r.drain()).toEqual([0xee]);
  });
});

describe('keyboard command F2h: identify', () => {
  it('answers ACK, ABh, 83h (MF2 keyboard)', () => {
    const r = setup();
    raw(r);
    r.data(0xf2);
    expect(r.drain()).toEqual([0xfa, 0xab, 0x83]);
  });

  it('with translation on, the controller turns 83h into 41h (AB 41)', () => {
    const r = setup();
    translated(r);
    r.data(0xf2);
    expect(r.drain()).toEqual([0xfa, 0xab, 0x41]);
  });
});

describe('keyboard command F0h: select scan-code set', () => {
  it('option 0 reports the current set (2 after reset)', () => {
    const r = setup();
    raw(r);
    r.data(0xf0);
    r.data(0x00);
    expect(r.drain()).toEqual([0xfa, 0xfa, 0x02]);
  });

  it('option 1 selects set 1: make codes, breaks with bit 7 set', () => {
    const r = setup();
    raw(r);
    r.data(0xf0);
    r.data(0x01);
    expect(r.drain()).toEqual([0xfa, 0xfa]);
    r.kbc.press('KeyA');
    r.kbc.release('KeyA');
    r.kbc.press('ArrowUp');
    r.kbc.release('ArrowUp');
    expect(r.drain()).toEqual([0x1e, 0x9e, 0xe0, 0x48, 0xe0, 0xc8]);
  });

  it('set 3 is not supported: FEh, and the set stays', () => {
    const r = setup();
    raw(r);
    r.data(0xf0);
    r.data(0x03);
    expect(r.drain()).toEqual([0xfa, 0xfe]);
    r.data(0x00);
    expect(r.drain()).toEqual([0xfa, 0x02]);
  });
});

describe('keyboard command F3h: typematic rate and delay', () => {
  it('ACKs the command and a rate byte below 80h', () => {
    const r = setup();
    r.data(0xf3);
    r.data(0x20);
    expect(r.drain()).toEqual([0xfa, 0xfa]);
    expect(r.kbc.state.keyboard.typematic).toBe(0x20);
  });

  it('refuses a byte with bit 7 set that is not a command', () => {
    const r = setup();
    r.data(0xf3);
    r.data(0x80);
    expect(r.drain()).toEqual([0xfa, 0xfe]);
  });
});

describe('typematic repeat (option typematic: true)', () => {
  // IBM keyboard reference: period = (8 + A) x 2^B x 4.17 ms, delay = (1 + C) x 250 ms, with
  // A = bits 0-2, B = bits 3-4, C = bits 5-6 of the F3h byte; default 2Bh = 10.9/s after 500 ms.
  function held(r: Rig, until: number): number[] {
    const times: number[] = [];
    const start = r.bench.clock.now;
    while (r.bench.clock.now - start < until * 1_000_000) {
      r.bench.advance(1_000_000);
      while (r.bench.inb(STATUS) & 1) {
        r.bench.inb(DATA);
        times.push(Math.round((r.bench.clock.now - start) / 1_000_000));
      }
    }
    return times;
  }

  it('repeats the held key after the default delay (500 ms) every 91.7 ms', () => {
    const r = setup({ typematic: true, byteDelayNs: 0 });
    raw(r);
    r.kbc.press('KeyA');
    r.bench.inb(DATA);
    expect(held(r, 700)).toEqual([500, 592, 684]);
    r.kbc.release('KeyA');
    expect(r.drain()).toEqual([0xf0, 0x1c]);
    expect(held(r, 1000)).toEqual([]);
  });

  it('follows F3h: 00h repeats every 33.4 ms after 250 ms', () => {
    const r = setup({ typematic: true, byteDelayNs: 0 });
    raw(r);
    r.data(0xf3);
    r.data(0x00);
    r.drain();
    r.kbc.press('KeyB');
    r.bench.inb(DATA);
    expect(held(r, 330)).toEqual([250, 284, 317]);
  });

  it('only the last key pressed repeats', () => {
    const r = setup({ typematic: true, byteDelayNs: 0 });
    raw(r);
    r.kbc.press('KeyA');
    r.kbc.press('KeyB');
    r.drain();
    r.bench.advance(500_000_000);
    expect(r.drain()).toEqual([0x32]);
    r.kbc.release('KeyA'); // not the repeating key
    r.drain();
    r.bench.advance(92_000_000);
    expect(r.drain()).toEqual([0x32]);
  });

  it('without the option, nothing repeats by itself', () => {
    const r = setup({ byteDelayNs: 0 });
    raw(r);
    r.kbc.press('KeyA');
    r.drain();
    r.bench.advance(2_000_000_000);
    expect(r.drain()).toEqual([]);
  });
});

describe('keyboard commands F4h/F5h/F6h: enable, default and disable, set defaults', () => {
  it('F5h stops scanning (keys are ignored) and restores set 2; F4h starts again', () => {
    const r = setup();
    raw(r);
    r.data(0xf0);
    r.data(0x01);
    r.drain();
    r.data(0xf5);
    expect(r.drain()).toEqual([0xfa]);
    expect(r.kbc.press('KeyA')).toBe(false);
    expect(r.drain()).toEqual([]);
    r.data(0xf4);
    expect(r.drain()).toEqual([0xfa]);
    r.kbc.press('KeyA');
    expect(r.drain()).toEqual([0x1c]);
  });

  it('F6h restores defaults and keeps scanning; F4h/F6h clear the output buffer', () => {
    const r = setup();
    raw(r);
    r.data(0xf3);
    r.data(0x00);
    r.drain();
    r.cmd(0xad);
    r.kbc.press('KeyB');
    r.data(0xf6);
    expect(r.drain()).toEqual([0xfa]);
    expect(r.kbc.state.keyboard.typematic).toBe(0x2b);
    r.kbc.press('KeyB');
    expect(r.drain()).toEqual([0x32]);
  });
});

describe('keyboard command FEh: resend', () => {
  it('sends the last byte again', () => {
    const r = setup();
    raw(r);
    r.kbc.press('KeyZ');
    expect(r.drain()).toEqual([0x1a]);
    r.data(0xfe);
    expect(r.drain()).toEqual([0x1a]);
  });
});

describe('keyboard: bytes that are not commands', () => {
  it('are answered with FEh (resend)', () => {
    const r = setup();
    for (const b of [0x00, 0x55, 0xec, 0xf1, 0xf7, 0xfd]) {
      r.data(b);
      expect(r.drain()).toEqual([0xfe]);
    }
  });
});

describe('scan-code set 2', () => {
  it('make is the code, break is F0h + code, extended keys carry E0h', () => {
    const r = setup();
    raw(r);
    r.kbc.press('KeyA');
    r.kbc.release('KeyA');
    r.kbc.press('ArrowUp');
    r.kbc.release('ArrowUp');
    expect(r.drain()).toEqual([0x1c, 0xf0, 0x1c, 0xe0, 0x75, 0xe0, 0xf0, 0x75]);
  });

  it('Print Screen and Pause send their own sequences (Pause has no break)', () => {
    const r = setup();
    raw(r);
    r.kbc.press('PrintScreen');
    r.kbc.release('PrintScreen');
    expect(r.drain()).toEqual([0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12]);
    r.kbc.press('Pause');
    r.kbc.release('Pause');
    expect(r.drain()).toEqual([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
  });

  it('a full 16-byte buffer ends with the overrun code 00h', () => {
    const r = setup();
    raw(r);
    r.cmd(0xad);
    for (let i = 0; i < 10; i++) r.kbc.release('KeyA'); // 20 bytes
    r.cmd(0xae);
    const got = r.drain();
    expect(got.length).toBe(16);
    expect(got.slice(0, 15)).toEqual([0xf0, 0x1c, 0xf0, 0x1c, 0xf0, 0x1c, 0xf0, 0x1c, 0xf0, 0x1c, 0xf0, 0x1c, 0xf0, 0x1c, 0xf0]);
    expect(got[15]).toBe(0x00);
  });
});

describe('translation to set 1 (command byte bit 6)', () => {
  it('every key of the 102-key layout comes out as its set 1 make and break codes', () => {
    const r = setup({ byteDelayNs: 0 });
    translated(r);
    for (const [name, [set1]] of Object.entries(KEYS)) {
      r.kbc.press(name);
      r.kbc.release(name);
      const make = set1 > 0xff ? [0xe0, set1 & 0xff] : [set1];
      const brk = set1 > 0xff ? [0xe0, (set1 & 0xff) | 0x80] : [set1 | 0x80];
      expect(r.drain(), name).toEqual([...make, ...brk]);
    }
  });

  it('Print Screen and Pause come out as their set 1 sequences', () => {
    const r = setup();
    translated(r);
    r.kbc.press('PrintScreen');
    r.kbc.release('PrintScreen');
    expect(r.drain()).toEqual([0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa]);
    r.kbc.press('Pause');
    expect(r.drain()).toEqual([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
  });

  it('the set 2 overrun code 00h becomes FFh; replies pass unchanged', () => {
    const r = setup();
    translated(r);
    r.cmd(0xad);
    for (let i = 0; i < 17; i++) r.kbc.press('KeyA');
    r.cmd(0xae);
    expect(r.drain().at(-1)).toBe(0xff);
    r.data(0xff);
    expect(r.drain()).toEqual([0xfa, 0xaa]);
  });
});

describe('response timing', () => {
  it('a keyboard byte reaches the output buffer one PS/2 byte time (880 us) after it can go', () => {
    const r = setup();
    raw(r);
    r.kbc.press('KeyA');
    r.bench.advance(PS2_BYTE_NS - 1);
    expect(r.bench.inb(STATUS) & 1).toBe(0);
    r.bench.advance(1);
    expect(r.bench.inb(STATUS) & 1).toBe(1);
  });

  it('reading port 60h again before the next byte arrives returns the same byte', () => {
    const r = setup();
    raw(r);
    r.kbc.release('KeyA');
    r.bench.advance(PS2_BYTE_NS);
    expect(r.bench.inb(DATA)).toBe(0xf0);
    expect(r.bench.inb(DATA)).toBe(0xf0);
    r.bench.advance(PS2_BYTE_NS);
    expect(r.bench.inb(DATA)).toBe(0x1c);
  });

  it('byteDelayNs: 0 delivers each byte the moment the output buffer is free', () => {
    const r = setup({ byteDelayNs: 0 });
    raw(r);
    r.kbc.release('KeyA');
    expect(r.bench.inb(DATA)).toBe(0xf0);
    expect(r.bench.inb(DATA)).toBe(0x1c);
  });

  it('controller answers are immediate', () => {
    const r = setup();
    r.cmd(0xaa);
    expect(r.bench.inb(STATUS) & 1).toBe(1);
  });
});

describe('host side keys', () => {
  it('takes a set 1 code (E0nn for extended keys) in place of a name', () => {
    const r = setup();
    raw(r);
    r.kbc.press(0x1e);
    r.kbc.press(0xe048);
    expect(r.drain()).toEqual([0x1c, 0xe0, 0x75]);
  });

  it('refuses a key it does not have with UnknownKeyError', () => {
    const r = setup();
    expect(() => r.kbc.press('NoSuchKey')).toThrow(UnknownKeyError);
    expect(() => r.kbc.release(0x7e)).toThrow(UnknownKeyError);
  });
});

describe('host side typing (type)', () => {
  it('types text on the US layout: Shift around shifted characters, Enter for CR', () => {
    const r = setup();
    translated(r);
    r.kbc.type('a!\r');
    r.bench.advance(8 * 5_000_000);
    expect(r.drain()).toEqual([0x1e, 0x9e, 0x2a, 0x02, 0x82, 0xaa, 0x1c, 0x9c]);
    expect(r.kbc.typingPending).toBe(0);
  });

  it('one key event every typing interval, however long the text, and nothing is lost', () => {
    const r = setup({ byteDelayNs: 0 });
    raw(r);
    const text = 'the quick brown fox jumps over the lazy dog 0123456789';
    r.kbc.type(text);
    r.bench.advance(5_000_000 - 1);
    expect(r.bench.inb(STATUS) & 1).toBe(0);
    r.bench.advance(1);
    expect(r.bench.inb(STATUS) & 1).toBe(1);
    // The guest does not read for a while: the queue waits for room in the keyboard's buffer.
    r.bench.advance(2 * text.length * 5_000_000);
    expect(r.kbc.state.keyboard.count).toBeLessThanOrEqual(16);
    const got: number[] = [];
    for (let i = 0; i < 400 && (r.kbc.typingPending > 0 || r.bench.inb(STATUS) & 1); i++) {
      while (r.bench.inb(STATUS) & 1) got.push(r.bench.inb(DATA));
      r.bench.advance(5_000_000);
    }
    const makes = got.filter((b, i) => b !== 0xf0 && got[i - 1] !== 0xf0);
    const expected = [...text].map((c) => KEYS[c === ' ' ? 'Space' : /\d/.test(c) ? `Digit${c}` : `Key${c.toUpperCase()}`]![1]);
    expect(makes).toEqual(expected);
  });

  it('refuses a character the layout has no key for, queuing nothing', () => {
    const r = setup();
    expect(() => r.kbc.type('ok\u00e9')).toThrow(UntypableCharacterError);
    expect(r.kbc.typingPending).toBe(0);
  });
});

describe('a BIOS keyboard initialisation (the sequence of firmware/bios.asm)', () => {
  it('self-test 55h, command byte 45h, enable, reset ACK + AAh, enable scanning ACK', () => {
    const r = setup();
    r.cmd(0xaa);
    expect(r.read()).toBe(0x55);
    r.cmd(0x60);
    r.data(0x45);
    r.cmd(0xae);
    r.data(0xff);
    expect(r.read()).toBe(0xfa);
    expect(r.read()).toBe(0xaa);
    r.data(0xf4);
    expect(r.read()).toBe(0xfa);
    r.kbc.press('Enter');
    expect(r.read()).toBe(0x1c);
  });
});

describe('bad resources', () => {
  it('are refused with a typed error and leave nothing claimed', () => {
    const bus = new Bus();
    expect(() => bus.plug(new Kbc('kbc', { auxIrq: 16 }))).toThrow(BusRangeError);
    const blocker = bus.io.claim('other', 0x64, 1, { read8: () => 0, write8: () => {} });
    expect(() => bus.plug(new Kbc('kbc'))).toThrow(PortConflictError);
    blocker.release();
    bus.plug(new Kbc('kbc'));
    bus.io.out8(0x64, 0xaa);
    expect(bus.io.in8(0x60)).toBe(0x55);
    expect(bus.irq.ownersOf(1)).toEqual(['kbc']);
  });
});

describe('port-write fuzz', () => {
  it('thousands of random accesses, key events and time steps keep the state defined', () => {
    const r = setup();
    const rng = new SeededRandom(8042);
    const names = Object.keys(KEYS);
    const s = r.kbc.state;
    for (let i = 0; i < 30_000; i++) {
      const op = rng.below(10);
      if (op < 3) r.bench.outb(rng.below(2) ? DATA : STATUS, rng.below(256));
      else if (op < 6) r.bench.inb(rng.below(2) ? DATA : STATUS);
      else if (op === 6) r.kbc.press(names[rng.below(names.length)]!);
      else if (op === 7) r.kbc.release(names[rng.below(names.length)]!);
      else r.bench.advance(rng.below(3 * PS2_BYTE_NS));
      expect(s.keyboard.count).toBeLessThanOrEqual(16);
      expect(s.keyboard.replyCount).toBeLessThanOrEqual(4);
      expect([1, 2]).toContain(s.keyboard.scancodeSet);
      expect(r.bench.inb(STATUS) & 0x82).toBe(0);
    }
  });
});
