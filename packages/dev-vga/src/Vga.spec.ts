import { SeededRandom } from '@backplane/bus';
import { createTestBench } from '@backplane/bus/testing';
import { describe, expect, it } from 'vitest';
import { VGA, vgaModule } from './module';

function setup() {
  const bench = createTestBench([vgaModule()], { ram: false });
  bench.memory.mapRam('ram', 0, 0xa0000);
  return { bench, vga: bench.get(VGA) };
}

/** Write a string at row/column through memory, as the CPU does: character, attribute pairs. */
function poke(bench: ReturnType<typeof setup>['bench'], row: number, col: number, text: string, attr = 0x07) {
  for (let i = 0; i < text.length; i++) bench.memory.write16(0xb8000 + (row * 80 + col + i) * 2, (attr << 8) | text.charCodeAt(i));
}

function crtc(bench: ReturnType<typeof setup>['bench'], index: number, value?: number): number {
  bench.outb(0x3d4, index);
  if (value !== undefined) bench.outb(0x3d5, value);
  return bench.inb(0x3d5);
}

describe('text buffer (B8000h, character then attribute per cell)', () => {
  it('shows what the CPU writes to memory, row by row', () => {
    const { bench, vga } = setup();
    poke(bench, 0, 0, 'Hello');
    poke(bench, 24, 75, 'world');
    const s = vga.screen();
    expect(s.lines[0]!.startsWith('Hello')).toBe(true);
    expect(s.lines[24]!.endsWith('world')).toBe(true);
    expect(s.cells[0]![0]).toEqual({ char: 0x48, attr: 0x07 });
  });

  it('maps the character set through code page 437', () => {
    const { bench, vga } = setup();
    bench.memory.write8(0xb8000, 0xc9); // box drawing, double down and right
    bench.memory.write8(0xb8002, 0x01); // smiling face
    expect(vga.screen().lines[0]!.slice(0, 2)).toBe('╔☺');
  });

  it('text() trims trailing blanks and empty rows', () => {
    const { bench, vga } = setup();
    for (let i = 0; i < 80 * 25; i++) bench.memory.write16(0xb8000 + i * 2, 0x0720);
    poke(bench, 1, 2, 'ok');
    expect(vga.text()).toBe('\n  ok');
  });
});

describe('CRT controller: start address (0Ch/0Dh) and cursor (0Ah, 0Eh/0Fh)', () => {
  it('displays from the start address, in character cells (page 1 starts at 800h)', () => {
    const { bench, vga } = setup();
    poke(bench, 0, 0, 'page0');
    bench.memory.write16(0xb8000 + 0x1000, 0x0731); // '1' at the start of page 1 (4 KiB on)
    crtc(bench, 0x0c, 0x08);
    crtc(bench, 0x0d, 0x00);
    expect(vga.screen().lines[0]![0]).toBe('1');
  });

  it('places the cursor from registers 0Eh/0Fh and hides it with 0Ah bit 5', () => {
    const { bench, vga } = setup();
    crtc(bench, 0x0e, 0x00);
    crtc(bench, 0x0f, 81); // row 1, column 1
    expect(vga.screen().cursor).toEqual({ row: 1, column: 1, visible: true });
    crtc(bench, 0x0a, 0x20);
    expect(vga.screen().cursor.visible).toBe(false);
  });

  it('reads back its index and registers', () => {
    const { bench } = setup();
    expect(crtc(bench, 0x0e, 0x12)).toBe(0x12);
    expect(bench.inb(0x3d4)).toBe(0x0e);
  });

  it('protects registers 0-7 while 11h bit 7 is set', () => {
    const { bench } = setup();
    crtc(bench, 0x11, 0x8e);
    const before = crtc(bench, 0x01);
    expect(crtc(bench, 0x01, 0x20)).toBe(before);
    crtc(bench, 0x11, 0x0e);
    expect(crtc(bench, 0x01, 0x20)).toBe(0x20);
  });

  it('comes up in text mode 3: 80 columns (register 01h = 4Fh, the last column shown)', () => {
    const { bench } = setup();
    expect(crtc(bench, 0x01)).toBe(0x4f);
    expect(crtc(bench, 0x09) & 0x1f).toBe(0x0f); // 16 scan lines per character row
  });
});

describe('input status 1 (3DAh)', () => {
  it('reports vertical retrace once per 70 Hz frame, from the virtual clock', () => {
    const { bench } = setup();
    const line = 31_778;
    bench.advanceTo(411 * line + 10);
    expect(bench.inb(0x3da) & 0x08).toBe(0);
    bench.advanceTo(412 * line + 10);
    expect(bench.inb(0x3da) & 0x09).toBe(0x09); // retrace, display disabled
    bench.advanceTo(414 * line + 10);
    expect(bench.inb(0x3da) & 0x08).toBe(0);
    bench.advanceTo(449 * line + 412 * line + 10); // next frame, 14.27 ms later
    expect(bench.inb(0x3da) & 0x08).toBe(0x08);
  });

  it('reports display enable off during horizontal blanking of visible lines', () => {
    const { bench } = setup();
    bench.advanceTo(100 * 31_778 + 1_000);
    expect(bench.inb(0x3da) & 0x01).toBe(0);
    bench.advanceTo(100 * 31_778 + 30_000);
    expect(bench.inb(0x3da) & 0x01).toBe(1);
  });

  it('a read resets the attribute controller flip-flop to "index"', () => {
    const { bench } = setup();
    bench.outb(0x3c0, 0x01); // index 1
    bench.inb(0x3da); // back to index
    bench.outb(0x3c0, 0x02); // index 2 (not data for 1)
    bench.outb(0x3c0, 0x3f); // data for 2
    bench.outb(0x3c0, 0x22);
    expect(bench.inb(0x3c1)).toBe(0x3f);
  });
});

