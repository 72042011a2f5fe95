// One framed section: the bytes of one descriptor's state, loadable on its own.
//   frame(type 0x10, id) { name (u8 length + UTF-8) | u32 version | body }
import { ByteReader, ByteWriter, readFrame } from './bytes';
import { cloneState, createShell, createState, decodeBody, encodeBody, planOf, validateState, writeVersionOf, type EncodeContext } from './codec';
import type { AnyDescriptor, StateOf } from './descriptor';
import { HookError, SectionMismatchError, StreamFormatError, ValidationError, VersionError, VmstateError, type ErrorContext } from './errors';

export const REC_SECTION = 0x10;

export interface SaveOptions {
  /** Virtual now in ns: timers are saved as offsets from it. */
  now: number;
  /** Section id written in the frame (the stream uses the manifest index). Default 0. */
  id?: number;
  /**
   * Compatibility pins: write these states, nested states and subsections (by name) at an older
   * version, as a machine type that must stay loadable by an older release does. Fields newer
   * than the pinned version are left out (the save is refused if one holds anything but its
   * default: that state would be lost); a subsection pinned to 0 is never sent (refused if needed).
   */
  versions?: VersionPins;
}

/** State or subsection name -> the version to write. */
export type VersionPins = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

/** Pins as a map (undefined when there are none). */
export function pinMap(pins: VersionPins | undefined): ReadonlyMap<string, number> | undefined {
  if (pins === undefined) return undefined;
  const m = pins instanceof Map ? (pins as ReadonlyMap<string, number>) : new Map(Object.entries(pins));
  return m.size === 0 ? undefined : m;
}

export interface LoadOptions {
  /** Virtual now in ns on the loading side: saved timer offsets are added to it. */
  now: number;
}

function checkNow(now: number): void {
  if (!Number.isSafeInteger(now) || now < 0) throw new ValidationError(`now must be a non-negative integer of ns, got ${String(now)}`);
}

/** Validate and encode a state into `w` as one framed section. Returns the subsections written (path -> version). */
export function writeSection(desc: AnyDescriptor, state: unknown, w: ByteWriter, opts: SaveOptions, ctx: ErrorContext = {}): Map<string, number> {
  checkNow(opts.now);
  const plan = planOf(desc);
  const s = state as Record<string, unknown>;
  const subsections = new Map<string, number>();
  const versions = pinMap(opts.versions);
  const ectx: EncodeContext = versions ? { now: opts.now, subsections, versions } : { now: opts.now, subsections };
  const mark = w.pos;
  try {
    if (s === null || typeof s !== 'object') throw new ValidationError('state is not an object');
    validateState(plan, s);
    const version = versions ? writeVersionOf(plan, ectx) : plan.version;
    const start = w.beginFrame(REC_SECTION, opts.id ?? 0);
    w.name(desc.name);
    w.u32(version);
    encodeBody(plan, s, w, ectx, '', version);
    w.endFrame(start);
  } catch (e) {
    w.pos = mark;
    if (e instanceof VmstateError) throw e.withContext({ ...ctx, section: desc.name });
    // a needed() or when() predicate threw: still a typed error
    throw new HookError('save', e instanceof Error ? e.message : String(e), { ...ctx, section: desc.name });
  }
  return subsections;
}

/** Encode one state as a framed, checksummed section (validating it first). */
let scratch: ByteWriter | null = new ByteWriter(4096);

export function saveSection<D extends AnyDescriptor>(desc: D, state: StateOf<D>, opts: SaveOptions): Uint8Array {
  // One scratch writer, reused; a hook that saves another section meanwhile gets its own.
  const w = scratch ?? new ByteWriter(512);
  scratch = null;
  try {
    w.pos = 0;
    writeSection(desc, state, w, opts);
    return w.result();
  } finally {
    if (w.buf.length <= 1 << 20) scratch = w;
    else scratch = new ByteWriter(4096);
  }
}

export interface DecodedSection<S> {
  state: S;
  /** The version the stream carried. */
  version: number;
  /** The subsection paths the stream carried. */
  subsections: string[];
}

/** Decode the section payload (after the frame is checked) into a fresh validated state. */
export function readSectionPayload<D extends AnyDescriptor>(desc: D, p: ByteReader, ctx: ErrorContext = {}): DecodedSection<StateOf<D>> {
  const plan = planOf(desc);
  const base: ErrorContext = { ...ctx, section: desc.name };
  try {
    const start = p.offset;
    const name = p.name();
    if (name !== desc.name) throw new SectionMismatchError('unknown-section', `section holds state "${name}", expected "${desc.name}"`, { offset: start });
    const version = p.u32();
    if (version > desc.version || version < desc.minVersion) throw new VersionError(version, desc.minVersion, desc.version, { offset: p.offset - 4 });
    const state = createShell(plan);
    p.ctx = base;
    const subsections = decodeBody(plan, p, version, state);
    if (p.remaining !== 0) throw new StreamFormatError(`${p.remaining} unread bytes at the end of the section`, { offset: p.offset });
    validateState(plan, state);
    return { state: state as StateOf<D>, version, subsections };
  } catch (e) {
    if (e instanceof VmstateError) throw e.withContext(base);
    if (e instanceof RangeError) throw new StreamFormatError(`decoding failed: ${e.message}`, base);
    throw e;
  }
}

/**
 * Decode one framed section into a fresh, fully validated state object, or throw a typed
 * VmstateError. Nothing but the returned object is touched.
 */
export function loadSection<D extends AnyDescriptor>(desc: D, bytes: Uint8Array, opts: LoadOptions): StateOf<D> {
  checkNow(opts.now);
  const r = new ByteReader(bytes, 0, bytes.length, 0, { section: desc.name });
  r.now = opts.now;
  const f = readFrame(r, `section "${desc.name}"`);
  if (f.type !== REC_SECTION) throw new StreamFormatError(`expected a section record (type 0x10), found type 0x${f.type.toString(16)}`, { section: desc.name, offset: 0 });
  if (r.remaining !== 0) throw new StreamFormatError(`${r.remaining} bytes after the section`, { section: desc.name, offset: r.offset });
  return readSectionPayload(desc, f.payload).state;
}

/** A fresh state holding every field's declared default (subsection fields included). */
export function defaultState<D extends AnyDescriptor>(desc: D): StateOf<D> {
  return createState(planOf(desc)) as StateOf<D>;
}

/** Check a state object against every rule of its descriptor; throws ValidationError. */
export function validate<D extends AnyDescriptor>(desc: D, state: StateOf<D>): void {
  try {
    validateState(planOf(desc), state as Record<string, unknown>);
  } catch (e) {
    throw e instanceof VmstateError ? e.withContext({ section: desc.name }) : e;
  }
}

/** A deep copy of a state object (every declared field; typed arrays copied). */
export function copyState<D extends AnyDescriptor>(desc: D, state: StateOf<D>): StateOf<D> {
  return cloneState(planOf(desc), state as Record<string, unknown>) as StateOf<D>;
}
