import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { Kbc, type KbcOptions, type KbcResources } from './Kbc';

export const KBC: ServiceIdentifier<Kbc> = Symbol.for('@backplane/dev-kbc:Kbc');

export interface KbcModuleOptions extends KbcOptions {
  /** Device id on the bus (default "kbc"). */
  readonly id?: string;
}

/** An 8042 at 60h/64h with IRQ 1 (and 12 for the empty auxiliary port), PC/AT defaults. */
export function kbcModule(resources: Partial<KbcResources> = {}, options: KbcModuleOptions = {}): ContainerModule {
  const { id = 'kbc', ...rest } = options;
  return deviceModule(KBC, () => new Kbc(id, resources, rest));
}
