import { SegmentationNamesError } from './segmentation-names-error';

/**
 * How the fields of a label table are separated: a tab, a comma, a semicolon, or runs of spaces
 * (ITK-SNAP's own layout). One separator holds for the whole file, as when pandas sniffs it.
 */
export type LabelSeparator = '\t' | ',' | ';' | 'whitespace';

/** The fields of one line, or why it cannot be split. */
export type SplitLine = { fields: string[] } | { error: string };

const DELIMITERS = ['\t', ',', ';'] as const;
const SEPARATOR_NAME: Record<LabelSeparator, string> = {
  '\t': 'a tab',
  ',': 'a comma',
  ';': 'a semicolon',
  whitespace: 'a space',
};

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Whether `line` holds `delimiter` outside double quotes (a quoted name may hold any character).
 * Backslashes are plain characters here: the delimited files this looks for follow CSV, where
 * `"C:\labels\"` is a whole field, and `""` leaves the count of quotes even.
 */
function delimits(line: string, delimiter: string): boolean {
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === delimiter) return true;
  }
  return false;
}

/**
 * The separator of a file's label lines: the first of tab, comma and semicolon that every line
 * holds outside its quotes, else runs of spaces. Deciding once per file (not per line) means a
 * line that lacks the separator the others use shows up as a line with too few fields.
 */
export function sniffSeparator(lines: readonly string[]): LabelSeparator {
  return DELIMITERS.find((d) => lines.length > 0 && lines.every((line) => delimits(line, d))) ?? 'whitespace';
}

/**
 * A double-quoted field starting at `line[start]`: `""` is a quote character inside it (CSV's rule),
 * and so is `\"` in space-separated files, which ITK-SNAP writes that way. Any other backslash is
 * kept: a delimited file's `"C:\labels"` is that path. Returns its text and the index after the
 * closing quote.
 */
function readQuoted(
  line: string,
  start: number,
  backslashQuote: boolean,
): { text: string; end: number } | { error: string } {
  let text = '';
  let i = start + 1;
  while (i < line.length) {
    const c = line[i]!;
    if (backslashQuote && c === '\\' && line[i + 1] === '"') {
      text += '"';
      i += 2;
    } else if (c === '"' && line[i + 1] === '"') {
      text += '"';
      i += 2;
    } else if (c === '"') {
      return { text, end: i + 1 };
    } else {
      text += c;
      i++;
    }
  }
  return { error: 'a double quote is not closed' };
}

/** One field of a label line, and whether it was in double quotes. */
interface Cell {
  text: string;
  quoted: boolean;
}

/**
 * The fields of one label line split at `separator`; fields are trimmed and a double-quoted field
 * (which may hold the separator) is unquoted. Empty fields between delimiters are kept, so a line
 * ending in a comma has an empty last field.
 */
export function splitFields(line: string, separator: LabelSeparator): SplitLine {
  const split = splitCells(line, separator);
  return 'error' in split ? split : { fields: split.cells.map((c) => c.text) };
}

function splitCells(line: string, separator: LabelSeparator): { cells: Cell[] } | { error: string } {
  const cells: Cell[] = [];
  const ends = (c: string | undefined): boolean =>
    c === undefined || (separator === 'whitespace' ? isBlank(c) : c === separator);
  let i = 0;
  const skipBlanks = (): void => {
    while (isBlank(line[i]) && line[i] !== separator) i++;
  };
  for (;;) {
    skipBlanks();
    if (separator === 'whitespace' && i >= line.length) break;
    if (line[i] === '"') {
      const quoted = readQuoted(line, i, separator === 'whitespace');
      if ('error' in quoted) return quoted;
      cells.push({ text: quoted.text, quoted: true });
      i = quoted.end;
      if (separator !== 'whitespace') skipBlanks();
      if (!ends(line[i])) return { error: `text after the closing quote of field ${cells.length}` };
    } else {
      const start = i;
      while (!ends(line[i])) i++;
      cells.push({ text: line.slice(start, i).trim(), quoted: false });
    }
    if (i >= line.length) break;
    // The separator itself (runs of blanks are skipped at the top of the loop).
    i++;
  }
  return { cells };
}

function fail(file: string, line: number, reason: string): never {
  throw new SegmentationNamesError(file, `line ${line}: ${reason}`);
}

function integerIn(text: string, low: number, high: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= low && n <= high ? n : undefined;
}

/**
 * Checks the colour (the numbers before the name, up to three) and, on ITK-SNAP's rows (name at
 * field 8), the opacity and flags between it and the name.
 */
function checkMiddle(fields: readonly string[], nameAt: number, file: string, lineNo: number): void {
  const colours = fields.slice(1, Math.min(4, nameAt));
  for (const [i, c] of colours.entries()) {
    if (integerIn(c, 0, 255) === undefined) {
      fail(file, lineNo, `colour ${'RGB'[i]} ${JSON.stringify(c)} is not an integer 0-255`);
    }
  }
  if (nameAt !== ITK_SNAP_NAME_AT) return;
  const [a, vis, msh] = fields.slice(4, 7) as [string, string, string];
  if (!/^\d*\.?\d+$/.test(a) || Number(a) > 1)
    fail(file, lineNo, `opacity ${JSON.stringify(a)} is not a number 0-1`);
  for (const [what, flag] of [
    ['VIS', vis],
    ['MSH', msh],
  ] as const) {
    if (flag !== '0' && flag !== '1') fail(file, lineNo, `${what} ${JSON.stringify(flag)} is not 0 or 1`);
  }
}

