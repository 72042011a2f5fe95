import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { DMA_DEFAULTS, Dma8237, type DmaResources } from './Dma8237';

export const DMA: ServiceIdentifier<Dma8237> = Symbol.for('@backplane/dev-dma:Dma8237');

/**
 * The PC/AT DMA pair (DMA1 at 00h-0Fh, DMA2 at C0h-DFh, page registers at 80h-8Fh unless
 * overridden). Bind it before the devices that use DMA: they attach to the bus's controller when
 * they are plugged, and this device offers itself to the bus when it is.
 */
export function dmaModule(resources: Partial<DmaResources> = {}, id = 'dma'): ContainerModule {
  return deviceModule(DMA, () => new Dma8237(id, { ...DMA_DEFAULTS, ...resources }));
}
