// Table-driven encoding and decoding of one descriptor's body. Each descriptor is compiled once
// into a plan (an array of ops with precomputed bounds) that the loops below walk; no per-field
// closures or allocations on the encode path.
import { ByteReader, ByteWriter, readFrame } from './bytes';
import { bigBounds, intBounds, type AnyDescriptor, type AnySubsection, type CheckResult, type Field, type IntKind, type LoadInfo } from './descriptor';
import { HookError, LimitError, StreamFormatError, UnknownSubsectionError, ValidationError, VersionError, VmstateError, type ErrorContext } from './errors';

export const REC_SUBSECTION = 0x11;

const enum Op {
  U8,
  U16,
  U32,
  I8,
  I16,
  I32,
  U64,
  I64,
  Bool,
  Bytes,
  VarBytes,
  Array,
  VarArray,
  Struct,
  Timer,
}

const CODES: Record<string, Op> = {
  u8: Op.U8,
  u16: Op.U16,
  u32: Op.U32,
  i8: Op.I8,
  i16: Op.I16,
  i32: Op.I32,
  u64: Op.U64,
  i64: Op.I64,
  bool: Op.Bool,
  bytes: Op.Bytes,
  varBytes: Op.VarBytes,
  array: Op.Array,
  varArray: Op.VarArray,
  struct: Op.Struct,
  timer: Op.Timer,
};

/** Smallest encoded size of one value of each op (for refusing hostile counts before allocating). */
function minSize(op: FieldOp): number {
  switch (op.code) {
    case Op.U8:
    case Op.I8:
    case Op.Bool:
      return 1;
    case Op.U16:
    case Op.I16:
      return 2;
    case Op.U32:
    case Op.I32:
    case Op.VarBytes:
    case Op.VarArray:
      return 4;
    case Op.U64:
    case Op.I64:
      return 8;
    case Op.Timer:
      return 1;
    case Op.Bytes:
      return op.length;
    case Op.Array:
      return op.length * minSize(op.element!);
    case Op.Struct:
      return 2; // subsection count of an empty body
  }
}

/** One compiled field. All ops share this shape (monomorphic). */
export class FieldOp {
  code: Op;
  key: string;
  since: number;
  field: Field;
  min = 0;
  max = 0;
  bigMin = 0n;
  bigMax = 0n;
  oneOf: Set<number | bigint> | null = null;
  length = 0;
  element: FieldOp | null = null;
  plan: Plan | null = null;
  constructor(key: string, f: Field) {
    this.code = CODES[f.kind]!;
    this.key = key;
    this.since = f.since;
    this.field = f;
    switch (this.code) {
      case Op.U8:
      case Op.U16:
      case Op.U32:
      case Op.I8:
      case Op.I16:
      case Op.I32: {
        const [lo, hi] = (f.range as readonly [number, number] | undefined) ?? intBounds(f.kind as IntKind);
        this.min = lo;
        this.max = hi;
        break;
      }
      case Op.U64:
      case Op.I64: {
        const [lo, hi] = (f.range as readonly [bigint, bigint] | undefined) ?? bigBounds(f.kind as 'u64' | 'i64');
        this.bigMin = lo;
        this.bigMax = hi;
        break;
      }
      case Op.Bytes:
      case Op.Array:
        this.length = f.length!;
        break;
      case Op.VarBytes:
      case Op.VarArray:
        this.max = f.max!;
        break;
    }
    if (f.oneOf) this.oneOf = new Set<number | bigint>(f.oneOf);
    if (f.element) this.element = new FieldOp(`${key}[]`, f.element);
    if (f.struct) this.plan = planOf(f.struct);
  }
}

/** A compiled descriptor or subsection. */
export class Plan {
  readonly name: string;
  readonly version: number;
  readonly minVersion: number;
  readonly ops: FieldOp[];
  readonly subs: Plan[];
  readonly desc: AnyDescriptor | AnySubsection;
  /** Every op of this plan and its subsections (recursively): the whole state object. */
  readonly allOps: FieldOp[];
  readonly subsByName: Map<string, Plan>;
  /** Makes an object with every key in order, all undefined. */
  readonly makeShell: () => Record<string, unknown>;
  constructor(desc: AnyDescriptor | AnySubsection) {
    this.desc = desc;
    this.name = desc.name;
    this.version = desc.version;
    this.minVersion = desc.minVersion;
    this.ops = Object.entries(desc.fields as Record<string, Field>).map(([k, f]) => new FieldOp(k, f));
    this.subs = (desc.subsections as readonly AnySubsection[]).map((s) => new Plan(s));
    this.subsByName = new Map(this.subs.map((s) => [s.name, s]));
    this.allOps = [...this.ops, ...this.subs.flatMap((s) => s.allOps)];
    this.makeShell = shellFactory(this.allOps.map((op) => op.key));
  }
}