/** Where ITK-SNAP's name is: after IDX R G B A VIS MSH. */
const ITK_SNAP_NAME_AT = 7;
/** Where a loose row's name is when it has a colour: after IDX R G B. */
const COLOUR_NAME_AT = 4;

/**
 * The field a space-separated row's name starts at: its spaces cannot be told from the separator,
 * so the name is everything after the leading numbers rather than the last field alone (`1 255 0 0
 * Left Femur` is "Left Femur"). A quoted last field is the whole name (ITK-SNAP quotes it); an
 * unquoted 8-field row with numbers for A, VIS and MSH is ITK-SNAP's too; otherwise the name follows
 * the colour when field 2 is a number, else the value. Undefined when a colour is cut short.
 */
function spacedNameAt(cells: readonly Cell[]): number | undefined {
  const n = cells.length;
  if (cells[n - 1]!.quoted) return n - 1;
  const number = (c: Cell | undefined): boolean => c !== undefined && /^\d*\.?\d+$/.test(c.text);
  if (n === ITK_SNAP_NAME_AT + 1 && cells.slice(4, 7).every(number)) return ITK_SNAP_NAME_AT;
  if (!number(cells[1])) return 1;
  return n > COLOUR_NAME_AT ? COLOUR_NAME_AT : undefined;
}

/**
 * A label table naming label values, read as the Python tool reads `.csv`, `.tsv` and `.txt` names
 * files: the first field is the label value, then (when there are more) its colour R, G, B, and the
 * name. The separator (tab, comma, semicolon or spaces) is sniffed from the file. In a delimited
 * file the name is the last field; with spaces it is everything after the numbers, joined by single
 * spaces, unless quoted. ITK-SNAP's label description files (`IDX R G B A VIS MSH "LABEL"`, what
 * "Export label descriptions" writes) are such tables, and their opacity and flags are checked too.
 * `#` lines are comments; every line has its name where the first has it. Two labels may share a
 * name, as in the Python tool. Returns the names by value; 0, ITK-SNAP's "Clear Label", is the
 * background and is not a class.
 */
export function parseLabelTable(text: string, file: string): Record<string, string> {
  const rows: { lineNo: number; line: string }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line !== '' && !line.startsWith('#')) rows.push({ lineNo: i + 1, line });
    });
  const separator = sniffSeparator(rows.map((r) => r.line));
  const classNames: Record<string, string> = {};
  let first: { lineNo: number; count: number; nameAt: number } | undefined;
  for (const { lineNo, line } of rows) {
    const split = splitCells(line, separator);
    if ('error' in split) fail(file, lineNo, `${split.error} in ${JSON.stringify(line)}`);
    const { cells } = split;
    const fields = cells.map((c) => c.text);
    if (fields.length < 2) {
      fail(
        file,
        lineNo,
        `expected a label value and a name (\`1,255,0,0,Femur\`, or ITK-SNAP's IDX R G B A VIS MSH "LABEL"), got ${JSON.stringify(line)}`,
      );
    }
    const nameAt = separator === 'whitespace' ? spacedNameAt(cells) : fields.length - 1;
    if (nameAt === undefined) {
      fail(file, lineNo, `expected R G B then the name after the label value, got ${JSON.stringify(line)}`);
    }
    if (first && separator !== 'whitespace' && fields.length !== first.count) {
      fail(
        file,
        lineNo,
        `${fields.length} fields where line ${first.lineNo} has ${first.count} (a name holding ${SEPARATOR_NAME[separator]} must be in double quotes)`,
      );
    }
    if (first && nameAt !== first.nameAt) {
      fail(
        file,
        lineNo,
        `the name starts at field ${nameAt + 1} where line ${first.lineNo}'s starts at field ${first.nameAt + 1}`,
      );
    }
    const idx = fields[0]!;
    const value = integerIn(idx, 0, 255);
    if (value === undefined) {
      const heading = first ? '' : ' (a heading line must start with #)';
      fail(file, lineNo, `label index ${JSON.stringify(idx)} is not an integer 0-255${heading}`);
    }
    first ??= { lineNo, count: fields.length, nameAt };
    checkMiddle(fields, nameAt, file, lineNo);
    const name = fields.slice(nameAt).join(' ').trim();
    if (value === 0) continue;
    if (name === '') fail(file, lineNo, `label ${value} has an empty name`);
    if (classNames[String(value)] !== undefined) fail(file, lineNo, `label ${value} is described twice`);
    classNames[String(value)] = name;
  }
  if (Object.keys(classNames).length === 0) {
    throw new SegmentationNamesError(file, 'no label lines (only comments or the background label 0)');
  }
  return classNames;
}
