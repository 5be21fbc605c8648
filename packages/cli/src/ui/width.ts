/**
 * Terminal display width: the number of columns a string takes, not its UTF-16 length. East Asian
 * wide and fullwidth characters and emoji take two columns, combining marks, zero-width joiners and
 * variation selectors none, so CJK and emoji file names align in tables and never overflow a line.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes start with ESC
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const EMOJI = /\p{Extended_Pictographic}/u;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\uFE0F|\p{Regional_Indicator}/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]$/u;

/** Code point ranges of East Asian Wide (W) and Fullwidth (F) characters outside the emoji blocks. */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f],
  [0x2329, 0x232a],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f200, 0x1f2ff],
  [0x20000, 0x2fffd],
  [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = WIDE[mid]!;
    if (codePoint < start) hi = mid - 1;
    else if (codePoint > end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one grapheme cluster (what the user sees as one character) takes: 0, 1 or 2. */
export function graphemeWidth(grapheme: string): number {
  if (EMOJI.test(grapheme) && EMOJI_PRESENTATION.test(grapheme)) return 2;
  if (/^\p{Regional_Indicator}/u.test(grapheme)) return 2;
  const first = grapheme.codePointAt(0);
  if (first === undefined) return 0;
  const head = String.fromCodePoint(first);
  if (ZERO_WIDTH.test(head)) {
    // A lone combining mark or joiner; a cluster that starts with one but carries more is still 0.
    return [...grapheme].every((c) => ZERO_WIDTH.test(c)) ? 0 : 1;
  }
  return isWide(first) ? 2 : 1;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The grapheme clusters of `text` (ANSI colour codes removed) with their widths. */
function clusters(text: string): { text: string; width: number }[] {
  return Array.from(segmenter.segment(text.replace(ANSI, '')), (s) => ({
    text: s.segment,
    width: graphemeWidth(s.segment),
  }));
}

/** Columns `text` takes on a terminal (ANSI colour codes take none). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const c of clusters(text)) width += c.width;
  return width;
}

/** `text` followed by spaces up to `width` columns (nothing added when it is already that wide). */
export function padDisplay(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Shortens `text` to at most `max` columns by replacing its middle with `…`, keeping more of the end
 * (a path's file name) than of the start; never splits a character. Colour codes are dropped from a
 * shortened string.
 */
export function truncateMiddle(text: string, max: number): string {
  if (!Number.isFinite(max) || displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return '…';
  const parts = clusters(text);
  const budget = max - 1;
  const headBudget = Math.floor(budget / 3);
  let head = '';
  let used = 0;
  for (const p of parts) {
    if (used + p.width > headBudget) break;
    head += p.text;
    used += p.width;
  }
  let tail = '';
  let tailUsed = 0;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i]!;
    if (used + tailUsed + p.width > budget) break;
    tail = p.text + tail;
    tailUsed += p.width;
  }
  return `${head}…${tail}`;
}

/** Shortens `text` to at most `max` columns by cutting its end (for free text rather than paths). */
export function truncateEnd(text: string, max: number): string {
  if (!Number.isFinite(max) || displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  let out = '';
  let used = 0;
  for (const p of clusters(text)) {
    if (used + p.width > max - 1) break;
    out += p.text;
    used += p.width;
  }
  return `${out}…`;
}

/** The fewest columns a path keeps before the text after it is cut instead. */
const MIN_PATH_COLUMNS = 20;

/**
 * `before`, `path` and `after` in at most `max` columns: the path loses its middle first (its file
 * name stays), down to a short path, and only then does the line lose its end. For lines that name a
 * file and say something about it: two files in one folder stay two different lines.
 */
export function fitPathLine(before: string, path: string, after: string, max: number): string {
  const whole = `${before}${path}${after}`;
  if (!Number.isFinite(max) || displayWidth(whole) <= max) return whole;
  const room = max - displayWidth(before) - displayWidth(after);
  const pathColumns = Math.max(room, Math.min(displayWidth(path), MIN_PATH_COLUMNS));
  return truncateEnd(`${before}${truncateMiddle(path, pathColumns)}${after}`, max);
}

/** `text` cut into pieces of at most `max` columns, without splitting a character. */
function hardBreak(text: string, max: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let width = 0;
  for (const c of clusters(text)) {
    if (piece && width + c.width > max) {
      pieces.push(piece);
      piece = '';
      width = 0;
    }
    piece += c.text;
    width += c.width;
  }
  return piece ? [...pieces, piece] : pieces;
}

/**
 * Words of `text` on lines of at most `max` columns (a word wider than a line is broken), so that
 * nothing is lost: for reasons, which are worth reading whole.
 */
export function wrapWords(text: string, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const candidate = line ? `${line} ${word}` : word;
    if (displayWidth(candidate) <= max) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    const pieces = displayWidth(word) > max ? hardBreak(word, max) : [word];
    line = pieces.pop() ?? '';
    lines.push(...pieces);
  }
  return line ? [...lines, line] : lines;
}

/**
 * `before`, `path` and `: reason` on one line when they fit `max` columns; otherwise the path on a
 * line of its own (losing its middle only if it alone is too wide) and the reason wrapped below it,
 * indented: for lines that say why a file failed, which lose neither the file's name nor the reason.
 */
export function wrapPathLine(before: string, path: string, reason: string, max: number): string[] {
  // A reason quoting a multi-line message stays within its indentation.
  const text = reason.replace(/\s+/g, ' ').trim();
  const whole = `${before}${path}: ${text}`;
  if (!Number.isFinite(max) || displayWidth(whole) <= max) return [whole];
  // As fitPathLine: a path keeps a few columns even on a very narrow terminal.
  const pathColumns = Math.max(MIN_PATH_COLUMNS, max - displayWidth(before) - 1);
  const head = `${before}${truncateMiddle(path, pathColumns)}:`;
  const indent = ' '.repeat(Math.min(displayWidth(before) + 2, Math.max(0, max - MIN_PATH_COLUMNS)));
  return [head, ...wrapWords(text, max - indent.length).map((line) => indent + line)];
}

/**
 * A sentence of clauses joined by `; ` in lines of at most `max` columns: whole when it fits, else
 * one line per clause (each cut at its end if it alone is too wide), so a count is never lost from
 * the middle of a summary line.
 */
export function wrapClauses(sentence: string, max: number): string[] {
  if (!Number.isFinite(max) || displayWidth(sentence) <= max) return [sentence];
  const clauses = sentence.split('; ');
  return clauses.map((clause, i) => truncateEnd(i < clauses.length - 1 ? `${clause};` : clause, max));
}