const plans = new WeakMap<object, Plan>();
export function planOf(desc: AnyDescriptor): Plan {
  let p = plans.get(desc);
  if (!p) {
    p = new Plan(desc);
    plans.set(desc, p);
  }
  return p;
}

// ---- defaults -------------------------------------------------------------------------------

function cloneValue(op: FieldOp, v: unknown): unknown {
  switch (op.code) {
    case Op.Bytes:
    case Op.VarBytes:
      return (v as Uint8Array).slice();
    case Op.Array:
    case Op.VarArray:
      return (v as unknown[]).map((e) => cloneValue(op.element!, e));
    case Op.Struct:
      return v === undefined ? createState(op.plan!) : structuredCloneState(op.plan!, v as Record<string, unknown>);
    default:
      return v;
  }
}

function structuredCloneState(plan: Plan, v: Record<string, unknown>): Record<string, unknown> {
  const o = plan.makeShell();
  for (const op of plan.allOps) o[op.key] = cloneValue(op, v[op.key]);
  return o;
}

/** A fresh state object holding every field's default (subsection fields included). */
export function createState(plan: Plan): Record<string, unknown> {
  // From the object-literal factory, so the result has a fast (non-dictionary) shape.
  const o = plan.makeShell();
  const ops = plan.allOps;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    o[op.key] = cloneValue(op, op.field.defaultValue);
  }
  return o;
}

/**
 * A fresh object for decoding: every key in declaration order (so all states of a descriptor
 * share one shape) but holding `undefined`; `fillDefaults` completes it after decoding, so
 * decoded arrays and buffers are not allocated twice. With a preLoad hook the object gets its
 * defaults first, as the hook is promised.
 */
export function createShell(plan: Plan): Record<string, unknown> {
  if ((plan.desc as AnyDescriptor).preLoad) return createState(plan);
  return plan.makeShell();
}

/**
 * A factory returning an object literal with every key (undefined): V8 builds such literals from
 * a boilerplate, far faster than adding keys one by one. Keys are identifiers (defineState checks).
 */
function shellFactory(keys: readonly string[]): () => Record<string, unknown> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function(`return () => ({ ${keys.map((k) => `${JSON.stringify(k)}: undefined`).join(', ')} });`)() as () => Record<string, unknown>;
  } catch {
    // Code generation disallowed (a strict CSP): add the keys one by one.
    return () => {
      const o: Record<string, unknown> = {};
      for (const k of keys) o[k] = undefined;
      return o;
    };
  }
}

/** Give every field still `undefined` its default. */
export function fillDefaults(plan: Plan, o: Record<string, unknown>): void {
  const ops = plan.allOps;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (o[op.key] === undefined) o[op.key] = cloneValue(op, op.field.defaultValue);
  }
}

/** A deep copy of a state object (every declared field). */
export function cloneState(plan: Plan, state: Record<string, unknown>): Record<string, unknown> {
  return structuredCloneState(plan, state);
}

// ---- validation -----------------------------------------------------------------------------

function fail(path: string, detail: string): never {
  throw new ValidationError(detail, { field: path });
}

function checkResult(r: CheckResult, path: string, what: string): void {
  if (r === true || r === undefined) return;
  fail(path, `${what}: ${typeof r === 'string' ? r : 'refused'}`);
}

function pathOf(prefix: string, op: FieldOp, index: number): string {
  return index < 0 ? prefix + op.key : `${prefix}${op.key.endsWith('[]') ? op.key.slice(0, -2) : op.key}[${index}]`;
}

