// @backplane/dev-dma: two Intel 8237A DMA controllers in cascade with the PC/AT page registers.
export { Dma8237, DMA_DEFAULTS } from './Dma8237';
export type { DmaResources } from './Dma8237';
export { DmaAttachError, DmaClientError } from './errors';
export { DMA, dmaModule } from './module';
export { address8, address16 } from './address';
export { dmaChannelState, dmaControllerState, dmaState } from './state';
export type { DmaChannelRegs, DmaControllerRegs, DmaState } from './state';
export {
  CASCADE_CHANNEL,
  CMD_CH0_ADDRESS_HOLD,
  CMD_DISABLE,
  CMD_MEM_TO_MEM,
  CMD_ROTATING_PRIORITY,
  DMA1_BASE,
  DMA2_BASE,
  MODE_AUTO_INIT,
  MODE_BLOCK,
  MODE_CASCADE,
  MODE_DECREMENT,
  MODE_DEMAND,
  MODE_SINGLE,
  PAGE_BASE,
  PAGE_OF_CHANNEL,
  TRANSFER_READ,
  TRANSFER_VERIFY,
  TRANSFER_WRITE,
} from './registers';
