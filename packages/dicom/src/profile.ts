import { CONFIDENTIALITY_TABLE } from './generated/confidentiality';

/** PS3.15 Table E.1-1 action codes as they appear in the table. */
export type ProfileAction = 'X' | 'Z' | 'D' | 'U' | 'K' | 'C' | 'X/Z' | 'X/D' | 'X/Z/D' | 'Z/D' | 'X/Z/U*';

/** What our Basic Profile implementation does with an attribute. */
export type ResolvedAction =
  /** Remove the element. */
  | 'remove'
  /** Keep the element, with an empty value (sequences: no items). */
  | 'empty'
  /** Replace with a VR-valid dummy value (UIDs: remap; sequences: clean the items). */
  | 'dummy'
  /** Replace UIDs with keyed 2.25 UIDs (sequences: clean the items, which remaps nested UIDs). */
  | 'remap'
  /** Keep as is (sequences: clean the items). */
  | 'keep';

/** One attribute's row of the de-identification profile. */
export interface ProfileRow {
  /** What the Basic Profile does with the attribute. */
  action: ProfileAction;
  /** Row's action under Retain Longitudinal Temporal Information with Modified Dates ('C' or ''). */
  modifiedDates: string;
}

interface ProfileTable {
  exact: Map<number, ProfileRow>;
  patterns: { mask: number; value: number; row: ProfileRow }[];
  privateRow: ProfileRow | undefined;
}

function buildTable(): ProfileTable {
  const exact = new Map<number, ProfileRow>();
  const patterns: ProfileTable['patterns'] = [];
  let privateRow: ProfileRow | undefined;
  for (const line of CONFIDENTIALITY_TABLE.split('\n')) {
    const [id, action, modifiedDates] = line.split('\t');
    const row: ProfileRow = { action: action as ProfileAction, modifiedDates };
    if (id === 'private') {
      privateRow = row;
    } else if (id.includes('x')) {
      const mask = Number.parseInt(id.replace(/[0-9a-f]/g, 'f').replace(/x/g, '0'), 16) >>> 0;
      patterns.push({ mask, value: Number.parseInt(id.replace(/x/g, '0'), 16) >>> 0, row });
    } else {
      exact.set(Number.parseInt(id, 16) >>> 0, row);
    }
  }
  return { exact, patterns, privateRow };
}

const TABLE: ProfileTable = /* @__PURE__ */ buildTable();

/** The Table E.1-1 row of a tag (private tags: the "odd group" row), undefined when not listed. */
export function profileRow(tag: number): ProfileRow | undefined {
  if ((tag >>> 16) & 1) return TABLE.privateRow;
  const exact = TABLE.exact.get(tag);
  if (exact) return exact;
  for (const p of TABLE.patterns) if ((tag & p.mask) >>> 0 === p.value) return p.row;
  return undefined;
}

/**
 * Resolves a (possibly compound) action. Without the IOD's attribute Type we cannot choose by
 * Type, so we take the weakest action that always keeps the file valid: D where D is allowed
 * (a dummy satisfies Type 1, 2 and 3), else Z where allowed (satisfies Type 2 and 3).
 * X/Z/U* (reference sequences) keeps the sequence and remaps the UIDs inside.
 */
export function resolveAction(action: ProfileAction): ResolvedAction {
  switch (action) {
    case 'X':
      return 'remove';
    case 'Z':
    case 'X/Z':
      return 'empty';
    case 'D':
    case 'X/D':
    case 'X/Z/D':
    case 'Z/D':
    case 'C':
      return 'dummy';
    case 'U':
    case 'X/Z/U*':
      return 'remap';
    case 'K':
      return 'keep';
    default:
      return 'remove';
  }
}
