import { deviceModule } from '@backplane/bus';
import type { ContainerModule, ServiceIdentifier } from 'inversify';
import { TEXT_BASE } from './registers';
import { Vga, type VgaResources } from './Vga';

export const VGA: ServiceIdentifier<Vga> = Symbol.for('@backplane/dev-vga:Vga');

/** A VGA in colour text mode (ports 3C0h-3CFh, 3D4h-3D5h, 3DAh; text buffer at B8000h). */
export function vgaModule(resources: Partial<VgaResources> = {}, id = 'vga'): ContainerModule {
  return deviceModule(VGA, () => new Vga(id, { textBase: TEXT_BASE, ...resources }));
}
