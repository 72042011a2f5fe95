// JSON schema dump of descriptors (the input of the static checker, and the description carried
// in every stream so tools can show field names and values without the device packages).
import { defineState, field, subsection, type AnyDescriptor, type AnySubsection, type Field, type FieldKind } from './descriptor';
import { DescriptorError } from './errors';

export const SCHEMA_FORMAT = 'backplane-vmstate-schema';

/** A JSON value encoding of defaults: bigint as {"bigint":"..."}, bytes as {"hex":"..."}. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

export interface FieldSchema {
  name: string;
  kind: FieldKind;
  since: number;
  default?: JsonValue;
  range?: [JsonValue, JsonValue];
  oneOf?: JsonValue[];
  length?: number;
  max?: number;
  element?: FieldSchema;
  struct?: StateSchema;
  /** Source text of the existence predicate (the field then carries a presence byte). */
  when?: string;
  /** Source text of the relation check. */
  check?: string;
}

export interface SubsectionSchema {
  name: string;
  version: number;
  minVersion: number;
  needed: string;
  fields: FieldSchema[];
  subsections: SubsectionSchema[];
}

export interface StateSchema {
  name: string;
  version: number;
  minVersion: number;
  fields: FieldSchema[];
  subsections: SubsectionSchema[];
  /** Which hooks the descriptor declares (their presence matters to compatibility reviews). */
  hooks?: string[];
  /** Source text of the whole-state validate hook. */
  validate?: string;
}

/** A schema document: every state of a machine (or of any set of descriptors). */
export interface SchemaDocument {
  format: typeof SCHEMA_FORMAT;
  formatVersion: 1;
  /** Optional label: machine type or package set. */
  label?: string;
  /** Device sections: device id and instance -> state name, when dumped from a machine. */
  devices?: { device: string; instance: number; state: string }[];
  states: StateSchema[];
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}
function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new DescriptorError('schema: bad hex value');
  const b = new Uint8Array(s.length / 2);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(i * 2, 2), 16);
  return b;
}

export function encodeJsonValue(v: unknown): JsonValue {
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (v instanceof Uint8Array) return { hex: toHex(v) };
  if (Array.isArray(v)) return v.map(encodeJsonValue);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) o[k] = encodeJsonValue(x);
    return o;
  }
  return v as JsonValue;
}

export function decodeJsonValue(v: JsonValue | undefined): unknown {
  if (Array.isArray(v)) return v.map(decodeJsonValue);
  if (v !== null && typeof v === 'object') {
    if (typeof v.bigint === 'string' && Object.keys(v).length === 1) return BigInt(v.bigint);
    if (typeof v.hex === 'string' && Object.keys(v).length === 1) return fromHex(v.hex);
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = decodeJsonValue(x);
    return o;
  }
  return v;
}

function fieldSchema(name: string, f: Field): FieldSchema {
  const s: FieldSchema = { name, kind: f.kind, since: f.since };
  if (f.kind !== 'struct') s.default = encodeJsonValue(f.defaultValue);
  if (f.range) s.range = [encodeJsonValue(f.range[0]), encodeJsonValue(f.range[1])];
  if (f.oneOf) s.oneOf = (f.oneOf as readonly unknown[]).map(encodeJsonValue);
  if (f.length !== undefined) s.length = f.length;
  if (f.max !== undefined) s.max = f.max;
  if (f.element) {
    const { name: _n, ...el } = fieldSchema('', f.element);
    s.element = el as FieldSchema;
  }
  if (f.struct) s.struct = stateSchema(f.struct);
  if (f.when) s.when = String(f.when);
  if (f.check) s.check = String(f.check);
  return s;
}

function subsectionSchema(sub: AnySubsection): SubsectionSchema {
  return {
    name: sub.name,
    version: sub.version,
    minVersion: sub.minVersion,
    needed: String(sub.needed),
    fields: Object.entries(sub.fields as Record<string, Field>).map(([k, f]) => fieldSchema(k, f)),
    subsections: (sub.subsections as readonly AnySubsection[]).map(subsectionSchema),
  };
}

/** The JSON description of one descriptor (nested structs and subsections included). */
export function stateSchema(desc: AnyDescriptor): StateSchema {
  const s: StateSchema = {
    name: desc.name,
    version: desc.version,
    minVersion: desc.minVersion,
    fields: Object.entries(desc.fields as Record<string, Field>).map(([k, f]) => fieldSchema(k, f)),
    subsections: (desc.subsections as readonly AnySubsection[]).map(subsectionSchema),
  };
  const hooks = (['preSave', 'preLoad', 'postLoad', 'validate'] as const).filter((h) => typeof desc[h] === 'function');
  if (hooks.length) s.hooks = hooks;
  if (desc.validate) s.validate = String(desc.validate);
  return s;
}

