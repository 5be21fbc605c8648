import { fitColumns, fitsWithFlexibleColumns, renderTable, type TableFit } from './format';
import { displayWidth, padDisplay, truncateMiddle, wrapWords } from './width';

/** A result row: its status, the resource id, the file it is about and a detail (size or reason). */
export type StatusRow = readonly [status: string, id: string, path: string, detail: string];

/**
 * The narrowest detail column a table may wrap a reason in: narrower, a sentence becomes a tall
 * column of a word or two per line, which the stacked layout (a line of nearly the full width)
 * reads far better.
 */
const MIN_WRAPPED_DETAIL = 20;

/** Where the path and detail lines of a stacked row start: under the resource id. */
const STACK_INDENT = '        ';

/**
 * Result rows fitted to `width` columns, as `upload` and `download` print their results: a table whose paths
 * lose their middle while resource ids stay whole (people copy them into other commands) and whose
 * details (reasons) wrap within their column rather than lose their end; on a terminal too narrow
 * for that, each row is stacked instead, status and id on one line, the path and the detail
 * indented below.
 */
export function renderStatusTable(
  headers: readonly [string, string, string, string],
  rows: readonly StatusRow[],
  width: number,
): string[] {
  const cells = rows.map((r) => [...r]);
  const fit = { maxWidth: width, flexible: [2, 3], middle: [2], lastResort: [1], wrapLast: true };
  if (fitsWithFlexibleColumns([...headers], cells, fit) && !wrapsNarrow(headers, cells, fit)) {
    return renderTable([...headers], cells, fit);
  }
  const room = width - STACK_INDENT.length;
  return rows.flatMap(([status, id, path, detail]) => [
    ...stackedHead(status, id, width),
    ...(path ? [STACK_INDENT + truncateMiddle(path, room)] : []),
    ...wrapWords(detail, room).map((line) => STACK_INDENT + line),
  ]);
}

/** Whether the table would wrap a detail in a column narrower than {@link MIN_WRAPPED_DETAIL}. */
function wrapsNarrow(headers: readonly string[], cells: readonly string[][], fit: TableFit): boolean {
  const natural = headers.map((h, i) => Math.max(displayWidth(h), ...cells.map((r) => displayWidth(r[i]!))));
  const detail = fitColumns(natural, fit)[headers.length - 1]!;
  return detail < MIN_WRAPPED_DETAIL && cells.some((r) => displayWidth(r.at(-1)!) > detail);
}

/**
 * Status and id on one line when they fit, else one below the other. The id is never cut: a cut id
 * cannot be used (below its own width the terminal wraps that one line).
 */
function stackedHead(status: string, id: string, width: number): string[] {
  const head = `${padDisplay(status, STACK_INDENT.length - 2)}  ${id}`;
  if (!id || displayWidth(head) <= width) return [head];
  const indent = Math.max(0, Math.min(STACK_INDENT.length, width - displayWidth(id)));
  return [status, ' '.repeat(indent) + id];
}
