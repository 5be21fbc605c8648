import { DICTIONARY_TABLE } from './generated/dictionary';
import { lazy } from './lazy';

export { vrOf } from './vr';

/** One PS3.6 data dictionary entry. */
export interface DictionaryEntry {
  /** Tag as a 32-bit number `0xGGGGEEEE`. For repeating groups this is the pattern with x = 0. */
  tag: number;
  /** Value representation (`PN`, `DS`, ...; `OB or OW` style alternatives as in PS3.6). */
  vr: string;
  /** Value multiplicity (`1`, `1-n`, `3`, ...). */
  vm: string;
  /** The keyword (`PatientName`). */
  keyword: string;
  /** Retired from the standard. */
  retired: boolean;
}

interface Dictionary {
  byTag: Map<number, DictionaryEntry>;
  byKeyword: Map<string, DictionaryEntry>;
  /** Repeating-group entries: mask selects the fixed nibbles, value is what they must equal. */
  patterns: { mask: number; value: number; entry: DictionaryEntry }[];
}

function buildDictionary(): Dictionary {
  const byTag = new Map<number, DictionaryEntry>();
  const byKeyword = new Map<string, DictionaryEntry>();
  const patterns: Dictionary['patterns'] = [];
  for (const line of DICTIONARY_TABLE.split('\n')) {
    const [id, vr, vm, keyword, retired] = line.split('\t');
    const tag = Number.parseInt(id.replace(/x/g, '0'), 16) >>> 0;
    const entry: DictionaryEntry = { tag, vr, vm, keyword, retired: retired === 'R' };
    if (keyword) byKeyword.set(keyword, entry);
    if (id.includes('x')) {
      const mask = Number.parseInt(id.replace(/[0-9a-f]/g, 'f').replace(/x/g, '0'), 16) >>> 0;
      patterns.push({ mask, value: tag, entry });
    } else {
      byTag.set(tag, entry);
    }
  }
  return { byTag, byKeyword, patterns };
}

/** Built on first lookup: parsing needs only VRs (./vr), so most pages never build it. */
const dictionary = /* @__PURE__ */ lazy(buildDictionary);

/** The dictionary entry of a tag (exact match first, then repeating groups such as 60xx). */
export function lookupTag(tag: number): DictionaryEntry | undefined {
  const { byTag, patterns } = dictionary();
  const exact = byTag.get(tag);
  if (exact) return exact;
  for (const p of patterns) {
    if ((tag & p.mask) >>> 0 === p.value) return p.entry;
  }
  return undefined;
}

/** The dictionary entry of a keyword such as `PatientName`. */
export function lookupKeyword(keyword: string): DictionaryEntry | undefined {
  return dictionary().byKeyword.get(keyword);
}
