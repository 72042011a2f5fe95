// State descriptors: the declaration of a device's (or a nested structure's) state, from which
// its TypeScript type, its encoding, its validation and its schema dump all derive.
import { DescriptorError } from './errors';

export type IntKind = 'u8' | 'u16' | 'u32' | 'i8' | 'i16' | 'i32';
export type BigKind = 'u64' | 'i64';
export type ScalarKind = IntKind | BigKind | 'bool';
export type FieldKind = ScalarKind | 'bytes' | 'varBytes' | 'array' | 'varArray' | 'struct' | 'timer';

/**
 * The state as far as it is known when a field's `when` or `check` runs. `when` sees the fields
 * declared before it (already decoded); `check` runs after the whole state (with subsections)
 * is decoded, so it may refer to any field. Typed loosely on purpose: a field's declaration
 * cannot name the type of the object it is part of.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LoadedState = { readonly [field: string]: any };

/** A check's answer: true (or undefined) when valid, otherwise a short reason. */
export type CheckResult = true | string | undefined | void;

/** Options every field takes. */
export interface FieldOptions<T> {
  /** The descriptor (or subsection) version the field first appeared in. Default 1. */
  since?: number;
  /** The value the field takes when a stream does not carry it. Default: zero, false, empty. */
  default?: T;
  /** Existence predicate over the fields declared before this one: the field is in the stream only when it returns true. */
  when?: (state: LoadedState) => boolean;
  /** A relation to other fields (e.g. an index below a length); a reason string refuses the value. */
  check?: (value: T, state: LoadedState) => CheckResult;
}

export interface IntOptions extends FieldOptions<number> {
  /** Inclusive range of valid values. */
  range?: readonly [number, number];
  /** The only valid values. */
  oneOf?: readonly number[];
}
export interface BigOptions extends FieldOptions<bigint> {
  range?: readonly [bigint, bigint];
  oneOf?: readonly bigint[];
}

/** A declared field. `T` is the value type the field has in the state object. */
export interface Field<T = unknown> {
  readonly kind: FieldKind;
  readonly since: number;
  /** The value when absent (for bytes: the fill pattern; cloned for each fresh state). */
  readonly defaultValue: T;
  readonly range?: readonly [number, number] | readonly [bigint, bigint];
  readonly oneOf?: readonly number[] | readonly bigint[];
  /** bytes: byte length; array: element count. */
  readonly length?: number;
  /** varBytes / varArray: the largest length or count accepted. */
  readonly max?: number;
  /** array / varArray: the element field. */
  readonly element?: Field;
  /** struct: the nested descriptor. */
  readonly struct?: AnyDescriptor;
  when?(state: LoadedState): boolean;
  check?(value: T, state: LoadedState): CheckResult;
  /** Phantom: carries T for the type level only. */
  readonly __value?: T;
}

