import { MaskNameError } from './errors';

/**
 * How labels become annotation identifiers (spec §2.1): one name for every label, or a map from label value
 * to name with an optional `'default'` prefix for labels the map does not list. A record's keys must be
 * decimal integers (`"1"`), since JSON cannot have numeric keys.
 */
export type LabelNames = string | ReadonlyMap<number | 'default', string> | Readonly<Record<string, string>>;

/**
 * `names` after validation. A single name is applied to the label values of one frame (`'frame'`, the
 * Python SDK's rule for a given string) or of the whole mask (`'volume'`, the rule for an unnamed mask).
 */
export type ParsedNames =
  | { kind: 'single'; name: string; over: 'frame' | 'volume' }
  | { kind: 'map'; map: ReadonlyMap<number, string>; fallback: string | undefined };

const DEFAULT_NAME = 'seg';

export function parseNames(names: LabelNames | undefined): ParsedNames {
  // Unnamed masks are named over the whole mask, unlike the Python SDK, which names every frame on
  // its own: there a frame holding only label 2 gets `seg` like a frame holding only label 1, so the
  // labels of a 3-D mask can no longer be told apart across slices. Over the whole mask, one label
  // value anywhere is `seg` on every frame and several are `seg_<value>` on every frame, which are
  // the names Python gives a one-frame mask, so 2-D masks are unchanged.
  if (names === undefined) return { kind: 'single', name: DEFAULT_NAME, over: 'volume' };
  if (typeof names === 'string') {
    checkName(names, 'names');
    return { kind: 'single', name: names, over: 'frame' };
  }
  const map = new Map<number, string>();
  let fallback: string | undefined;
  const entries: Array<[unknown, unknown]> =
    names instanceof Map ? [...names.entries()] : Object.entries(names as Record<string, string>);
  for (const [key, value] of entries) {
    const field = `names[${JSON.stringify(key)}]`;
    if (typeof value !== 'string') {
      throw new MaskNameError(`${field} must be a string, got ${typeof value}`, { field, value });
    }
    checkName(value, field);
    if (key === 'default') {
      fallback = value;
      continue;
    }
    const label =
      typeof key === 'number'
        ? key
        : typeof key === 'string' && /^(0|[1-9][0-9]*)$/.test(key)
          ? Number(key)
          : Number.NaN;
    if (!Number.isSafeInteger(label) || label < 0) {
      throw new MaskNameError(
        `names key ${JSON.stringify(key)} is not a label value (a non-negative integer) or 'default'`,
        {
          field: 'names',
          value: key,
        },
      );
    }
    map.set(label, value);
  }
  return { kind: 'map', map, fallback };
}

function checkName(name: string, field: string): void {
  if (name.length === 0)
    throw new MaskNameError(`${field} is empty; identifiers must not be empty`, { field, value: name });
}

/**
 * Identifiers for the non-zero labels `values` (ascending), as the Python SDK's
 * `_get_segmentation_names`: a single name is used bare when there is one label and suffixed with
 * `_<value>` otherwise; a map gives `map[v]`, else `default_<v>`, else MaskNameError. Duplicates raise.
 *
 * `splitLabels` passes one frame's labels for a given name (`'Bone'`: a frame holding only label 2 is
 * `Bone`), but every label of the mask when `names` is absent (`seg` / `seg_<value>` the same on every
 * frame); to name an unnamed mask's labels, pass `[...volume.labels()]`.
 */
export function labelIdentifiers(values: readonly number[], names?: LabelNames): string[] {
  return identifiersFor(values, parseNames(names));
}

export function identifiersFor(values: readonly number[], parsed: ParsedNames): string[] {
  let ids: string[];
  if (parsed.kind === 'single') {
    ids = values.length === 1 ? [parsed.name] : values.map((v) => `${parsed.name}_${v}`);
  } else {
    ids = values.map((v) => {
      const named = parsed.map.get(v);
      if (named !== undefined) return named;
      if (parsed.fallback !== undefined) return `${parsed.fallback}_${v}`;
      throw new MaskNameError(
        `label ${v} has no entry in names and names has no 'default'; add ${v} or 'default' to names`,
        { field: 'names', value: v },
      );
    });
  }
  const seen = new Map<string, number>();
  ids.forEach((id, k) => {
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      throw new MaskNameError(
        `labels ${earlier} and ${values[k]} both get the identifier ${JSON.stringify(id)} in the same frame`,
        { field: 'names', value: id },
      );
    }
    seen.set(id, values[k]);
  });
  return ids;
}
