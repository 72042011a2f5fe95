import { Container, ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import type { Device } from './bus';
import { DuplicateDeviceError, PortConflictError } from './errors';
import { BUS, DEVICE, assemble, busModule, deviceModule, plugDevices } from './module';
import { COUNTDOWN_TIMER, POST_CODE_LATCH, countdownTimerModule, postCodeLatchModule } from './testing/examples';

describe('devices plug in through inversify modules', () => {
  it('a container with two device modules plugs both, in binding order, and does port I/O', () => {
    const { container, bus } = assemble([postCodeLatchModule(), countdownTimerModule({ iobase: 0x310 })]);
    expect(bus.devices.map((d) => d.id)).toEqual(['post', 'countdown']);
    bus.io.out8(0x80, 0x42);
    expect(container.get(POST_CODE_LATCH).codes).toEqual([0x42]);
    bus.io.out16(0x310, 0x1234);
    expect(bus.io.in16(0x310)).toBe(0x1234);
    expect(container.get(COUNTDOWN_TIMER).state.reload).toBe(0x1234);
  });

  it('takes typed resources with PC defaults and lets the machine override them', () => {
    const { bus } = assemble([postCodeLatchModule({ iobase: 0x84 }, 'post84')]);
    expect(bus.io.owner(0x84)).toBe('post84');
    expect(bus.io.owner(0x80)).toBeUndefined();
  });

  it('refuses two devices whose resources collide, naming both', () => {
    const a = postCodeLatchModule({ iobase: 0x80 }, 'post-a');
    const b = new ContainerModule(({ bind }) => {
      bind(DEVICE).toConstantValue({
        id: 'post-b',
        plug(bus) {
          bus.io.claim('post-b', 0x80, 1, { read8: () => 0 });
        },
      } satisfies Device);
    });
    expect(() => assemble([a, b])).toThrow(PortConflictError);
    expect(() => assemble([a, b])).toThrow(/post-b.*post-a/);
  });

  it('refuses two devices with the same id', () => {
    expect(() => assemble([postCodeLatchModule({ iobase: 0x80 }, 'same'), countdownTimerModule({}, 'same')])).toThrow(DuplicateDeviceError);
  });

  it('a container without devices still yields a bus', () => {
    const container = new Container();
    container.load(busModule());
    expect(plugDevices(container).devices).toEqual([]);
    expect(container.get(BUS)).toBe(plugDevices(container));
  });

  it('announces plugged and unplugged devices on devices$, and unplug gives resources back', () => {
    const container = new Container();
    container.load(busModule(), postCodeLatchModule());
    const bus = container.get(BUS);
    const events: string[] = [];
    bus.devices$.subscribe((e) => events.push(`${e.kind}:${e.id}`));
    plugDevices(container);
    bus.unplug('post');
    expect(events).toEqual(['plugged:post', 'unplugged:post']);
    expect(bus.io.owner(0x80)).toBeUndefined();
  });

  it('binds each device to its own token as a singleton', () => {
    const container = new Container();
    container.load(busModule(), deviceModule(POST_CODE_LATCH, () => new (class {
      id = 'x';
      codes: number[] = [];
      plug() {}
    })() as never));
    expect(container.get(POST_CODE_LATCH)).toBe(container.get(POST_CODE_LATCH));
    expect(container.getAll(DEVICE)[0]).toBe(container.get(POST_CODE_LATCH));
  });
});
