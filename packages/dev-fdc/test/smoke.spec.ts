import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawFileImage } from '@backplane/block';
import { describe, expect, it } from 'vitest';
import { FIFO, mkfsFat, resetController, result, rig, send, specify, tempDir, waitIrq } from './helpers';

describe('smoke', () => {
  it('reads the boot sector by DMA', () => {
    const t = tempDir();
    try {
      const path = join(t.dir, 'a.img');
      mkfsFat(path);
      const { bench, fdc } = rig();
      fdc.insert(0, RawFileImage.open(path, { readOnly: true }));
      console.log(resetController(bench));
      specify(bench);
      bench.outb(0x3f7, 0); // 500 kbps
      console.log(JSON.stringify(bench.clock.now));
      bench.dma.program(2, { address: 0x1000, length: 512, direction: 'write' });
      send(bench, 0xe6, 0, 0, 0, 1, 2, 18, 0x1b, 0xff);
      waitIrq(bench);
      const r = result(bench);
      console.log(r, bench.clock.now);
      expect([...bench.memory.ram.subarray(0x1000, 0x1200)]).toEqual([...readFileSync(path).subarray(0, 512)]);
      void FIFO;
    } finally {
      t.remove();
    }
  });
});