/** Dump a set of descriptors (duplicates by name collapse; differing ones with the same name are refused). */
export function schemaOf(descriptors: Iterable<AnyDescriptor>, extra: { label?: string; devices?: SchemaDocument['devices'] } = {}): SchemaDocument {
  const states = new Map<string, StateSchema>();
  for (const d of descriptors) {
    const s = stateSchema(d);
    const prev = states.get(d.name);
    if (prev && JSON.stringify(prev) !== JSON.stringify(s)) throw new DescriptorError(`two different descriptors are named "${d.name}"`);
    states.set(d.name, s);
  }
  const doc: SchemaDocument = { format: SCHEMA_FORMAT, formatVersion: 1, states: [...states.values()] };
  if (extra.label !== undefined) doc.label = extra.label;
  if (extra.devices) doc.devices = extra.devices;
  return doc;
}

// ---- back from JSON ---------------------------------------------------------------------------

const KINDS = new Set<string>(['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64', 'bool', 'bytes', 'varBytes', 'array', 'varArray', 'struct', 'timer']);

function bad(what: string): never {
  throw new DescriptorError(`schema: ${what}`);
}
function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(`${what} is not an integer`);
  return v;
}

/** A structural descriptor from a schema: the same encoding, ranges and sizes; no hooks or checks. */
function fieldFromSchema(s: unknown, depth: number): Field {
  if (depth > 32) bad('nesting deeper than 32');
  if (!isObj(s) || typeof s.kind !== 'string' || !KINDS.has(s.kind)) bad(`field ${JSON.stringify(isObj(s) ? s.name : s)} has no known kind`);
  const kind = s.kind as FieldKind;
  const since = int(s.since ?? 1, 'since');
  const opts: Record<string, unknown> = { since };
  if (s.default !== undefined && kind !== 'struct') opts.default = decodeJsonValue(s.default as JsonValue);
  if (Array.isArray(s.range)) opts.range = (s.range as JsonValue[]).map(decodeJsonValue);
  if (Array.isArray(s.oneOf)) opts.oneOf = (s.oneOf as JsonValue[]).map(decodeJsonValue);
  if (typeof s.when === 'string') opts.when = () => true; // presence is read from the stream's presence byte
  if (kind === 'bytes') return field.bytes(int(s.length, 'length'), opts);
  if (kind === 'varBytes') return field.varBytes({ ...opts, max: int(s.max, 'max') });
  if (kind === 'array' || kind === 'varArray') {
    const el = fieldFromSchema({ ...(s.element as object), since: 1 }, depth + 1);
    delete opts.default;
    return kind === 'array' ? field.array(el, int(s.length, 'length'), opts) : field.varArray(el, { ...opts, max: int(s.max, 'max') });
  }
  if (kind === 'struct') return field.struct(descriptorFromSchema(s.struct, depth + 1), opts);
  return (field[kind as 'u8'] as (o: unknown) => Field)(opts);
}


function fieldsFromSchema(list: unknown, depth: number): Record<string, Field> {
  if (!Array.isArray(list)) bad('fields is not a list');
  const out: Record<string, Field> = {};
  for (const f of list) {
    if (!isObj(f) || typeof f.name !== 'string') bad('field without a name');
    out[f.name] = fieldFromSchema(f, depth);
  }
  return out;
}

function subsectionFromSchema(s: unknown, depth: number): AnySubsection {
  if (!isObj(s) || typeof s.name !== 'string') bad('subsection without a name');
  return subsection({
    name: s.name,
    version: int(s.version, 'version'),
    minVersion: int(s.minVersion ?? 1, 'minVersion'),
    needed: () => false,
    fields: fieldsFromSchema(s.fields, depth + 1),
    subsections: (Array.isArray(s.subsections) ? s.subsections : []).map((x) => subsectionFromSchema(x, depth + 1)),
  });
}

/**
 * Rebuild a descriptor from its schema: it decodes the same bytes (field kinds, sizes, versions,
 * subsections, ranges and enumerations), without the hooks and relation checks (code is not
 * carried). Used by `inspect` and by the checker.
 */
export function descriptorFromSchema(s: unknown, depth = 0): AnyDescriptor {
  if (depth > 32) bad('nesting deeper than 32');
  if (!isObj(s) || typeof s.name !== 'string') bad('state without a name');
  return defineState({
    name: s.name,
    version: int(s.version, 'version'),
    minVersion: int(s.minVersion ?? 1, 'minVersion'),
    fields: fieldsFromSchema(s.fields, depth),
    subsections: (Array.isArray(s.subsections) ? s.subsections : []).map((x) => subsectionFromSchema(x, depth)),
  });
}

/** Parse and check a schema document (from JSON text or an object). */
export function parseSchema(input: string | unknown): SchemaDocument {
  let doc: unknown = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      bad(`not JSON: ${(e as Error).message}`);
    }
  }
  if (!isObj(doc) || doc.format !== SCHEMA_FORMAT) bad(`not a ${SCHEMA_FORMAT} document`);
  if (doc.formatVersion !== 1) bad(`schema format version ${String(doc.formatVersion)} is not supported (this build reads 1)`);
  if (!Array.isArray(doc.states)) bad('states is not a list');
  for (const st of doc.states) descriptorFromSchema(st); // structural check
  return doc as unknown as SchemaDocument;
}
