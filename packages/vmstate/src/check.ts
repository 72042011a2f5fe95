// The static compatibility checker: compare two schema dumps (old build, new build) and report,
// per state, every change that affects migration in either direction, and whether streams of
// each build load into the other.
import type { FieldSchema, SchemaDocument, StateSchema, SubsectionSchema } from './schema';

export type Direction = 'old-to-new' | 'new-to-old' | 'both' | 'none';
/** refused: the load is refused; misread: bytes would be decoded as other fields (never silent in
 *  practice only when sizes differ: treat as corrupt); conditional: refused only when a subsection is sent;
 *  may-refuse: refused for some values; none: informational. */
export type Effect = 'refused' | 'misread' | 'conditional' | 'may-refuse' | 'none';

export interface Change {
  path: string;
  kind: string;
  message: string;
  direction: Direction;
  effect: Effect;
}

/** loads; refused; misread: the bytes would be decoded into the wrong fields (or refused by a later check); conditional: refused when a subsection is sent; may-refuse: refused for some values. */
export type Verdict = 'loads' | 'refused' | 'misread' | 'conditional' | 'may-refuse';

export interface StateReport {
  state: string;
  oldVersion?: number;
  newVersion?: number;
  oldToNew: Verdict;
  newToOld: Verdict;
  changes: Change[];
}

export interface CheckReport {
  states: StateReport[];
  /** Changes that break old-to-new migration, or misread in either direction. */
  breaking: number;
  /** Every change with an effect in either direction. */
  affecting: number;
}

type Node = { name: string; version: number; minVersion: number; fields: FieldSchema[]; subsections: SubsectionSchema[] };

function sig(f: FieldSchema): string {
  let s = f.kind;
  if (f.length !== undefined) s += `[${f.length}]`;
  if (f.max !== undefined) s += '[n]';
  if (f.element) s += `<${sig(f.element)}>`;
  if (f.struct) s += `{${f.struct.name}}`;
  if (f.when !== undefined) s += '?';
  return s;
}
const fieldsAt = (n: Node, v: number): FieldSchema[] => n.fields.filter((f) => f.since <= v);
const j = (v: unknown): string => JSON.stringify(v);

function big(v: unknown): bigint | number {
  if (v !== null && typeof v === 'object' && 'bigint' in (v as object)) return BigInt((v as { bigint: string }).bigint);
  return v as number;
}

class Collector {
  readonly changes: Change[] = [];
  add(path: string, kind: string, message: string, direction: Direction, effect: Effect): void {
    this.changes.push({ path, kind, message, direction, effect });
  }
}

/** Compare the layout one side writes at version v with what the other reads for v. */
function layout(c: Collector, path: string, writer: FieldSchema[], reader: FieldSchema[], direction: Direction, v: number): void {
  const n = Math.max(writer.length, reader.length);
  for (let i = 0; i < n; i++) {
    const w = writer[i];
    const r = reader[i];
    if (!w || !r) {
      const f = (w ?? r)!;
      c.add(`${path}.${f.name}`, w ? 'field-removed' : 'field-added', `at version ${v} the ${w ? 'writer sends' : 'reader expects'} field "${f.name}" (${sig(f)}) at position ${i}, which the ${w ? 'reader does not expect' : 'writer does not send'}`, direction, 'misread');
      continue;
    }
    if (sig(w) !== sig(r)) c.add(`${path}.${w.name}`, 'field-type', `field at position ${i} is "${w.name}" ${sig(w)} when written and "${r.name}" ${sig(r)} when read (version ${v})`, direction, 'misread');
    else if (w.name !== r.name) {
      const moved = reader.some((x) => x.name === w.name);
      c.add(`${path}.${w.name}`, moved ? 'field-reordered' : 'field-renamed', `field at position ${i} is "${w.name}" when written and "${r.name}" when read (version ${v}), same type: values land in the wrong field`, direction, 'misread');
    }
  }
}