/** Validate one value. The path is only built when a rule fails (no allocation on success). */
function validateValue(op: FieldOp, v: unknown, prefix: string, index: number, root: Record<string, unknown>): void {
  switch (op.code) {
    case Op.U8:
    case Op.U16:
    case Op.U32:
    case Op.I8:
    case Op.I16:
    case Op.I32:
      if (typeof v !== 'number' || !Number.isInteger(v)) fail(pathOf(prefix, op, index), `${op.field.kind} value ${String(v)} is not an integer`);
      if (v < op.min || v > op.max) fail(pathOf(prefix, op, index), `value ${v} is outside [${op.min}, ${op.max}]`);
      if (op.oneOf !== null && !op.oneOf.has(v)) fail(pathOf(prefix, op, index), `value ${v} is not one of ${[...op.oneOf].join(', ')}`);
      break;
    case Op.U64:
    case Op.I64:
      if (typeof v !== 'bigint') fail(pathOf(prefix, op, index), `${op.field.kind} value ${String(v)} is not a bigint`);
      if (v < op.bigMin || v > op.bigMax) fail(pathOf(prefix, op, index), `value ${v} is outside [${op.bigMin}, ${op.bigMax}]`);
      if (op.oneOf !== null && !op.oneOf.has(v)) fail(pathOf(prefix, op, index), `value ${v} is not one of ${[...op.oneOf].join(', ')}`);
      break;
    case Op.Bool:
      if (typeof v !== 'boolean') fail(pathOf(prefix, op, index), `value ${String(v)} is not a boolean`);
      break;
    case Op.Timer:
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < -1) fail(pathOf(prefix, op, index), `timer deadline ${String(v)} is neither -1 (not armed) nor a non-negative integer of ns`);
      break;
    case Op.Bytes:
      if (!(v instanceof Uint8Array) || v.length !== op.length) fail(pathOf(prefix, op, index), `expected a Uint8Array of ${op.length} bytes`);
      break;
    case Op.VarBytes:
      if (!(v instanceof Uint8Array)) fail(pathOf(prefix, op, index), 'expected a Uint8Array');
      if (v.length > op.max) fail(pathOf(prefix, op, index), `${v.length} bytes exceed the declared max ${op.max}`);
      break;
    case Op.Array:
    case Op.VarArray: {
      if (!Array.isArray(v)) fail(pathOf(prefix, op, index), 'expected an array');
      if (op.code === Op.Array && v.length !== op.length) fail(pathOf(prefix, op, index), `expected ${op.length} elements, got ${v.length}`);
      if (op.code === Op.VarArray && v.length > op.max) fail(pathOf(prefix, op, index), `${v.length} elements exceed the declared max ${op.max}`);
      const el = op.element!;
      if (el.code === Op.Struct) for (let i = 0; i < v.length; i++) validateStruct(el.plan!, v[i], `${prefix}${op.key}[${i}]`);
      else for (let i = 0; i < v.length; i++) validateValue(el, v[i], prefix, i, root);
      break;
    }
    case Op.Struct:
      validateStruct(op.plan!, v, pathOf(prefix, op, index));
      break;
  }
  if (op.field.check) checkResult(guard(op.field.check, v, root), pathOf(prefix, op, index), 'check');
}

