import { OverlayImage, SECTOR_SIZE, type BlockDevice } from "@backplane/block";
import {
  crc32c,
  defineState,
  field,
  type Migratable,
  type StateOf,
} from "@backplane/vmstate";

/** Drive slots a PC machine attaches images to, in stream order. */
export const DISK_SLOTS = ["fda", "fdb", "hda", "hdb", "cdrom"] as const;
export type DiskSlot = (typeof DISK_SLOTS)[number];

/** How a drive's writes are kept. */
export const DiskMode = {
  /** Writes go to an in-memory copy-on-write overlay: the stream carries its clusters. */
  Overlay: 0,
  /** Writes go straight to the image (write-through, an in-memory image, a read-only medium): the stream refers to it. */
  Direct: 1,
} as const;

/** The most clusters one drive's overlay may carry in a stream (16 GiB of 4 KiB clusters). */
const MAX_CLUSTERS = 1 << 22;
/** Sectors sampled for an image's fingerprint. */
const FINGERPRINT_SECTORS = 64;

const clusterState = defineState({
  name: "pc-disk-cluster",
  version: 1,
  fields: {
    index: field.u32(),
    data: field.varBytes({ max: 1 << 24 }),
  },
});

const driveState = defineState({
  name: "pc-disk",
  version: 1,
  fields: {
    slot: field.u8({ range: [0, DISK_SLOTS.length - 1] }),
    /** Image size in bytes. */
    size: field.u64({ range: [0n, BigInt(Number.MAX_SAFE_INTEGER)] }),
    /** CRC-32C of up to 64 sectors spread over the base image (the first one included). */
    fingerprint: field.u32(),
    mode: field.u8({ oneOf: [DiskMode.Overlay, DiskMode.Direct] }),
    /** Overlay cluster size (0 in direct mode). */
    clusterSize: field.u32({
      check: (v, s) =>
        (s.mode === DiskMode.Direct
          ? v === 0
          : v >= SECTOR_SIZE && (v & (v - 1)) === 0 && v <= 1 << 24) ||
        "bad overlay cluster size",
    }),
    /** The clusters the guest wrote, in index order (empty in direct mode). */
    clusters: field.varArray(field.struct(clusterState), { max: MAX_CLUSTERS }),
  },
  validate: (s) => {
    if (s.mode === DiskMode.Direct && s.clusters.length > 0)
      return "a direct-mode drive carries no overlay clusters";
    const count = Math.ceil(Number(s.size) / Math.max(1, s.clusterSize));
    let last = -1;
    for (const c of s.clusters) {
      if (c.index <= last)
        return `overlay cluster ${c.index} is out of order or repeated`;
      if (c.index >= count)
        return `overlay cluster ${c.index} is outside an image of ${String(
          s.size
        )} bytes`;
      if (c.data.length !== s.clusterSize)
        return `overlay cluster ${c.index} holds ${c.data.length} bytes, not ${s.clusterSize}`;
      last = c.index;
    }
    return undefined;
  },
});

/**
 * The disks a machine was saved with, by reference: per attached drive its slot, the size and a
 * fingerprint of the image under it, and, for a drive whose writes go to an overlay, every cluster
 * written, so a machine moved to another process sees the same disk contents. Images themselves
 * never travel: the loading machine attaches the same images (checked by size and fingerprint).
 *
 * Version history: 1 = first version (machine type pc-1.1; pc-1.0 streams have no such section).
 */
export const disksState = disksDescriptor(() => undefined);

function disksDescriptor(
  validate: (s: { drives: StateOf<typeof driveState>[] }) => string | undefined
) {
  return defineState({
    name: "pc-disks",
    version: 1,
    fields: {
      drives: field.varArray(field.struct(driveState), {
        max: DISK_SLOTS.length,
      }),
    },
    validate,
  });
}

export type DisksState = StateOf<typeof disksState>;

/** The image under a drive: an overlay's base, or the device itself. */
function baseOf(d: BlockDevice): BlockDevice {
  return d instanceof OverlayImage ? d.base : d;
}

