import { humanSize } from './format';

/**
 * A size with a unit symbol in every range (`145 B`, `40.7 kB`, `1.2 MB`), decimal as the Python
 * tool counts: a column of them reads as one scale, where `145 Bytes` next to `40.7 kB` did not.
 */
export function compactSize(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : humanSize(bytes);
}

/** A size column, header and cells right-aligned so magnitudes line up; an unknown size is blank. */
export function sizeColumn(
  header: string,
  sizes: readonly (number | undefined)[],
): { header: string; cells: string[] } {
  const cells = sizes.map((s) => (s === undefined ? '' : compactSize(s)));
  const width = Math.max(header.length, ...cells.map((c) => c.length));
  return { header: header.padStart(width), cells: cells.map((c) => (c ? c.padStart(width) : '')) };
}
