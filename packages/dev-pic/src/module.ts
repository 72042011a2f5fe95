import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { Pic, type PicResources } from './Pic';
import { PIC_ELCR_IOBASE, PIC_MASTER_IOBASE, PIC_SLAVE_IOBASE } from './registers';

export const PIC: ServiceIdentifier<Pic> = Symbol.for('@backplane/dev-pic:Pic');

/** The 8259A pair at the PC/AT resources (20h-21h, A0h-A1h, ELCR 4D0h-4D1h) unless overridden. */
export function picModule(resources: Partial<PicResources> = {}, id = 'pic'): ContainerModule {
  return deviceModule(PIC, () => new Pic(id, { masterIobase: PIC_MASTER_IOBASE, slaveIobase: PIC_SLAVE_IOBASE, elcrIobase: PIC_ELCR_IOBASE, ...resources }));
}
