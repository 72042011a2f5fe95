import { describe, expect, it } from 'vitest';
import { IrqLine, IrqRouter } from './irq';

describe('IRQ lines', () => {
  it('drive connected sinks at a level, only on changes', () => {
    const line = new IrqLine('uart.irq4');
    const seen: boolean[] = [];
    line.connect((l) => seen.push(l));
    line.raise();
    line.raise();
    line.lower();
    expect(seen).toEqual([false, true, false]);
    expect(line.level).toBe(false);
  });

  it('pulse gives one rising and one falling edge and leaves the line low', () => {
    const line = new IrqLine('x');
    const seen: boolean[] = [];
    line.level$.subscribe((l) => seen.push(l));
    line.pulse();
    expect(seen).toEqual([false, true, false]);
    expect(line.level).toBe(false);
  });

  it('level$ starts with the current level', () => {
    const line = new IrqLine('x');
    line.raise();
    const seen: boolean[] = [];
    line.level$.subscribe((l) => seen.push(l));
    line.lower();
    expect(seen).toEqual([true, false]);
  });

  it('stops driving a sink once disconnected', () => {
    const line = new IrqLine('x');
    const seen: boolean[] = [];
    const off = line.connect((l) => seen.push(l));
    off();
    line.raise();
    expect(seen).toEqual([false]);
  });
});

describe('IRQ router (board wires)', () => {
  it('reports each wire level change to the interrupt controller', () => {
    const router = new IrqRouter();
    const seen: string[] = [];
    router.connect((irq, level) => {
      if (level || seen.length > 0) seen.push(`${irq}:${level ? 1 : 0}`);
    });
    const pit = router.line(0, 'pit');
    const kbd = router.line(1, 'kbc');
    pit.raise();
    kbd.raise();
    pit.lower();
    expect(seen).toEqual(['0:1', '1:1', '0:0']);
    expect(router.ownersOf(0)).toEqual(['pit']);
  });

  it('ORs the lines that share a wire (a wire is high while any driver holds it)', () => {
    const router = new IrqRouter();
    const a = router.line(5, 'a');
    const b = router.line(5, 'b');
    a.raise();
    b.raise();
    a.lower();
    expect(router.level(5)).toBe(true);
    b.lower();
    expect(router.level(5)).toBe(false);
  });

  it('a new line on a wire held high does not lower it', () => {
    const router = new IrqRouter();
    router.line(3, 'a').raise();
    router.line(3, 'b');
    expect(router.level(3)).toBe(true);
  });

  it('refuses a wire the board does not have', () => {
    const router = new IrqRouter(16);
    expect(() => router.line(16, 'x')).toThrow(/IRQ 16/);
  });

  it('levels$ emits every wire change', () => {
    const router = new IrqRouter();
    const seen: unknown[] = [];
    router.levels$.subscribe((e) => seen.push(e));
    const l = router.line(14, 'ide0');
    l.raise();
    l.lower();
    expect(seen).toEqual([
      { irq: 14, level: true },
      { irq: 14, level: false },
    ]);
  });
});
