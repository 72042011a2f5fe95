import { describe, expect, it } from 'vitest';
import { main } from './main';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) }, get out() { return out; }, get err() { return err; } };
}

describe('backplane help', () => {
  it('prints usage and exits 0 with no arguments', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(0);
    expect(c.out).toContain('Usage: backplane <command>');
  });

  it('refuses an unknown command with exit code 2 and one line on stderr', async () => {
    const c = capture();
    expect(await main(['bogus'], c.io)).toBe(2);
    expect(c.err.trim().split('\n')).toHaveLength(1);
    expect(c.err).toContain('unknown command "bogus"');
  });
});