function compareField(c: Collector, path: string, o: FieldSchema, n: FieldSchema, depth: number): void {
  const p = `${path}.${o.name}`;
  if (o.since !== n.since) c.add(p, 'since-changed', `field "${o.name}" appeared in version ${o.since}, now ${n.since}`, 'both', 'misread');
  if ((o.when === undefined) !== (n.when === undefined)) c.add(p, 'presence-changed', `field "${o.name}" ${n.when !== undefined ? 'gained' : 'lost'} an existence predicate (presence byte)`, 'both', 'misread');
  else if (o.when !== n.when) c.add(p, 'predicate-changed', `field "${o.name}": existence predicate changed`, 'none', 'none');
  // validation
  if (j(o.range) !== j(n.range)) {
    const [olo, ohi] = (o.range ?? [null, null]).map(big);
    const [nlo, nhi] = (n.range ?? [null, null]).map(big);
    const narrower = n.range && (!o.range || (nlo! > olo! || nhi! < ohi!));
    const wider = o.range && (!n.range || (nlo! < olo! || nhi! > ohi!));
    if (narrower) c.add(p, 'validation-narrowed', `range of "${o.name}" went from ${j(o.range) ?? 'none'} to ${j(n.range)}: old states may be refused`, 'old-to-new', 'may-refuse');
    if (wider) c.add(p, 'validation-widened', `range of "${o.name}" went from ${j(o.range)} to ${j(n.range) ?? 'none'}: new states may be refused by the old build`, 'new-to-old', 'may-refuse');
  }
  if (j(o.oneOf) !== j(n.oneOf)) {
    const os = new Set((o.oneOf ?? []).map((x) => j(x)));
    const ns = new Set((n.oneOf ?? []).map((x) => j(x)));
    const removed = o.oneOf ? (n.oneOf ? [...os].filter((x) => !ns.has(x)) : []) : n.oneOf ? ['(any)'] : [];
    const added = n.oneOf ? (o.oneOf ? [...ns].filter((x) => !os.has(x)) : []) : ['(any)'];
    if (removed.length) c.add(p, 'validation-narrowed', `"${o.name}" no longer accepts ${removed.join(', ')}`, 'old-to-new', 'may-refuse');
    if (added.length && o.oneOf) c.add(p, 'validation-widened', `"${o.name}" now also accepts ${added.join(', ')}, which the old build refuses`, 'new-to-old', 'may-refuse');
  }
  if (o.check !== n.check) c.add(p, 'check-changed', `relation check of "${o.name}" ${o.check === undefined ? 'added' : n.check === undefined ? 'removed' : 'changed'}: review`, o.check === undefined ? 'old-to-new' : n.check === undefined ? 'new-to-old' : 'both', 'may-refuse');
  if (j(o.default) !== j(n.default)) c.add(p, 'default-changed', `default of "${o.name}" changed from ${j(o.default)} to ${j(n.default)} (used when a stream lacks the field)`, 'none', 'none');
  if (o.max !== undefined && n.max !== undefined && o.max !== n.max)
    c.add(p, o.max > n.max ? 'max-lowered' : 'max-raised', `max of "${o.name}" went from ${o.max} to ${n.max}`, o.max > n.max ? 'old-to-new' : 'new-to-old', 'may-refuse');
  const os = o.struct ?? o.element?.struct;
  const ns = n.struct ?? n.element?.struct;
  if (os && ns && os.name === ns.name && depth < 32) compareNode(c, p, os, ns, depth + 1, true);
}

/** Compare two nodes (states or subsections); returns per-direction verdicts. */
function compareNode(c: Collector, path: string, o: Node, n: Node, depth: number, nested: boolean): void {
  const label = nested ? `struct "${o.name}"` : path;
  if (o.version !== n.version) c.add(path, 'version-bump', `${label}: version ${o.version} -> ${n.version}`, 'none', 'none');
  if (n.minVersion !== o.minVersion) c.add(path, 'min-version', `${label}: minVersion ${o.minVersion} -> ${n.minVersion}`, 'none', 'none');
  // old -> new
  if (o.version > n.version) c.add(path, 'version-lowered', `${label}: the new build (version ${n.version}) refuses version ${o.version} streams`, 'old-to-new', 'refused');
  else if (o.version < n.minVersion) c.add(path, 'min-version-raised', `${label}: the new build's minVersion ${n.minVersion} refuses version ${o.version} streams`, 'old-to-new', 'refused');
  else layout(c, path, fieldsAt(o, o.version), fieldsAt(n, o.version), o.version === n.version ? 'both' : 'old-to-new', o.version);
  // new -> old
  if (n.version > o.version) c.add(path, 'version-newer', `${label}: the old build (version ${o.version}) refuses version ${n.version} streams`, 'new-to-old', 'refused');
  else if (n.version < o.minVersion) c.add(path, 'min-version-old', `${label}: the old build's minVersion ${o.minVersion} refuses version ${n.version} streams`, 'new-to-old', 'refused');
  else if (n.version !== o.version) layout(c, path, fieldsAt(n, n.version), fieldsAt(o, n.version), 'new-to-old', n.version);
  // same-named fields
  const nf = new Map(n.fields.map((f) => [f.name, f]));
  for (const f of o.fields) {
    const g = nf.get(f.name);
    if (g && sig(f) === sig(g)) compareField(c, path, f, g, depth);
  }
  // subsections
  const osub = new Map(o.subsections.map((s) => [s.name, s]));
  const nsub = new Map(n.subsections.map((s) => [s.name, s]));
  for (const [name, s] of osub) {
    const p = `${path}/${name}`;
    const t = nsub.get(name);
    if (!t) {
      c.add(p, 'subsection-removed', `subsection "${name}" was removed: old streams that carry it are refused`, 'old-to-new', 'conditional');
      continue;
    }
    if (s.version > t.version || s.version < t.minVersion)
      c.add(p, 'subsection-version', `subsection "${name}" version ${s.version} is outside what the new build reads (${t.minVersion}..${t.version})`, 'old-to-new', 'conditional');
    if (t.version > s.version || t.version < s.minVersion)
      c.add(p, 'subsection-version', `subsection "${name}" version ${t.version} is outside what the old build reads (${s.minVersion}..${s.version})`, 'new-to-old', 'conditional');
    if (s.needed !== t.needed) c.add(p, 'needed-changed', `subsection "${name}": needed() changed`, 'none', 'none');
    compareSubFields(c, p, s, t, depth);
  }
  for (const [name, t] of nsub)
    if (!osub.has(name)) c.add(`${path}/${name}`, 'subsection-added', `subsection "${name}" is new: the old build refuses new streams that carry it (when needed)`, 'new-to-old', 'conditional');
}

