import type { PlannedUnit } from './plan-types';

/** FNV-1a, 64 bits: stable across runs and platforms, no crypto needed (ids, not secrets). */
function fnv1a64(text: string): string {
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
