const DAY_MS = 86_400_000;

/** Shifts a DA value `YYYYMMDD` by whole days; undefined when it is not a valid date. */
function shiftDA(value: string, days: number): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = Date.UTC(y, mo - 1, d);
  const check = new Date(t);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d)
    return undefined;
  const shifted = new Date(t + days * DAY_MS);
  const yy = shifted.getUTCFullYear();
  if (yy < 1 || yy > 9999) return undefined;
  return `${String(yy).padStart(4, '0')}${String(shifted.getUTCMonth() + 1).padStart(2, '0')}${String(shifted.getUTCDate()).padStart(2, '0')}`;
}

/** Shifts a DT value (date part; time, fraction and offset kept). */
function shiftDT(value: string, days: number): string | undefined {
  if (value.length < 8) return undefined;
  const date = shiftDA(value.slice(0, 8), days);
  return date === undefined ? undefined : date + value.slice(8);
}

/**
 * Shifts every value of a DA/DT element, including ranges (`A-B`, `-B`, `A-`).
 * Undefined when any part is not a valid date, so the caller falls back to removing it.
 */
export function shiftDateValue(vr: 'DA' | 'DT', value: string, days: number): string | undefined {
  if (!Number.isInteger(days)) return undefined;
  const shiftOne = vr === 'DA' ? shiftDA : shiftDT;
  const out: string[] = [];
  for (const raw of value.split('\\')) {
    const v = raw.trim();
    if (v === '') {
      out.push('');
      continue;
    }
    // DT offsets like +0100 contain no '-' before the date, but a UTC offset "-0500" can follow a DT.
    const range = vr === 'DA' ? v.split('-') : [v];
    if (range.length > 2) return undefined;
    const parts: string[] = [];
    for (const p of range) {
      if (p === '') {
        parts.push('');
        continue;
      }
      const s = shiftOne(p, days);
      if (s === undefined) return undefined;
      parts.push(s);
    }
    out.push(parts.join('-'));
  }
  return out.join('\\');
}
