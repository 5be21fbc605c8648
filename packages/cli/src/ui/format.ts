import { displayWidth, padDisplay, truncateEnd, truncateMiddle, wrapWords } from './width';

/** Decimal units, as the Python tool prints sizes (`40.7 kB`). */
export function humanSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'Byte' : 'Bytes'}`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Math.round((part / whole) * 100)}%`;
}

/** Visible width of a string: terminal columns, ignoring ANSI colour codes. */
export function visibleLength(text: string): number {
  return displayWidth(text);
}

/** Spaces between columns. */
const GAP = 2;

/** How a table may be narrowed to fit a width. */
export interface TableFit {
  /** Columns (terminal cells) no line may exceed. */
  maxWidth: number;
  /** Columns that may be shortened, most expendable last; the others keep their natural width. */
  flexible: readonly number[];
  /** Columns shortened in the middle (paths) rather than at the end (free text). */
  middle?: readonly number[];
  /** Columns shortened only when the flexible ones at their minimum still do not fit (identifiers). */
  lastResort?: readonly number[];
  /**
   * Columns left out, most expendable first, while the others at their minimum still do not fit:
   * a narrow terminal keeps whole identifiers and names rather than showing every column cut to
   * a few characters.
   */
  droppable?: readonly number[];
  /**
   * The last column's words wrap onto lines below, within the column, instead of being cut: for
   * reasons, which are worth reading whole.
   */
  wrapLast?: boolean;
}

/** Column widths that fit `fit.maxWidth`: flexible columns give up columns, widest first. */
export function fitColumns(natural: readonly number[], fit: TableFit, gap = 2): number[] {
  const widths = [...natural];
  const total = (): number => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  const floor = 8;
  while (total() > fit.maxWidth) {
    const candidates = fit.flexible.filter((i) => widths[i]! > floor);
    if (!candidates.length) break;
    const widest = candidates.reduce((a, b) => (widths[b]! > widths[a]! ? b : a));
    const excess = total() - fit.maxWidth;
    const others = candidates.filter((i) => i !== widest).map((i) => widths[i]!);
    const target = Math.max(floor, widths[widest]! - excess, others.length ? Math.max(...others) : floor);
    widths[widest] = target === widths[widest] ? widths[widest]! - 1 : target;
  }
  return widths;
}

/**
 * A plain text table: a header row, a rule, one line per row; the last column is not padded.
 * Widths are display widths (CJK and emoji names align). With `fit`, flexible cells are shortened
 * so no line is wider than `fit.maxWidth`; only a last column marked `wrapLast` takes more lines.
 */
export function renderTable(headers: string[], rows: string[][], fit?: TableFit): string[] {
  const drop = fit ? columnToDrop(headers, rows, fit) : undefined;
  if (fit && drop !== undefined) {
    const keep = (_: unknown, i: number): boolean => i !== drop;
    return renderTable(
      headers.filter(keep),
      rows.map((r) => r.filter(keep)),
      withoutColumn(fit, drop),
    );
  }
  const natural = headers.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  let widths = fit ? fitColumns(natural, fit) : natural;
  if (fit?.lastResort?.length && widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) > fit.maxWidth) {
    widths = fitColumns(widths, { ...fit, flexible: fit.lastResort });
  }
  const middle = new Set(fit?.middle ?? []);
  const cellText = (cell: string, i: number): string =>
    middle.has(i) ? truncateMiddle(cell, widths[i]!) : truncateEnd(cell, widths[i]!);
  const line = (cells: string[]): string => {
    const text = cells
      .map((cell, i) => {
        const shown = cellText(cell, i);
        return i === cells.length - 1 ? shown : padDisplay(shown, widths[i]!);
      })
      .join('  ')
      .trimEnd();
    return fit ? truncateEnd(text, fit.maxWidth) : text;
  };
  const last = headers.length - 1;
  // Continuation lines of a wrapped last cell start under that cell.
  const indent = ' '.repeat(widths.slice(0, last).reduce((a, b) => a + b + GAP, 0));
  const rowLines = (cells: string[]): string[] => {
    const pieces = fit?.wrapLast ? wrapWords(cells[last] ?? '', widths[last]!) : [];
    if (pieces.length < 2) return [line(cells)];
    return [line([...cells.slice(0, last), pieces[0]!]), ...pieces.slice(1).map((piece) => indent + piece)];
  };
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.flatMap(rowLines)];
}

/**
 * Whether the table fits `fit.maxWidth` with only its flexible columns shortened: its last-resort
 * columns (identifiers) whole and none of its columns dropped.
 */
export function fitsWithFlexibleColumns(headers: string[], rows: string[][], fit: TableFit): boolean {
  const natural = headers.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const widths = fitColumns(natural, fit, GAP);
  return widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1) <= fit.maxWidth;
}

/** The first droppable column, when the table does not fit even with every flexible column at its minimum. */
function columnToDrop(headers: string[], rows: string[][], fit: TableFit): number | undefined {
  const drop = fit.droppable?.find((i) => i < headers.length);
  if (drop === undefined) return undefined;
  return fitsWithFlexibleColumns(headers, rows, fit) ? undefined : drop;
}

/** The same fit for the table without column `drop` (later column numbers move down by one). */
function withoutColumn(fit: TableFit, drop: number): TableFit {
  const shift = (columns: readonly number[] | undefined): number[] =>
    (columns ?? []).filter((i) => i !== drop).map((i) => (i > drop ? i - 1 : i));
  return {
    maxWidth: fit.maxWidth,
    flexible: shift(fit.flexible),
    middle: shift(fit.middle),
    lastResort: shift(fit.lastResort),
    droppable: shift(fit.droppable),
    wrapLast: fit.wrapLast,
  };
}

/** Shortens the middle of a long path so table rows stay on one line (measured in columns). */
export function ellipsize(text: string, max: number): string {
  if (max < 5) return text;
  return truncateMiddle(text, max);
}
