import { SegmentationNamesError } from './segmentation-names-error';

/** One field of a label line: a bare token, or a double-quoted label (which may hold spaces). */
const FIELD = /"((?:[^"\\]|\\.)*)"|[^\s,"]+/g;

function fail(file: string, line: number, reason: string): never {
  throw new SegmentationNamesError(file, `line ${line}: ${reason}`);
}

function integerIn(text: string, low: number, high: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= low && n <= high ? n : undefined;
}

/**
 * An ITK-SNAP label description file (what ITK-SNAP's "Export label descriptions" writes, often
 * saved as `.txt` or `.csv`): `# comments` and one `IDX R G B A VIS MSH "LABEL"` line per label,
 * fields separated by spaces (or commas). Returns the label names by value; 0, ITK-SNAP's
 * "Clear Label", is the background and is not a class.
 */
export function parseItkSnapLabels(text: string, file: string): Record<string, string> {
  const classNames: Record<string, string> = {};
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = [...line.matchAll(FIELD)];
    if (fields.length !== 8 || fields[7]![1] === undefined) {
      fail(
        file,
        lineNo,
        `expected IDX R G B A VIS MSH "LABEL" (8 fields, the label in double quotes), got ${JSON.stringify(line)}`,
      );
    }
    const [idx, r, g, b, a, vis, msh] = fields.slice(0, 7).map((m) => m[0]);
    const value = integerIn(idx!, 0, 255);
    if (value === undefined) fail(file, lineNo, `label index ${JSON.stringify(idx)} is not an integer 0-255`);
    for (const [what, c] of [
      ['R', r],
      ['G', g],
      ['B', b],
    ] as const) {
      if (integerIn(c!, 0, 255) === undefined)
        fail(file, lineNo, `colour ${what} ${JSON.stringify(c)} is not an integer 0-255`);
    }
    const alpha = Number(a);
    if (!/^\d*\.?\d+$/.test(a!) || alpha > 1)
      fail(file, lineNo, `opacity ${JSON.stringify(a)} is not a number 0-1`);
    for (const [what, flag] of [
      ['VIS', vis],
      ['MSH', msh],
    ] as const) {
      if (flag !== '0' && flag !== '1') fail(file, lineNo, `${what} ${JSON.stringify(flag)} is not 0 or 1`);
    }
    const name = fields[7]![1]!.replace(/\\(.)/g, '$1').trim();
    if (value === 0) return;
    if (name === '') fail(file, lineNo, `label ${value} has an empty name`);
    if (classNames[String(value)] !== undefined) fail(file, lineNo, `label ${value} is described twice`);
    classNames[String(value)] = name;
  });
  if (Object.keys(classNames).length === 0) {
    throw new SegmentationNamesError(file, 'no label lines (only comments or the background label 0)');
  }
  return classNames;
}