describe('DAC (3C7h-3C9h)', () => {
  it('takes red, green, blue per entry and moves to the next entry after three', () => {
    const { bench } = setup();
    bench.outb(0x3c8, 5);
    for (const v of [1, 2, 3, 4, 5, 6]) bench.outb(0x3c9, v);
    bench.outb(0x3c7, 5);
    expect([0, 1, 2, 3, 4, 5].map(() => bench.inb(0x3c9))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(bench.inb(0x3c7) & 3).toBe(3); // DAC state: read mode
  });

  it('keeps 6 bits per component', () => {
    const { bench } = setup();
    bench.outb(0x3c8, 0);
    bench.outb(0x3c9, 0xff);
    bench.outb(0x3c7, 0);
    expect(bench.inb(0x3c9)).toBe(0x3f);
  });
});

describe('port-write fuzz', () => {
  it('random accesses to every VGA port never throw and keep register indices in range', () => {
    const { bench, vga } = setup();
    const rng = new SeededRandom(0x3d4);
    const ports = [...Array.from({ length: 16 }, (_, i) => 0x3c0 + i), 0x3d4, 0x3d5, 0x3da];
    for (let i = 0; i < 20_000; i++) {
      const port = ports[rng.below(ports.length)]!;
      if (rng.below(2)) bench.outb(port, rng.below(256));
      else bench.inb(port);
    }
    const s = vga.state;
    expect(s.crtc).toHaveLength(25);
    expect(s.seq).toHaveLength(5);
    expect(s.gc).toHaveLength(9);
    expect(s.attr).toHaveLength(21);
    expect(s.dac).toHaveLength(768);
    expect(vga.screen().lines).toHaveLength(25);
  });
});

describe('state: save and load', () => {
  it('a state saved mid-programming loads into a fresh adapter that then behaves the same', async () => {
    const { saveSection, loadSection } = await import('@backplane/vmstate');
    const a = setup();
    crtc(a.bench, 0x0e, 0x01);
    crtc(a.bench, 0x0f, 0x23);
    a.bench.outb(0x3c8, 7);
    a.bench.outb(0x3c9, 10); // one component of entry 7 written: a DAC access in progress
    a.bench.outb(0x3c0, 0x11); // attribute index written: the next 3C0h write is data
    const bytes = saveSection(a.vga.descriptor, a.vga.saveState(), { now: a.bench.clock.now });
    const b = setup();
    b.vga.loadState(loadSection(b.vga.descriptor, bytes, { now: b.bench.clock.now }));
    for (const x of [a, b]) {
      x.bench.outb(0x3c9, 20);
      x.bench.outb(0x3c9, 30);
      x.bench.outb(0x3c0, 0x05); // data for attribute register 11h
    }
    for (const x of [a, b]) x.bench.outb(0x3c7, 7);
    expect([b.bench.inb(0x3c9), b.bench.inb(0x3c9), b.bench.inb(0x3c9)]).toEqual([10, 20, 30]);
    expect([a.bench.inb(0x3c9), a.bench.inb(0x3c9), a.bench.inb(0x3c9)]).toEqual([10, 20, 30]);
    b.bench.outb(0x3c0, 0x11);
    expect(b.bench.inb(0x3c1)).toBe(0x05);
    expect(b.vga.screen().cursor).toEqual(a.vga.screen().cursor);
  });

  it('the in-progress subsection is sent only while an access is half done', async () => {
    const { saveSection, loadSection } = await import('@backplane/vmstate');
    const { bench, vga } = setup();
    const idle = saveSection(vga.descriptor, vga.saveState(), { now: 0 });
    bench.outb(0x3c0, 0x01);
    const busy = saveSection(vga.descriptor, vga.saveState(), { now: 0 });
    expect(busy.length).toBeGreaterThan(idle.length);
    expect(loadSection(vga.descriptor, idle, { now: 0 }).attrFlipFlop).toBe(false);
  });

  it('declares the DAC components as 6 bits: a state with a wider one is refused', async () => {
    const { validate, ValidationError } = await import('@backplane/vmstate');
    const { vga } = setup();
    const state = { ...vga.saveState(), dac: new Uint8Array(768).fill(64) };
    expect(() => validate(vga.descriptor, state)).toThrow(ValidationError);
  });
});
