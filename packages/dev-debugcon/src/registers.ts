/** Port of the Bochs "port E9 hack" and QEMU's isa-debugcon default. */
export const DEBUGCON_PORT_E9 = 0xe9;
/** Port SeaBIOS writes its debug log to (QEMU: -debugcon with iobase=0x402). */
export const DEBUGCON_PORT_402 = 0x402;
/** What a read of the port returns, so a guest can detect the console (Bochs and QEMU: 0xE9). */
export const DEBUGCON_READBACK = 0xe9;