function compareSubFields(c: Collector, path: string, s: SubsectionSchema, t: SubsectionSchema, depth: number): void {
  if (s.version >= t.minVersion && s.version <= t.version) layout(c, path, fieldsAt(s, s.version), fieldsAt(t, s.version), s.version === t.version ? 'both' : 'old-to-new', s.version);
  if (t.version >= s.minVersion && t.version <= s.version && t.version !== s.version) layout(c, path, fieldsAt(t, t.version), fieldsAt(s, t.version), 'new-to-old', t.version);
  const tf = new Map(t.fields.map((f) => [f.name, f]));
  for (const f of s.fields) {
    const g = tf.get(f.name);
    if (g && sig(f) === sig(g)) compareField(c, path, f, g, depth);
  }
  const subs = new Map(t.subsections.map((x) => [x.name, x]));
  for (const x of s.subsections) {
    const y = subs.get(x.name);
    if (!y) c.add(`${path}/${x.name}`, 'subsection-removed', `subsection "${x.name}" was removed`, 'old-to-new', 'conditional');
    else compareSubFields(c, `${path}/${x.name}`, x, y, depth + 1);
  }
  for (const y of t.subsections) if (!s.subsections.some((x) => x.name === y.name)) c.add(`${path}/${y.name}`, 'subsection-added', `subsection "${y.name}" is new`, 'new-to-old', 'conditional');
}

const RANK: Record<Effect, number> = { none: 0, 'may-refuse': 1, conditional: 2, refused: 3, misread: 4 };
function verdict(changes: Change[], dir: 'old-to-new' | 'new-to-old'): Verdict {
  let worst: Effect = 'none';
  for (const ch of changes) if ((ch.direction === dir || ch.direction === 'both') && RANK[ch.effect] > RANK[worst]) worst = ch.effect;
  return worst === 'none' ? 'loads' : worst;
}

/** Compare the states of two schema dumps. */
export function checkCompatibility(oldDoc: SchemaDocument, newDoc: SchemaDocument): CheckReport {
  const olds = new Map(oldDoc.states.map((s) => [s.name, s]));
  const news = new Map(newDoc.states.map((s) => [s.name, s]));
  const states: StateReport[] = [];
  for (const [name, o] of olds) {
    const c = new Collector();
    const n = news.get(name);
    if (!n) {
      c.add(name, 'state-removed', `state "${name}" is gone: old streams with it are refused`, 'old-to-new', 'refused');
      states.push({ state: name, oldVersion: o.version, oldToNew: 'refused', newToOld: 'loads', changes: c.changes });
      continue;
    }
    compareNode(c, name, o as StateSchema, n, 0, false);
    states.push({ state: name, oldVersion: o.version, newVersion: n.version, oldToNew: verdict(c.changes, 'old-to-new'), newToOld: verdict(c.changes, 'new-to-old'), changes: c.changes });
  }
  for (const [name, n] of news)
    if (!olds.has(name))
      states.push({ state: name, newVersion: n.version, oldToNew: 'loads', newToOld: 'refused', changes: [{ path: name, kind: 'state-added', message: `state "${name}" is new: the old build refuses streams with it`, direction: 'new-to-old', effect: 'refused' }] });
  const all = states.flatMap((s) => s.changes);
  return {
    states,
    breaking: all.filter((ch) => ch.effect === 'misread' || ((ch.direction === 'old-to-new' || ch.direction === 'both') && ch.effect !== 'none')).length,
    affecting: all.filter((ch) => ch.effect !== 'none').length,
  };
}

export function formatCheck(r: CheckReport): string {
  const lines: string[] = [];
  for (const s of r.states) {
    lines.push(`${s.state} (${s.oldVersion ?? '-'} -> ${s.newVersion ?? '-'}): old->new ${s.oldToNew}, new->old ${s.newToOld}`);
    for (const ch of s.changes) lines.push(`  [${ch.effect === 'none' ? 'info' : ch.direction + ' ' + ch.effect}] ${ch.kind} ${ch.path}: ${ch.message}`);
  }
  lines.push(`${r.breaking} breaking change(s), ${r.affecting} affecting migration in some direction`);
  return lines.join('\n') + '\n';
}