/** CRC-32C of up to 64 sectors spread evenly over the image, the first included. */
export function fingerprint(image: BlockDevice): number {
  const sectors = Math.floor(image.size / SECTOR_SIZE);
  const buf = new Uint8Array(SECTOR_SIZE);
  new DataView(buf.buffer).setBigUint64(0, BigInt(image.size), true);
  let crc = crc32c(buf, 0, 0, 8);
  const n = Math.min(sectors, FINGERPRINT_SECTORS);
  for (let i = 0; i < n; i++) {
    const sector = Math.floor((i * sectors) / n);
    image.read(sector * SECTOR_SIZE, buf);
    crc = crc32c(buf, crc);
  }
  return crc >>> 0;
}

/** Why the attached disks are not the saved ones (a load refuses, before anything changes). */
function mismatch(slot: string, why: string): string {
  return `disk ${slot}: ${why}`;
}

/**
 * The machine's disks as a Migratable. The descriptor is made per machine, so its `validate`
 * compares the stream's drives with the ones attached here while the stream is checked, before
 * any state is adopted (a load is all or nothing).
 */
export function disksSection(
  drives: ReadonlyMap<DiskSlot, BlockDevice>
): Migratable<typeof disksState> {
  const fingerprintOf = (d: BlockDevice) => fingerprint(baseOf(d));
  const descriptor = disksDescriptor((s) => {
    const seen = new Set<DiskSlot>();
    for (const d of s.drives) {
      const slot = DISK_SLOTS[d.slot]!;
      if (seen.has(slot)) return mismatch(slot, "listed twice");
      seen.add(slot);
      const here = drives.get(slot);
      if (!here)
        return mismatch(
          slot,
          `the stream was saved with an image of ${String(
            d.size
          )} bytes here; this machine has none`
        );
      if (BigInt(here.size) !== d.size)
        return mismatch(
          slot,
          `the stream was saved with an image of ${String(
            d.size
          )} bytes, this one has ${here.size}`
        );
      if (fingerprintOf(here) !== d.fingerprint)
        return mismatch(
          slot,
          "the image attached here is not the one the stream was saved with (contents differ)"
        );
      if (d.mode === DiskMode.Overlay && !(here instanceof OverlayImage))
        return mismatch(
          slot,
          "the stream carries an overlay of guest writes, but this drive writes straight to its image (load without --write-through)"
        );
      if (
        d.mode === DiskMode.Overlay &&
        here instanceof OverlayImage &&
        here.clusterSize !== d.clusterSize
      )
        return mismatch(
          slot,
          `the stream's overlay uses ${d.clusterSize}-byte clusters, this one ${here.clusterSize}`
        );
    }
    for (const slot of drives.keys())
      if (!seen.has(slot))
        return mismatch(
          slot,
          "this machine has an image here; the stream was saved without one"
        );
    return undefined;
  });
  return {
    descriptor,
    saveState: () => ({
      drives: [...drives].map(([slot, d]) => {
        const overlay = d instanceof OverlayImage ? d.snapshot() : undefined;
        return {
          slot: DISK_SLOTS.indexOf(slot),
          size: BigInt(d.size),
          fingerprint: fingerprintOf(d),
          mode: overlay ? DiskMode.Overlay : DiskMode.Direct,
          clusterSize: overlay ? overlay.clusterSize : 0,
          clusters: overlay
            ? overlay.clusters.map((c) => ({ index: c.index, data: c.data }))
            : [],
        };
      }),
    }),
    loadState: (s) => {
      for (const d of s.drives) {
        const here = drives.get(DISK_SLOTS[d.slot]!);
        if (here instanceof OverlayImage && d.mode === DiskMode.Overlay)
          here.restore({
            size: Number(d.size),
            clusterSize: d.clusterSize,
            clusters: d.clusters.map((c) => ({ index: c.index, data: c.data })),
          });
      }
    },
  };
}

/** Clusters the guest has written to the overlays of these drives (what a stream without a disks section would lose). */
export function dirtyOverlayClusters(
  drives: ReadonlyMap<DiskSlot, BlockDevice>
): number {
  let n = 0;
  for (const d of drives.values())
    if (d instanceof OverlayImage) n += d.dirtyClusters;
  return n;
}
