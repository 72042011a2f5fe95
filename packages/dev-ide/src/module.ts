import { type ServiceIdentifier } from 'inversify';
import { deviceModule } from '@backplane/bus';
import { IdeChannel, type IdeChannelDrives, type IdeChannelResources } from './IdeChannel';

/** PC/AT primary channel: 0x1F0-0x1F7, 0x3F6, IRQ 14. */
export const PRIMARY_CHANNEL: IdeChannelResources = Object.freeze({ iobase: 0x1f0, ctrlbase: 0x3f6, irq: 14 });
/** PC/AT secondary channel: 0x170-0x177, 0x376, IRQ 15. */
export const SECONDARY_CHANNEL: IdeChannelResources = Object.freeze({ iobase: 0x170, ctrlbase: 0x376, irq: 15 });

export const IDE_PRIMARY: ServiceIdentifier<IdeChannel> = Symbol.for('@backplane/dev-ide:primary');
export const IDE_SECONDARY: ServiceIdentifier<IdeChannel> = Symbol.for('@backplane/dev-ide:secondary');

export interface IdeChannelModuleOptions extends IdeChannelDrives {
  /** Device id on the bus (default "ide0" primary, "ide1" secondary). */
  readonly id?: string;
  /** Resources (default: the PC/AT assignment of the channel). */
  readonly resources?: Partial<IdeChannelResources>;
}

/** The primary channel as a device module, bound to `IDE_PRIMARY`. */
export function idePrimaryModule(options: IdeChannelModuleOptions = {}): ReturnType<typeof deviceModule> {
  return deviceModule(IDE_PRIMARY, () => new IdeChannel(options.id ?? 'ide0', { ...PRIMARY_CHANNEL, ...options.resources }, options));
}

/** The secondary channel as a device module, bound to `IDE_SECONDARY`. */
export function ideSecondaryModule(options: IdeChannelModuleOptions = {}): ReturnType<typeof deviceModule> {
  return deviceModule(IDE_SECONDARY, () => new IdeChannel(options.id ?? 'ide1', { ...SECONDARY_CHANNEL, ...options.resources }, options));
}
