import { deviceModule } from '@backplane/bus';
import type { ServiceIdentifier } from 'inversify';
import { FDC_DEFAULTS, Fdc, type FdcResources } from './Fdc';

/** The floppy controller of a container. */
export const FDC: ServiceIdentifier<Fdc> = Symbol.for('@backplane/dev-fdc:Fdc');

/**
 * A module binding one floppy controller. PC defaults: iobase 0x3F0 (ports 0x3F0-0x3F5 and
 * 0x3F7; 0x3F6 is the hard-disk controller's), IRQ 6, DMA channel 2, two drives.
 */
export function fdcModule(resources: Partial<FdcResources> = {}, id = 'fdc'): ReturnType<typeof deviceModule> {
  return deviceModule(FDC, () => new Fdc(id, { ...FDC_DEFAULTS, ...resources }));
}
