// CMOS images on disk: 128 raw bytes, the layout Bochs and QEMU users exchange.
import { readFile, writeFile } from 'node:fs/promises';
import { CmosImageError } from './errors';
import type { CmosLoadOptions, Rtc } from './Rtc';

/** Read a 128-byte CMOS image file into the RTC (see `Rtc.loadCmosImage`); nothing changes on error. */
export async function loadCmosFile(rtc: Rtc, path: string, options: CmosLoadOptions = {}): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (e) {
    throw new CmosImageError(`cannot read CMOS image ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    rtc.loadCmosImage(bytes, options);
  } catch (e) {
    if (e instanceof CmosImageError) throw new CmosImageError(`${path}: ${e.message}`, { cause: e });
    throw e;
  }
}

/** Write the RTC's 128 bytes of clock registers and RAM to a file. */
export async function saveCmosFile(rtc: Rtc, path: string): Promise<void> {
  const image = rtc.cmosImage();
  try {
    await writeFile(path, image);
  } catch (e) {
    throw new CmosImageError(`cannot write CMOS image ${path}: ${(e as Error).message}`, { cause: e });
  }
}
