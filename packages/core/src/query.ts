/**
 * Query strings and JSON exactly as the Python SDK (requests + json.dumps) produces them,
 * because that is what the production server accepts (http-api.md §1.4, §1.5).
 */

/** One query parameter value (a `Date` is sent in the format Python's `isoformat()` gives). */
export type QueryValue = string | number | boolean | Date | null | undefined;
/** A request's query parameters; arrays repeat the key, `undefined` and `null` values are left out. */
export type QueryParams = Record<string, QueryValue | readonly QueryValue[]>;

/** `urllib.parse.quote_plus(s, safe='')`: alphanumerics and `_.-~` stay, space -> `+`. */
export function quotePlus(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** `urllib.parse.quote(s, safe='')`: like quotePlus but space -> `%20` (aiohttp multipart file names). */
export function quoteAll(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Python's `datetime.isoformat()` in UTC with an explicit offset (Python never writes `Z`). */
export function pythonIsoFormat(date: Date): string {
  const base = `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}T${pad(
    date.getUTCHours(),
  )}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const ms = date.getUTCMilliseconds();
  return `${base}${ms ? `.${pad(ms, 3)}000` : ''}+00:00`;
}

function formatScalar(value: Exclude<QueryValue, null | undefined>): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof Date) return pythonIsoFormat(value);
  return String(value);
}

/**
 * `None` is omitted, booleans are `True`/`False`, dates are ISO, arrays repeat the key
 * (requests' behaviour; the SDK itself never sends arrays, it JSON-encodes lists with
 * {@link pythonJsonDumps}).
 */
export function encodeQuery(params: QueryParams | undefined): string {
  if (!params) return '';
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(params)) {
    const values = Array.isArray(raw) ? raw : [raw];
    for (const value of values as QueryValue[]) {
      if (value === null || value === undefined) continue;
      parts.push(`${quotePlus(key)}=${quotePlus(formatScalar(value))}`);
    }
  }
  return parts.join('&');
}

/** A value that serialises to JSON (what a request's `json` body may hold). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

function escapeJsonString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) {
      // ensure_ascii: everything outside printable ASCII as \uXXXX (surrogate pairs for astral).
      for (let i = 0; i < ch.length; i++) out += `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/**
 * `json.dumps(value)` with Python's defaults: `", "` and `": "` separators, non-ASCII escaped,
 * NaN/Infinity rejected. `undefined` object members are skipped.
 */
export function pythonJsonDumps(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Cannot encode ${value} as JSON`);
    // Python prints integral floats as e.g. 1.0, but JS cannot tell 1 from 1.0: integers stay integers.
    return String(value);
  }
  if (typeof value === 'string') return escapeJsonString(value);
  if (Array.isArray(value)) return `[${value.map((v) => pythonJsonDumps(v)).join(', ')}]`;
  const members = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${escapeJsonString(k)}: ${pythonJsonDumps(v)}`);
  return `{${members.join(', ')}}`;
}
