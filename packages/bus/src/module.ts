import 'reflect-metadata';
import { Container, ContainerModule, inject, injectable, multiInject, optional, type ResolutionContext, type ServiceIdentifier } from 'inversify';
import { Bus, type BusOptions, type Device } from './bus';

/** The bus of a container. */
export const BUS: ServiceIdentifier<Bus> = Symbol.for('@backplane/bus:Bus');
/** Every device of a container (multi-bound: one binding per device instance). */
export const DEVICE: ServiceIdentifier<Device> = Symbol.for('@backplane/bus:Device');

/** Binds one `Bus` for the container. */
export function busModule(options: BusOptions = {}): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(BUS).toConstantValue(new Bus(options));
  });
}

/**
 * Helper for device packages: a module that binds one device instance (a singleton made by
 * `create`, which may resolve what it needs from the container) to its own token and to
 * `DEVICE`, so the bus finds it.
 */
export function deviceModule<T extends Device>(token: ServiceIdentifier<T>, create: (context: ResolutionContext) => T): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(token).toDynamicValue(create).inSingletonScope();
    bind(DEVICE).toService(token);
  });
}

/** The bus and every device of a container, gathered by multi-injection of `DEVICE`. */
@injectable()
export class Backplane {
  constructor(
    @inject(BUS) readonly bus: Bus,
    @multiInject(DEVICE) @optional() readonly devices: Device[] = [],
  ) {}

  /** Plug every device into the bus, in binding order. */
  plugAll(): Bus {
    for (const d of this.devices ?? []) if (this.bus.device(d.id) !== d) this.bus.plug(d);
    return this.bus;
  }
}

/**
 * Resolve every device bound to `DEVICE` and plug each into the container's bus, in binding
 * order (devices already plugged are left alone). Returns the bus.
 */
export function plugDevices(container: Container): Bus {
  if (!container.isBound(Backplane)) container.bind(Backplane).toSelf().inSingletonScope();
  return container.get(Backplane).plugAll();
}

/** A container with a bus and the given device modules loaded and plugged. */
export function assemble(modules: readonly ContainerModule[], options: BusOptions = {}): { container: Container; bus: Bus } {
  const container = new Container({ defaultScope: 'Singleton' });
  container.load(busModule(options), ...modules);
  return { container, bus: plugDevices(container) };
}
