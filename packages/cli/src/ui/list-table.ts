import { renderTable } from './format';
import { displayWidth, truncateEnd, truncateMiddle } from './width';

/** A listing (`resources list`, `projects list`): what each column is to the reader. */
export interface ListTable {
  headers: readonly string[];
  rows: readonly (readonly string[])[];
  /** The row's id: never shortened (people copy it into other commands); a stacked row's first line. */
  id: number;
  /** The name a row is read by (a file name): shortened in its middle, and only after the free text. */
  name: number;
  /** Free text, shortened at its end first. */
  text: readonly number[];
  /** Columns left out, most expendable first, when the rest does not fit; empty ones go before any. */
  droppable: readonly number[];
}

const GAP = 2;
/** Free text is not cut below this: a few letters of a mimetype still say which it is. */
const TEXT_MIN = 8;
/** The name's fair share: columns are left out before a name is cut below this. */
const NAME_MIN = 20;
/** A stacked row's name and values start here, under its id. */
const STACK_INDENT = '    ';

/**
 * The listing in at most `width` columns. Whole when it fits; else columns with nothing in them go
 * first, then free text is shortened, then the name down to a fair share, then the droppable
 * columns are left out one by one; when even the id and a fair share of the name do not fit, each
 * row is stacked: the id on its own line, the name on the next, the other values on a third.
 */
export function renderListTable(table: ListTable, width: number): string[] {
  const natural = table.headers.map((h, i) =>
    Math.max(displayWidth(h), ...table.rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const all = table.headers.map((_, i) => i);
  if (totalWidth(natural, all) <= width)
    return renderTable(
      [...table.headers],
      table.rows.map((r) => [...r]),
    );
  let keep = all;
  for (const column of [undefined, ...dropOrder(table)]) {
    if (column !== undefined) keep = keep.filter((i) => i !== column);
    const widths = allocate(table, natural, keep, width);
    if (widths) return renderShortened(table, keep, widths);
  }
  return renderStacked(table, width);
}

function totalWidth(widths: readonly number[], columns: readonly number[]): number {
  return columns.reduce((sum, i) => sum + widths[i]!, 0) + GAP * Math.max(0, columns.length - 1);
}

const isEmpty = (table: ListTable, column: number): boolean =>
  table.rows.every((r) => (r[column] ?? '').trim() === '');

/** Empty columns (they only take room), then the droppable ones in their order. */
function dropOrder(table: ListTable): number[] {
  const empty = table.headers
    .map((_, i) => i)
    .filter((i) => i !== table.id && i !== table.name && isEmpty(table, i));
  return [...empty, ...table.droppable.filter((i) => !empty.includes(i))];
}

/** Widths of the `keep` columns within `width`, free text cut first, then the name; none if impossible. */
function allocate(
  table: ListTable,
  natural: readonly number[],
  keep: readonly number[],
  width: number,
): number[] | undefined {
  const widths = [...natural];
  let excess = totalWidth(widths, keep) - width;
  const cut = (column: number, floor: number): void => {
    const by = Math.max(0, Math.min(excess, widths[column]! - floor));
    widths[column] = widths[column]! - by;
    excess -= by;
  };
  const text = table.text.filter((i) => keep.includes(i)).sort((a, b) => natural[b]! - natural[a]!);
  for (const column of text) cut(column, TEXT_MIN);
  cut(table.name, Math.min(natural[table.name]!, NAME_MIN));
  return excess <= 0 ? widths : undefined;
}

function renderShortened(table: ListTable, keep: readonly number[], widths: readonly number[]): string[] {
  const cell = (text: string, column: number): string =>
    column === table.name ? truncateMiddle(text, widths[column]!) : truncateEnd(text, widths[column]!);
  const pick = (cells: readonly string[]): string[] => keep.map((i) => cell(cells[i] ?? '', i));
  return renderTable(pick(table.headers), table.rows.map(pick));
}

/** Each row as its id, then its name and then its other values (most useful first), indented below. */
function renderStacked(table: ListTable, width: number): string[] {
  const rest = table.headers
    .map((_, i) => i)
    .filter((i) => i !== table.id && i !== table.name && !table.droppable.includes(i));
  const order = [...rest, ...[...table.droppable].reverse()];
  const room = width - STACK_INDENT.length;
  return table.rows.flatMap((r) => {
    const details = order.map((i) => (r[i] ?? '').trim()).filter((v) => v !== '');
    return [
      r[table.id] ?? '',
      STACK_INDENT + truncateMiddle(r[table.name] ?? '', room),
      ...(details.length ? [STACK_INDENT + truncateEnd(details.join(' '.repeat(GAP)), room)] : []),
    ];
  });
}
