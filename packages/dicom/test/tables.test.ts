import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASIC_PROFILE_ACTIONS } from '../src/generated/confidentiality';
import { lookupKeyword, lookupTag, profileRow, resolveAction, vrOf } from '../src/index';
import { requireData, STANDARD_DIR } from './data';

interface Attribute {
  id: string;
  keyword: string;
  valueRepresentation: string;
  valueMultiplicity: string;
}
interface ProfileJsonRow {
  id: string;
  tag: string;
  basicProfile: string;
  /** Retain Longitudinal Temporal Information with Modified Dates Option column. */
  rtnLongModifDatesOpt?: string;
}

function loadJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(STANDARD_DIR, name), 'utf8')) as T;
}

/** A concrete tag for a table id, with repeating-group wildcards filled in (60xx -> 6002). */
function concrete(id: string): number {
  return (
    Number.parseInt(
      id.replace(/x/gi, (_m, offset: number) => (offset === 3 ? '2' : '0')),
      16,
    ) >>> 0
  );
}

describe('generated tables against the standard JSON (oracle)', () => {
  it('the dictionary has every attribute with its VR and keyword', () => {
    if (!requireData()) return;
    const attributes = loadJson<Attribute[]>('attributes.json');
    let checked = 0;
    const exactIds = new Set(attributes.map((a) => a.id.toLowerCase()).filter((id) => !id.includes('x')));
    for (const a of attributes) {
      const id = a.id.toLowerCase();
      // A wildcard row whose filled-in tag is also an exact attribute is answered by the exact row.
      if (id.includes('x') && exactIds.has(concrete(id).toString(16).padStart(8, '0'))) continue;
      const tag = concrete(a.id.toLowerCase());
      const entry = lookupTag(tag);
      expect(entry, a.id).toBeDefined();
      // vrOf reads its own VR-only table (so parsing never loads the dictionary): it must agree.
      if ((tag & 0xffff) !== 0) expect(vrOf(tag), a.id).toBe(entry?.vr);
      const vr = a.valueRepresentation;
      if (/^[A-Z]{2}$/.test(vr)) expect(entry?.vr, a.id).toBe(vr);
      else if (vr.includes(' or ')) expect(vr.split(' or '), a.id).toContain(entry?.vr);
      if (a.keyword && !a.id.toLowerCase().includes('x')) {
        expect(lookupKeyword(a.keyword)?.tag, a.keyword).toBe(tag);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(4900);
  });

  it('every Table E.1-1 row has an action in our basic profile', () => {
    if (!requireData()) return;
    const rows = loadJson<ProfileJsonRow[]>('confidentiality_profile_attributes.json');
    expect(rows.length).toBeGreaterThan(600);
    for (const r of rows) {
      const id = r.id.toLowerCase();
      const tag = id.startsWith('gggg') ? 0x00090010 : concrete(id);
      const row = profileRow(tag);
      expect(row?.action, r.tag).toBe(r.basicProfile.trim());
      expect(row?.modifiedDates, `${r.tag} modified dates`).toBe((r.rtnLongModifDatesOpt ?? '').trim());
      expect(['remove', 'empty', 'dummy', 'remap', 'keep'], r.tag).toContain(
        resolveAction(row?.action ?? 'K'),
      );
    }
    for (const action of BASIC_PROFILE_ACTIONS) expect(resolveAction(action)).toBeDefined();
  });

  it('resolves the action codes as documented', () => {
    expect(resolveAction('X')).toBe('remove');
    expect(resolveAction('Z')).toBe('empty');
    expect(resolveAction('X/Z')).toBe('empty');
    expect(resolveAction('D')).toBe('dummy');
    expect(resolveAction('X/Z/D')).toBe('dummy');
    expect(resolveAction('U')).toBe('remap');
    expect(resolveAction('X/Z/U*')).toBe('remap');
    expect(resolveAction('K')).toBe('keep');
  });
});
