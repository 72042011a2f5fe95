import { readFileSync } from 'node:fs';

/** The firmware folder: one level above both `src/` (sources) and `dist/` (the build). */
const FIRMWARE = new URL('../firmware/', import.meta.url);

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, FIRMWARE)));
}

/** The built-in BIOS (64 KiB, mapped at F0000h). Built from firmware/bios.asm. */
export function builtInBios(): Uint8Array {
  return load('bios.bin');
}

/** The built-in demo floppy: its program sectors padded to a 1.44 MiB image. */
export function demoFloppyImage(): Uint8Array {
  const image = new Uint8Array(1_474_560);
  image.set(load('demo-floppy.bin'));
  return image;
}

/** The built-in demo hard disk: its first sectors padded to 20 cylinders of 16 heads x 63 sectors (~10 MB). */
export function demoDiskImage(): Uint8Array {
  const image = new Uint8Array(20 * 16 * 63 * 512);
  image.set(load('demo-disk.bin'));
  return image;
}