/** Run a relation check; a check that throws refuses the value (typed), it never escapes raw. */
function guard(check: (v: unknown, s: Record<string, unknown>) => CheckResult, v: unknown, root: Record<string, unknown>): CheckResult {
  try {
    return check(v, root);
  } catch (e) {
    if (e instanceof VmstateError) throw e;
    return `check threw: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function validateStruct(plan: Plan, v: unknown, path: string): void {
  if (v === null || typeof v !== 'object') fail(path, 'expected an object');
  validateState(plan, v as Record<string, unknown>, path + '.');
}

/** Check every declared rule of a whole state object (fields of subsections included). */
export function validateState(plan: Plan, state: Record<string, unknown>, prefix = ''): void {
  const ops = plan.allOps;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    validateValue(op, state[op.key], prefix, -1, state);
  }
  const d = plan.desc as AnyDescriptor;
  if (d.validate) {
    let r: CheckResult;
    try {
      r = d.validate(state);
    } catch (e) {
      if (e instanceof VmstateError) throw e;
      r = `validate threw: ${e instanceof Error ? e.message : String(e)}`;
    }
    checkResult(r, prefix || '(state)', 'validate');
  }
}

// ---- encoding -------------------------------------------------------------------------------

/** Encoding context: virtual now for timers. */
export interface EncodeContext {
  now: number;
  /** Collects `path@version` of every subsection written (for the manifest). */
  subsections?: Map<string, number>;
  /**
   * Versions to write instead of the current ones, by state or subsection name (a machine
   * type's compatibility pins). A subsection pinned to 0 did not exist in that release.
   */
  versions?: ReadonlyMap<string, number>;
}

/** The version a plan is written at under `ctx`'s pins (checked against what the plan can express). */
export function writeVersionOf(plan: Plan, ctx: EncodeContext): number {
  const pin = ctx.versions?.get(plan.name);
  if (pin === undefined) return plan.version;
  const isSub = (plan.desc as AnySubsection).type === 'subsection';
  if (!Number.isInteger(pin) || pin > plan.version || (pin < plan.minVersion && !(isSub && pin === 0)))
    throw new ValidationError(
      `"${plan.name}" cannot be written as version ${pin}: this build writes versions ${plan.minVersion} to ${plan.version}${isSub ? ' (or 0: not sent)' : ''}`,
    );
  return pin;
}

/** Whether `v` equals the field's declared default (what a reader that lacks the field will hold). */
function isDefaultValue(op: FieldOp, v: unknown): boolean {
  const d = op.field.defaultValue;
  if (v instanceof Uint8Array) {
    const b = d as Uint8Array;
    if (!(b instanceof Uint8Array) || b.length !== v.length) return false;
    for (let i = 0; i < v.length; i++) if (v[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(v)) {
    const b = d as unknown[];
    if (!Array.isArray(b) || b.length !== v.length) return false;
    if (op.element!.code === Op.Struct) return v.length === 0;
    for (let i = 0; i < v.length; i++) if (v[i] !== b[i]) return false;
    return true;
  }
  return v === d;
}

function encodeValue(op: FieldOp, v: unknown, w: ByteWriter, ctx: EncodeContext, path: string): void {
  switch (op.code) {
    case Op.U8:
      w.u8(v as number);
      return;
    case Op.U16:
      w.u16(v as number);
      return;
    case Op.U32:
      w.u32(v as number);
      return;
    case Op.I8:
      w.i8(v as number);
      return;
    case Op.I16:
      w.i16(v as number);
      return;
    case Op.I32:
      w.i32(v as number);
      return;
    case Op.U64:
      w.u64(v as bigint);
      return;
    case Op.I64:
      w.i64(v as bigint);
      return;
    case Op.Bool:
      w.u8(v ? 1 : 0);
      return;
    case Op.Timer:
      if ((v as number) < 0) w.u8(0);
      else {
        w.u8(1);
        w.i64n((v as number) - ctx.now);
      }
      return;
    case Op.Bytes:
      w.bytes(v as Uint8Array);
      return;
    case Op.VarBytes:
      w.u32((v as Uint8Array).length);
      w.bytes(v as Uint8Array);
      return;
    case Op.Array:
    case Op.VarArray: {
      const a = v as unknown[];
      if (op.code === Op.VarArray) w.u32(a.length);
      const el = op.element!;
      if (el.code === Op.Struct) {
        const version = ctx.versions ? writeVersionOf(el.plan!, ctx) : el.plan!.version;
        w.u32(version);
        const p = `${path ? path + '.' : ''}${op.key}`;
        for (let i = 0; i < a.length; i++) encodeBody(el.plan!, a[i] as Record<string, unknown>, w, ctx, p, version);
      } else for (let i = 0; i < a.length; i++) encodeValue(el, a[i], w, ctx, path);
      return;
    }
    case Op.Struct: {
      const version = ctx.versions ? writeVersionOf(op.plan!, ctx) : op.plan!.version;
      w.u32(version);
      encodeBody(op.plan!, v as Record<string, unknown>, w, ctx, `${path ? path + '.' : ''}${op.key}`, version);
      return;
    }
  }
}

/**
 * Encode `state`'s fields at the plan's own version, then the needed subsections as framed
 * records (u16 count first). `state` must have passed validateState.
 */
export function encodeBody(plan: Plan, state: Record<string, unknown>, w: ByteWriter, ctx: EncodeContext, path = '', version = plan.version): void {
  const d = plan.desc as AnyDescriptor;
  if (d.preSave) {
    state = { ...state };
    try {
      d.preSave(state);
    } catch (e) {
      throw new HookError('preSave', e instanceof Error ? e.message : String(e), { field: path || undefined });
    }
  }
  encodeFields(plan.ops, state, w, ctx, path, version);
  encodeSubsections(plan, state, w, ctx, path);
}

function encodeFields(ops: FieldOp[], state: Record<string, unknown>, w: ByteWriter, ctx: EncodeContext, path: string, version: number): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.since > version) {
      // Written as an older version (a compatibility pin): the field is left out, and a reader
      // of that version gives it its default. Anything else would lose state without a word.
      if (!isDefaultValue(op, state[op.key]))
        throw new ValidationError(`field "${fieldPath(path, op)}" (since version ${op.since}) holds a value that version ${version} cannot carry`, {
          field: fieldPath(path, op),
        });
      continue;
    }
    if (op.field.when) {
      // A field with an existence predicate carries a presence byte, so the stream never
      // depends on the reader evaluating the same predicate.
      if (!op.field.when(state)) {
        w.u8(0);
        continue;
      }
      w.u8(1);
    }
    encodeValue(op, state[op.key], w, ctx, path);
  }
}

function encodeSubsections(plan: Plan, state: Record<string, unknown>, w: ByteWriter, ctx: EncodeContext, path: string): void {
  const subs = plan.subs;
  if (subs.length === 0) {
    w.u16(0);
    return;
  }
  const needed: number[] = [];
  for (let i = 0; i < subs.length; i++) if ((subs[i]!.desc as AnySubsection).needed(state)) needed.push(i);
  w.u16(needed.length);
  for (const i of needed) {
    const sub = subs[i]!;
    const subPath = path ? `${path}/${sub.name}` : sub.name;
    const version = ctx.versions ? writeVersionOf(sub, ctx) : sub.version;
    if (version === 0)
      throw new ValidationError(`subsection "${subPath}" is needed, but the version being written (a compatibility pin) has no such subsection`, {
        subsection: subPath,
      });
    ctx.subsections?.set(subPath, version);
    const start = w.beginFrame(REC_SUBSECTION, i);
    w.name(sub.name);
    w.u32(version);
    encodeFields(sub.ops, state, w, ctx, subPath, version);
    encodeSubsections(sub, state, w, ctx, subPath);
    w.endFrame(start);
  }
}

// ---- decoding -------------------------------------------------------------------------------

function fieldPath(parent: string, op: FieldOp): string {
  return parent ? `${parent}.${op.key}` : op.key;
}

/** Decode one value; `parent` is the path of the enclosing struct (for messages and subsection paths). */
function decodeValue(op: FieldOp, r: ByteReader, parent: string): unknown {
  switch (op.code) {
    case Op.U8:
      return r.u8();
    case Op.U16:
      return r.u16();
    case Op.U32:
      return r.u32();
    case Op.I8:
      return r.i8();
    case Op.I16:
      return r.i16();
    case Op.I32:
      return r.i32();
    case Op.U64:
      return r.u64();
    case Op.I64:
      return r.i64();
    case Op.Bool: {
      const b = r.u8();
      if (b > 1) throw new ValidationError(`boolean byte is ${b}, not 0 or 1`, { field: fieldPath(parent, op), offset: r.offset - 1 });
      return b === 1;
    }
    case Op.Timer: {
      const armed = r.u8();
      if (armed === 0) return -1;
      if (armed !== 1) throw new ValidationError(`timer flag is ${armed}, not 0 (not armed) or 1 (armed)`, { field: fieldPath(parent, op), offset: r.offset - 1 });
      const off = r.i64n();
      const deadline = r.now + off;
      if (!Number.isSafeInteger(deadline) || deadline < 0)
        throw new ValidationError(`timer offset ${off} ns from now ${r.now} gives no valid deadline`, { field: fieldPath(parent, op), offset: r.offset - 8 });
      return deadline;
    }
    case Op.Bytes:
      return r.bytes(op.length);
    case Op.VarBytes: {
      const n = r.u32();
      if (n > op.max) throw new LimitError(`length ${n} exceeds the declared max ${op.max}`, { field: fieldPath(parent, op), offset: r.offset - 4 });
      return r.bytes(n);
    }
    case Op.Array:
    case Op.VarArray: {
      let n = op.length;
      const el = op.element!;
      if (op.code === Op.VarArray) {
        n = r.u32();
        if (n > op.max) throw new LimitError(`count ${n} exceeds the declared max ${op.max}`, { field: fieldPath(parent, op), offset: r.offset - 4 });
      }
      if (el.code === Op.Struct) {
        const version = r.u32();
        checkStructVersion(el.plan!, version, fieldPath(parent, op), r);
        if (n * 2 > r.remaining) r.need(n * 2, `${n} elements`);
        const a = new Array<unknown>(n);
        for (let i = 0; i < n; i++) a[i] = decodeStruct(el.plan!, r, version, fieldPath(parent, op));
        return a;
      }
      const size = minSize(el);
      if (n * size > r.remaining) r.need(n * size, `${n} elements`);
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = decodeValue(el, r, parent);
      return a;
    }
    case Op.Struct: {
      const version = r.u32();
      const p = fieldPath(parent, op);
      checkStructVersion(op.plan!, version, p, r);
      return decodeStruct(op.plan!, r, version, p);
    }
  }
}

function checkStructVersion(plan: Plan, version: number, path: string, r: ByteReader): void {
  if (version > plan.version || version < plan.minVersion) {
    throw new VersionError(version, plan.minVersion, plan.version, { field: `${path} (struct "${plan.name}")`, offset: r.offset - 4 });
  }
}

/** Decode a nested struct body written at `version` into a fresh object. */
function decodeStruct(plan: Plan, r: ByteReader, version: number, path: string): Record<string, unknown> {
  const state = createShell(plan);
  decodeBody(plan, r, version, state, path);
  return state;
}

/**
 * Decode fields written at `version`, then the subsections, into `state` (which holds defaults),
 * running preLoad before and postLoad after. Fields a version did not have keep their defaults.
 */
export function decodeBody(plan: Plan, r: ByteReader, version: number, state: Record<string, unknown>, path = ''): string[] {
  const d = plan.desc as AnyDescriptor;
  const received: string[] = [];
  const info: LoadInfo = { version, subsections: received };
  if (d.preLoad) runHook('preLoad', () => d.preLoad!(state, info), path);
  decodeFields(plan.ops, r, version, state, path);
  decodeSubsections(plan, r, state, path, received);
  fillDefaults(plan, state);
  if (d.postLoad) runHook('postLoad', () => d.postLoad!(state, info), path);
  return received;
}

function runHook(name: string, fn: () => CheckResult, path: string): void {
  let r: CheckResult;
  try {
    r = fn();
  } catch (e) {
    if (e instanceof VmstateError) throw e;
    throw new HookError(name, e instanceof Error ? e.message : String(e), path ? { field: path } : {});
  }
  if (r !== undefined && r !== true) throw new HookError(name, typeof r === 'string' ? r : 'refused the state', path ? { field: path } : {});
}

function decodeFields(ops: FieldOp[], r: ByteReader, version: number, state: Record<string, unknown>, path: string): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.since > version) continue;
    if (op.field.when) {
      const present = r.u8();
      if (present === 0) continue;
      if (present !== 1) throw new ValidationError(`presence byte is ${present}, not 0 or 1`, { field: fieldPath(path, op), offset: r.offset - 1 });
    }
    state[op.key] = decodeValue(op, r, path);
  }
}

function decodeSubsections(plan: Plan, r: ByteReader, state: Record<string, unknown>, path: string, received: string[]): void {
  const count = r.u16();
  if (count === 0) return;
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const ctx: ErrorContext = { ...r.ctx };
    const f = readFrame(r, 'subsection');
    if (f.type !== REC_SUBSECTION) throw new StreamFormatError(`expected a subsection record (type 0x11), found type 0x${f.type.toString(16)}`, { ...ctx, offset: f.offset });
    const p = f.payload;
    const name = p.name();
    const version = p.u32();
    const subPath = path ? `${path}/${name}` : name;
    const sub = plan.subsByName.get(name);
    if (!sub) throw new UnknownSubsectionError(subPath, version, { ...ctx, offset: f.offset });
    const sctx: ErrorContext = { ...ctx, subsection: subPath };
    if (seen.has(name)) throw new StreamFormatError(`subsection "${subPath}" appears twice`, { ...sctx, offset: f.offset });
    seen.add(name);
    if (version > sub.version || version < sub.minVersion) throw new VersionError(version, sub.minVersion, sub.version, { ...sctx, offset: f.offset });
    p.ctx = sctx;
    decodeFields(sub.ops, p, version, state, path);
    const nested: string[] = [];
    decodeSubsections(sub, p, state, subPath, nested);
    if (p.remaining !== 0) throw new StreamFormatError(`${p.remaining} unread bytes at the end of the subsection`, { ...sctx, offset: p.offset });
    received.push(name);
  }
}
