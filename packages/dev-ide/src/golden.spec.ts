// Golden stream: the ide-channel v1 section of a drive in the middle of a multi-sector PIO read,
// committed once. Every later build must load it and finish the transfer (streams saved by an
// older release stay loadable), and must still write the same bytes for the same state (a change
// to the descriptor that alters the encoding shows here and needs a new version, not an edit).
// Regenerate only for a new descriptor version: DEV_IDE_WRITE_GOLDEN=1.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSection, saveSection } from '@backplane/vmstate';
import { describe, expect, it } from 'vitest';
import { P, firstDifference, issue, lba28, patternedCopy, readData, rig, waitNotBusy } from '../test/helpers';
import { Cmd, Status } from './registers';
import { channelDescriptor } from './state';

const GOLDEN = join(__dirname, '../test/golden/ide-channel-v1-mid-read.bin');
const SECTORS = 4096;
const LBA = 777;
const COUNT = 6;

/** The scenario: READ SECTORS of 6 sectors at LBA 777, 2.5 sectors read. */
function scenario() {
  const r = rig({ master: { kind: 'disk', image: patternedCopy(SECTORS), serial: 'GOLDEN', model: 'GOLDEN DISK' } });
  issue(r.tb, Cmd.SetMultipleMode, { count: 2, device: 0xa0 });
  r.tb.inb(P.status);
  issue(r.tb, Cmd.ReadMultiple, lba28(LBA, COUNT));
  r.tb.inb(P.status);
  const first = readData(r.tb, 1024);
  waitNotBusy(r.tb);
  r.tb.inb(P.status);
  const second = readData(r.tb, 256);
  return { r, read: Uint8Array.from([...first, ...second]) };
}

describe('golden stream: ide-channel v1, mid PIO read', () => {
  if (process.env.DEV_IDE_WRITE_GOLDEN === '1') {
    it('writes the golden stream', () => {
      const { r } = scenario();
      writeFileSync(GOLDEN, saveSection(channelDescriptor, r.ch.saveState(), { now: r.tb.clock.now }));
    });
    return;
  }

  it('exists', () => {
    expect(existsSync(GOLDEN)).toBe(true);
  });

  it('loads into a fresh channel, which finishes the read with the disk bytes', () => {
    const bytes = new Uint8Array(readFileSync(GOLDEN));
    const image = patternedCopy(SECTORS);
    const b = rig({ master: { kind: 'disk', image } });
    b.ch.loadState(loadSection(channelDescriptor, bytes, { now: b.tb.clock.now }));
    const rest = readData(b.tb, 1024 - 256);
    const out = [...rest];
    for (;;) {
      const st = waitNotBusy(b.tb);
      if (!(st & Status.DRQ)) break;
      b.tb.inb(P.status);
      out.push(...readData(b.tb, 1024));
    }
    const expected = image.bytes.subarray((LBA + 2) * 512 + 256, (LBA + COUNT) * 512);
    expect(firstDifference(Uint8Array.from(out), expected)).toBe(-1);
    expect(b.tb.inb(P.status)).toBe(Status.DRDY | Status.DSC);
  });

  it('is what this build writes for the same state', () => {
    const { r, read } = scenario();
    expect(firstDifference(read, patternedCopy(SECTORS).bytes.subarray(LBA * 512, LBA * 512 + 1280))).toBe(-1);
    const now = saveSection(channelDescriptor, r.ch.saveState(), { now: r.tb.clock.now });
    expect(firstDifference(now, new Uint8Array(readFileSync(GOLDEN)))).toBe(-1);
  });
});
