import { jsonTextDepth, MAX_JSON_DEPTH } from '../json-depth';

/** Parses a JSON column written by this server; a corrupt value degrades to the fallback. */
export function parseJsonColumn<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  // Rows stored before nesting was limited could hold values that overflow the serialiser.
  if (jsonTextDepth(text) > MAX_JSON_DEPTH) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Plain JSON value types, for opaque client data stored as given. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
