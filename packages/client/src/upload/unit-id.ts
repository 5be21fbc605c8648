import type { PlannedUnit } from './plan-types';

/** FNV-1a, 64 bits: stable across runs and platforms, no crypto needed (ids, not secrets). */
export function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * prime) & mask;
  }
  return hash.toString(16).padStart(16, '0');
}

/** A unit's identity: its kind and its files' sources and sizes, in order. */
export function unitId(unit: Pick<PlannedUnit, 'kind' | 'files'>): string {
  return fnv1a64(JSON.stringify([unit.kind, unit.files.map((f) => [f.source, f.size])]));
}

/**
 * The UID of the multi-frame file a series unit becomes: derived from the series and the unit, so
 * building it again (a resumed run re-sending it under its original idempotency key) gives the same
 * bytes. `2.25.` + a 128-bit integer, the form DICOM defines for UIDs without a registered root.
 */
export function assembledUid(seriesInstanceUID: string, unit: Pick<PlannedUnit, 'id'>): string {
  const hex = fnv1a64(`${seriesInstanceUID}\0${unit.id}`) + fnv1a64(`${unit.id}\0${seriesInstanceUID}`);
  return `2.25.${BigInt(`0x${hex}`).toString(10)}`;
}