export type Fields = { readonly [name: string]: Field<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The value type of a field. */
export type ValueOf<F> = F extends Field<infer T> ? T : never;
/** The state slice a field map declares. */
export type ValuesOf<F> = { -readonly [K in keyof F]: ValueOf<F[K]> };

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type SubState<S> = S extends readonly (infer E)[]
  ? [E] extends [never]
    ? unknown
    : UnionToIntersection<E extends SubsectionDescriptor<infer SF, infer SS> ? ValuesOf<SF> & SubState<SS> : never>
  : unknown;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The state object a descriptor declares: its fields and those of all its subsections. */
export type StateOf<D> = D extends StateDescriptor<infer F, infer S> ? Simplify<ValuesOf<F> & SubState<S>> : never;

/** Hooks a descriptor may declare. All run on a staged object, never on a device. */
export interface StateHooks<State> {
  /** Adjust the copy about to be encoded (e.g. fill a derived field). Throwing refuses the save. */
  preSave?(state: State): void;
  /** Prepare the fresh object (already holding defaults) before any field is decoded. */
  preLoad?(state: State, info: LoadInfo): void;
  /**
   * After decoding (fields a stream of an older version lacked hold their defaults): compute
   * them from older fields, or refuse by returning a reason. Validation runs after this hook.
   */
  postLoad?(state: State, info: LoadInfo): CheckResult;
  /** A whole-state validity check (typed), run with the field checks. */
  validate?(state: State): CheckResult;
}

/** What a load hook is told about the stream. */
export interface LoadInfo {
  /** The version the stream carried. */
  readonly version: number;
  /** Names of the subsections the stream carried for this object. */
  readonly subsections: readonly string[];
}

interface DescriptorBase<F extends Fields, S extends readonly AnySubsection[]> {
  readonly name: string;
  readonly version: number;
  readonly fields: F;
  readonly subsections: S;
}

export interface StateDefinition<F extends Fields, S extends readonly AnySubsection[]> extends StateHooks<Simplify<ValuesOf<F> & SubState<S>>> {
  /** Name of the state; the section name in streams. Letters, digits, `-`, `_`, `.`. */
  name: string;
  version: number;
  /** Oldest stream version this build can still read. Default: 1. */
  minVersion?: number;
  fields: F;
  subsections?: S;
}

/** A device's or nested structure's state declaration (what `defineState` returns). */
export interface StateDescriptor<F extends Fields = Fields, S extends readonly AnySubsection[] = readonly AnySubsection[]>
  extends DescriptorBase<F, S>, StateHooks<Simplify<ValuesOf<F> & SubState<S>>> {
  readonly type: 'state';
  readonly minVersion: number;
}

export interface SubsectionDefinition<F extends Fields, S extends readonly AnySubsection[]> {
  name: string;
  version: number;
  /** Oldest subsection version this build reads. Default 1. */
  minVersion?: number;
  /** Sent only when true. Should be true exactly when the state differs from what an older reader assumes (the defaults). */
  needed(state: LoadedState): boolean;
  fields: F;
  subsections?: S;
}

export interface SubsectionDescriptor<F extends Fields = Fields, S extends readonly AnySubsection[] = readonly AnySubsection[]>
  extends DescriptorBase<F, S> {
  readonly type: 'subsection';
  readonly minVersion: number;
  needed(state: LoadedState): boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySubsection = SubsectionDescriptor<any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDescriptor = StateDescriptor<any, any>;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const FIELD_NAME = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

function checkVersions(what: string, version: number, minVersion: number): void {
  if (!Number.isInteger(version) || version < 1 || version > 0xffffffff) throw new DescriptorError(`${what}: version must be an integer from 1 to 2^32-1, got ${version}`);
  if (!Number.isInteger(minVersion) || minVersion < 1 || minVersion > version)
    throw new DescriptorError(`${what}: minVersion must be an integer from 1 to version (${version}), got ${minVersion}`);
}

function checkFields(what: string, fields: Fields, version: number, seen: Set<string>): void {
  for (const [key, f] of Object.entries(fields)) {
    if (!FIELD_NAME.test(key)) throw new DescriptorError(`${what}: field name "${key}" is not an identifier`);
    if (seen.has(key)) throw new DescriptorError(`${what}: field "${key}" is declared twice (fields of subsections share the state object)`);
    seen.add(key);
    if (!f || typeof f !== 'object' || typeof f.kind !== 'string') throw new DescriptorError(`${what}: field "${key}" is not a field (use field.u8() etc.)`);
    if (!Number.isInteger(f.since) || f.since < 1 || f.since > version)
      throw new DescriptorError(`${what}: field "${key}" has since ${f.since}, outside 1..${version}`);
  }
}

function checkSubsections(what: string, subs: readonly AnySubsection[], seen: Set<string>): void {
  const names = new Set<string>();
  for (const s of subs) {
    if (!s || s.type !== 'subsection') throw new DescriptorError(`${what}: subsections must be made with subsection()`);
    if (names.has(s.name)) throw new DescriptorError(`${what}: subsection "${s.name}" is declared twice`);
    names.add(s.name);
    checkFields(`${what}/${s.name}`, s.fields, s.version, seen);
    checkSubsections(`${what}/${s.name}`, s.subsections, seen);
  }
}

/** Declare a device's (or nested structure's) state. Field order is declaration order. */
export function defineState<F extends Fields, S extends readonly AnySubsection[] = []>(def: StateDefinition<F, S>): StateDescriptor<F, S> {
  if (typeof def.name !== 'string' || !NAME.test(def.name)) throw new DescriptorError(`state name "${String(def.name)}" must be 1-64 characters of letters, digits, "-", "_", "."`);
  const minVersion = def.minVersion ?? 1;
  checkVersions(`state "${def.name}"`, def.version, minVersion);
  const subsections = (def.subsections ?? []) as unknown as S;
  const seen = new Set<string>();
  checkFields(`state "${def.name}"`, def.fields, def.version, seen);
  checkSubsections(`state "${def.name}"`, subsections, seen);
  return Object.freeze({ ...def, type: 'state' as const, minVersion, subsections, fields: def.fields }) as StateDescriptor<F, S>;
}

/** Declare a subsection: fields sent only when `needed(state)` is true; absent, they take their defaults. */
export function subsection<F extends Fields, S extends readonly AnySubsection[] = []>(def: SubsectionDefinition<F, S>): SubsectionDescriptor<F, S> {
  if (typeof def.name !== 'string' || !NAME.test(def.name)) throw new DescriptorError(`subsection name "${String(def.name)}" must be 1-64 characters of letters, digits, "-", "_", "."`);
  const minVersion = def.minVersion ?? 1;
  checkVersions(`subsection "${def.name}"`, def.version, minVersion);
  if (typeof def.needed !== 'function') throw new DescriptorError(`subsection "${def.name}": needed(state) is required`);
  const subsections = (def.subsections ?? []) as unknown as S;
  return Object.freeze({ ...def, type: 'subsection' as const, minVersion, subsections }) as SubsectionDescriptor<F, S>;
}

// ---- field builders ------------------------------------------------------------------------

const INT_BOUNDS: Record<IntKind, readonly [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  i8: [-0x80, 0x7f],
  i16: [-0x8000, 0x7fff],
  i32: [-0x80000000, 0x7fffffff],
};
const BIG_BOUNDS: Record<BigKind, readonly [bigint, bigint]> = {
  u64: [0n, 0xffffffffffffffffn],
  i64: [-0x8000000000000000n, 0x7fffffffffffffffn],
};

/** The bounds of an integer kind's encoding. */
export function intBounds(kind: IntKind): readonly [number, number] {
  return INT_BOUNDS[kind];
}
export function bigBounds(kind: BigKind): readonly [bigint, bigint] {
  return BIG_BOUNDS[kind];
}

function base<T>(kind: FieldKind, opts: FieldOptions<T> | undefined, dflt: T): Field<T> & Record<string, unknown> {
  const f: Field<T> & Record<string, unknown> = { kind, since: opts?.since ?? 1, defaultValue: opts?.default !== undefined ? opts.default : dflt };
  if (opts?.when) f.when = opts.when;
  if (opts?.check) f.check = opts.check;
  return f;
}

function intField(kind: IntKind, opts?: IntOptions): Field<number> {
  const [lo, hi] = INT_BOUNDS[kind];
  const f = base<number>(kind, opts, 0);
  if (opts?.range) {
    const [a, b] = opts.range;
    if (!Number.isInteger(a) || !Number.isInteger(b) || a > b || a < lo || b > hi) throw new DescriptorError(`${kind} range [${a}, ${b}] is not inside [${lo}, ${hi}]`);
    (f as { range?: unknown }).range = [a, b];
  }
  if (opts?.oneOf) {
    if (opts.oneOf.length === 0 || opts.oneOf.some((v) => !Number.isInteger(v) || v < lo || v > hi)) throw new DescriptorError(`${kind} oneOf must list values of the type`);
    (f as { oneOf?: unknown }).oneOf = [...opts.oneOf];
  }
  return Object.freeze(f);
}

function bigField(kind: BigKind, opts?: BigOptions): Field<bigint> {
  const [lo, hi] = BIG_BOUNDS[kind];
  const f = base<bigint>(kind, opts, 0n);
  if (opts?.range) {
    const [a, b] = opts.range;
    if (a > b || a < lo || b > hi) throw new DescriptorError(`${kind} range [${a}, ${b}] is not inside [${lo}, ${hi}]`);
    (f as { range?: unknown }).range = [a, b];
  }
  if (opts?.oneOf) {
    if (opts.oneOf.length === 0 || opts.oneOf.some((v) => typeof v !== 'bigint' || v < lo || v > hi)) throw new DescriptorError(`${kind} oneOf must list bigint values of the type`);
    (f as { oneOf?: unknown }).oneOf = [...opts.oneOf];
  }
  return Object.freeze(f);
}

function checkSize(what: string, n: number, limit = 0x7fffffff): void {
  if (!Number.isInteger(n) || n < 0 || n > limit) throw new DescriptorError(`${what} must be an integer from 0 to ${limit}, got ${n}`);
}

export interface VarOptions<T> extends FieldOptions<T> {
  /** The largest length (bytes) or count (elements) a stream may carry; longer is refused before allocation. */
  max: number;
}

/** Field builders. Each returns a `Field<T>` whose `T` is the value type in the state object. */
export const field = {
  u8: (opts?: IntOptions): Field<number> => intField('u8', opts),
  u16: (opts?: IntOptions): Field<number> => intField('u16', opts),
  u32: (opts?: IntOptions): Field<number> => intField('u32', opts),
  i8: (opts?: IntOptions): Field<number> => intField('i8', opts),
  i16: (opts?: IntOptions): Field<number> => intField('i16', opts),
  i32: (opts?: IntOptions): Field<number> => intField('i32', opts),
  u64: (opts?: BigOptions): Field<bigint> => bigField('u64', opts),
  i64: (opts?: BigOptions): Field<bigint> => bigField('i64', opts),
  bool: (opts?: FieldOptions<boolean>): Field<boolean> => Object.freeze(base<boolean>('bool', opts, false)),
  /** Fixed-length byte buffer (`Uint8Array` of exactly `length` bytes). */
  bytes: (length: number, opts?: FieldOptions<Uint8Array>): Field<Uint8Array> => {
    checkSize('bytes length', length);
    const f = base<Uint8Array>('bytes', opts, new Uint8Array(length));
    if (f.defaultValue.length !== length) throw new DescriptorError(`bytes(${length}) default has ${f.defaultValue.length} bytes`);
    (f as { length?: number }).length = length;
    return Object.freeze(f);
  },
  /** Variable-length byte buffer; its length is sent in the stream and may not exceed `max`. */
  varBytes: (opts: VarOptions<Uint8Array>): Field<Uint8Array> => {
    checkSize('varBytes max', opts?.max);
    const f = base<Uint8Array>('varBytes', opts, new Uint8Array(0));
    if (f.defaultValue.length > opts.max) throw new DescriptorError(`varBytes default is longer than max ${opts.max}`);
    (f as { max?: number }).max = opts.max;
    return Object.freeze(f);
  },
  /** Fixed-length array of scalars, timers or structs. */
  array: <T>(element: Field<T>, length: number, opts?: FieldOptions<T[]>): Field<T[]> => {
    checkSize('array length', length, 0xffffff);
    checkElement(element);
    const f = base<T[]>('array', opts, Array.from({ length }, () => element.defaultValue));
    if (f.defaultValue.length !== length) throw new DescriptorError(`array default has ${f.defaultValue.length} elements, not ${length}`);
    (f as { length?: number }).length = length;
    (f as { element?: Field }).element = element;
    return Object.freeze(f);
  },
  /** Variable-length array; its count is sent in the stream and may not exceed `max`. */
  varArray: <T>(element: Field<T>, opts: VarOptions<T[]>): Field<T[]> => {
    checkSize('varArray max', opts?.max, 0xffffff);
    checkElement(element);
    const f = base<T[]>('varArray', opts, []);
    if (f.defaultValue.length > opts.max) throw new DescriptorError(`varArray default is longer than max ${opts.max}`);
    (f as { max?: number }).max = opts.max;
    (f as { element?: Field }).element = element;
    return Object.freeze(f);
  },
  /** A nested structure with its own descriptor (own version, fields and subsections). */
  struct: <D extends AnyDescriptor>(descriptor: D, opts?: FieldOptions<StateOf<D>>): Field<StateOf<D>> => {
    if (!descriptor || descriptor.type !== 'state') throw new DescriptorError('field.struct() takes a descriptor made by defineState()');
    const f = base<StateOf<D>>('struct', opts, undefined as unknown as StateOf<D>);
    (f as { struct?: AnyDescriptor }).struct = descriptor;
    return Object.freeze(f);
  },
  /**
   * A timer: the state holds the absolute virtual deadline in ns (an integer), or -1 when not
   * armed. The stream holds the offset from virtual `now` (or "not armed").
   */
  timer: (opts?: FieldOptions<number>): Field<number> => Object.freeze(base<number>('timer', opts, -1)),
} as const;

function checkElement(element: Field): void {
  if (!element || typeof element.kind !== 'string') throw new DescriptorError('array element must be a field');
  if (element.when || element.since !== 1) throw new DescriptorError('array elements cannot have since or when (put them on the array field)');
  if (element.kind === 'varBytes' || element.kind === 'varArray' || element.kind === 'array' || element.kind === 'bytes')
    throw new DescriptorError(`arrays of ${element.kind} are not supported: wrap the element in a struct`);
}
