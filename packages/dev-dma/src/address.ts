/**
 * How the PC/AT forms the physical address of a DMA cycle (pure functions of the registers).
 *
 * 8-bit channels (0-3): the 8237A drives A0-A15 from its 16-bit current address and the page
 * register drives A16-A23, so a transfer wraps within its 64 KiB page.
 * 16-bit channels (5-7, and 4): DMA2's address lines are wired one bit up, so the 16-bit current
 * address is a word address driving A1-A16; the page register's bits 1-7 drive A17-A23 and its
 * bit 0 is ignored, so a transfer wraps within its 128 KiB page.
 */

/** Physical address of the `byteOffset`-th byte (from the current address) of an 8-bit channel. */
export function address8(page: number, current: number, byteOffset: number, decrement: boolean): number {
  const a = (decrement ? current - byteOffset : current + byteOffset) & 0xffff;
  return ((page & 0xff) << 16) | a;
}

/**
 * Physical address of the `byteOffset`-th byte of a 16-bit channel: words are walked up or down,
 * the two bytes of a word are always low then high.
 */
export function address16(page: number, current: number, byteOffset: number, decrement: boolean): number {
  const words = byteOffset >>> 1;
  const w = (decrement ? current - words : current + words) & 0xffff;
  return ((page & 0xfe) << 16) | (w << 1) | (byteOffset & 1);
}
