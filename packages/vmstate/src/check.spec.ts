import { describe, expect, it } from 'vitest';
import { checkCompatibility, defineState, field, schemaOf, subsection, type AnyDescriptor, type CheckReport } from './index';

const fields = { a: field.u8(), b: field.u16({ range: [0, 100] }), c: field.bytes(4) };
const base = defineState({ name: 'dev', version: 1, fields });

function check(o: AnyDescriptor, n: AnyDescriptor): CheckReport {
  // Through JSON, as the CLI does.
  return checkCompatibility(JSON.parse(JSON.stringify(schemaOf([o]))), JSON.parse(JSON.stringify(schemaOf([n]))));
}
const kinds = (r: CheckReport) => r.states.flatMap((s) => s.changes.map((c) => c.kind));

describe('state check: unchanged descriptors', () => {
  it('reports nothing and loads both ways', () => {
    const r = check(base, base);
    expect(r.states[0]).toMatchObject({ oldToNew: 'loads', newToOld: 'loads', changes: [] });
    expect(r.breaking).toBe(0);
  });
});

describe('state check: layout changes without a version bump', () => {
  it('removed field', () => {
    const r = check(base, defineState({ name: 'dev', version: 1, fields: { a: fields.a, b: fields.b } }));
    expect(kinds(r)).toContain('field-removed');
    expect(r.states[0]!.oldToNew).toBe('misread');
    expect(r.breaking).toBeGreaterThan(0);
  });
  it('renamed field', () => {
    const r = check(base, defineState({ name: 'dev', version: 1, fields: { a: fields.a, bee: fields.b, c: fields.c } }));
    expect(kinds(r)).toContain('field-renamed');
    expect(r.breaking).toBeGreaterThan(0);
  });
  it('reordered fields', () => {
    const r = check(
      defineState({ name: 'dev', version: 1, fields: { x: field.u8(), y: field.u8() } }),
      defineState({ name: 'dev', version: 1, fields: { y: field.u8(), x: field.u8() } }),
    );
    expect(kinds(r)).toContain('field-reordered');
    expect(r.states[0]!.newToOld).toBe('misread');
  });
  it('resized field and changed type', () => {
    const r = check(base, defineState({ name: 'dev', version: 1, fields: { a: field.u16(), b: fields.b, c: field.bytes(8) } }));
    expect(kinds(r).filter((k) => k === 'field-type')).toHaveLength(2);
  });
  it('a field added at the same version', () => {
    const r = check(base, defineState({ name: 'dev', version: 1, fields: { ...fields, d: field.u8() } }));
    expect(kinds(r)).toContain('field-added');
    expect(r.breaking).toBeGreaterThan(0);
  });
});

describe('state check: versions', () => {
  const v2 = defineState({ name: 'dev', version: 2, fields: { ...fields, d: field.u8({ since: 2 }) } });
  it('a field added with a version bump: old->new loads, new->old is refused, not breaking', () => {
    const r = check(base, v2);
    expect(r.states[0]).toMatchObject({ oldToNew: 'loads', newToOld: 'refused' });
    expect(kinds(r)).toEqual(expect.arrayContaining(['version-bump', 'version-newer']));
    expect(r.breaking).toBe(0);
  });
  it('minVersion raised past the old version is breaking', () => {
    const r = check(base, defineState({ ...v2, minVersion: 2, subsections: [] }));
    expect(kinds(r)).toContain('min-version-raised');
    expect(r.states[0]!.oldToNew).toBe('refused');
    expect(r.breaking).toBeGreaterThan(0);
  });
});

describe('state check: subsections', () => {
  const sub = subsection({ name: 'extra', version: 1, needed: (s) => s.e !== 0, fields: { e: field.u8() } });
  const withSub = defineState({ name: 'dev', version: 1, fields, subsections: [sub] });
  it('an added subsection: new->old is conditional (refused when it is sent)', () => {
    const r = check(base, withSub);
    expect(r.states[0]).toMatchObject({ oldToNew: 'loads', newToOld: 'conditional' });
    expect(r.breaking).toBe(0);
  });
  it('a removed subsection is breaking', () => {
    const r = check(withSub, base);
    expect(kinds(r)).toContain('subsection-removed');
    expect(r.states[0]!.oldToNew).toBe('conditional');
    expect(r.breaking).toBeGreaterThan(0);
  });
  it('a subsection version bump above 255 is reported as such', () => {
    const r = check(withSub, defineState({ name: 'dev', version: 1, fields, subsections: [subsection({ ...sub, version: 300 })] }));
    expect(r.states[0]!.changes.find((c) => c.kind === 'subsection-version')?.message).toMatch(/version 300/);
  });
});

describe('state check: validation', () => {
  it('narrowed range is breaking (old states may be refused); widened affects new->old only', () => {
    const narrow = check(base, defineState({ name: 'dev', version: 1, fields: { ...fields, b: field.u16({ range: [0, 50] }) } }));
    expect(kinds(narrow)).toContain('validation-narrowed');
    expect(narrow.breaking).toBeGreaterThan(0);
    const wide = check(base, defineState({ name: 'dev', version: 1, fields: { ...fields, b: field.u16({ range: [0, 200] }) } }));
    expect(kinds(wide)).toContain('validation-widened');
    expect(wide.breaking).toBe(0);
    expect(wide.states[0]!.newToOld).toBe('may-refuse');
  });
  it('enumeration values removed, varBytes max lowered', () => {
    const o = defineState({ name: 'e', version: 1, fields: { m: field.u8({ oneOf: [1, 2, 3] }), d: field.varBytes({ max: 64 }) } });
    const n = defineState({ name: 'e', version: 1, fields: { m: field.u8({ oneOf: [1, 2] }), d: field.varBytes({ max: 32 }) } });
    expect(kinds(check(o, n))).toEqual(expect.arrayContaining(['validation-narrowed', 'max-lowered']));
  });
  it('a removed state refuses old streams', () => {
    const r = checkCompatibility(schemaOf([base]), schemaOf([]));
    expect(r.states[0]).toMatchObject({ state: 'dev', oldToNew: 'refused' });
  });
});
