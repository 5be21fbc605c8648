import { BadRequestError } from './errors';

/** The raw query object fastify gives us: repeated keys become arrays. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** One value of a query parameter; repeated keys are rejected rather than silently merged. */
export function queryString(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) {
    throw new BadRequestError(`query parameter '${name}' was given ${value.length} times; expected once`);
  }
  return value;
}

/** Like `queryString` but an empty value counts as absent (the Python SDK always sends `status=`). */
export function queryNonEmpty(query: RawQuery, name: string): string | undefined {
  const value = queryString(query, name);
  return value === undefined || value === '' ? undefined : value;
}

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);

/** Accepts the Python spellings `True`/`False` as well as `true`/`false`/`1`/`0`. */
export function queryBoolean(query: RawQuery, name: string): boolean | undefined {
  const raw = queryNonEmpty(query, name);
  if (raw === undefined) return undefined;
  const lower = raw.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  throw new BadRequestError(`query parameter '${name}' must be a boolean (true/false), got '${raw}'`);
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A `from`/`to` bound as an ISO instant comparable with stored timestamps. A bare date covers the
 * whole UTC day (inclusive on both ends); a date-time without offset is taken as UTC, as Python's
 * naive `isoformat()` gives no zone.
 */
export function queryDateBound(query: RawQuery, name: string, edge: 'start' | 'end'): string | undefined {
  const raw = queryNonEmpty(query, name);
  if (raw === undefined) return undefined;
  const dateOnly = DATE_ONLY.exec(raw);
  if (dateOnly) {
    const start = new Date(`${raw}T00:00:00.000Z`);
    if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== raw) {
      throw new BadRequestError(`query parameter '${name}' is not a valid date: '${raw}'`);
    }
    if (edge === 'start') return start.toISOString();
    return new Date(start.getTime() + 86_400_000 - 1).toISOString();
  }
  if (DATE_TIME.test(raw)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(raw);
    // Sub-millisecond digits (Python sends microseconds) are truncated; Date would reject them.
    const normalised = raw.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1');
    const instant = new Date(hasZone ? normalised : `${normalised}Z`);
    if (!Number.isNaN(instant.getTime())) return instant.toISOString();
  }
  throw new BadRequestError(
    `query parameter '${name}' must be a date (YYYY-MM-DD) or an ISO-8601 date-time, got '${raw}'`,
  );
}

export interface ListFilter {
  items: string[];
  filterType: 'union' | 'intersection';
}

/** Parses the JSON filter documents sent in `tags` and `project`: `{"items": [...], "filterType": "union"}`. */
export function queryJsonFilter(query: RawQuery, name: string): ListFilter | undefined {
  const raw = queryNonEmpty(query, name);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequestError(
      `query parameter '${name}' must be JSON like {"items": [...], "filterType": "union"}, got '${raw}'`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError(`query parameter '${name}' must be a JSON object with 'items', got '${raw}'`);
  }
  const { items, filterType } = parsed as { items?: unknown; filterType?: unknown };
  if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) {
    throw new BadRequestError(`query parameter '${name}': 'items' must be an array of strings`);
  }
  const type = filterType ?? 'union';
  if (type !== 'union' && type !== 'intersection') {
    throw new BadRequestError(
      `query parameter '${name}': 'filterType' must be 'union' or 'intersection', got '${String(type)}'`,
    );
  }
  return { items: items as string[], filterType: type };
}

export interface Page {
  offset: number;
  /** `undefined` means "everything from offset". */
  limit: number | undefined;
}

function nonNegativeInt(query: RawQuery, name: string): number | undefined {
  const raw = queryNonEmpty(query, name);
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new BadRequestError(`query parameter '${name}' must be a non-negative integer, got '${raw}'`);
  }
  return Number(raw);
}

export function queryPage(query: RawQuery): Page {
  return { offset: nonNegativeInt(query, 'offset') ?? 0, limit: nonNegativeInt(query, 'limit') };
}

/** SQLite's LIMIT/OFFSET clause for a page; -1 means "no limit". */
export function pageSql(page: Page): { sql: string; params: number[] } {
  return { sql: ' LIMIT ? OFFSET ?', params: [page.limit ?? -1, page.offset] };
}
