import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { Pit, type PitResources } from './Pit';
import { PIT_IOBASE, PIT_IRQ } from './registers';

export const PIT: ServiceIdentifier<Pit> = Symbol.for('@backplane/dev-pit:Pit');

/** The 8254 at the PC/AT resources (ports 40h-43h, counter 0 on IRQ 0) unless overridden. */
export function pitModule(resources: Partial<PitResources> = {}, id = 'pit'): ContainerModule {
  return deviceModule(PIT, () => new Pit(id, { iobase: PIT_IOBASE, irq: PIT_IRQ, ...resources }));
}
