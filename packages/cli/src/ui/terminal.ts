import { redactSecrets } from '@datamint/core/internal';
import type { CliStreams } from '../io';

export interface TerminalOptions {
  json: boolean;
  verbose: boolean;
  /** `--no-color` on the command line. */
  noColor: boolean;
}

/**
 * The narrowest width output is fitted to. Below it paths and reasons would be cut to a few
 * characters; on a terminal that really is narrower the lines wrap instead, which loses nothing.
 */
export const MIN_COLUMNS = 20;

/** Width used when neither the terminal nor `COLUMNS` gives one. */
export const DEFAULT_COLUMNS = 80;

/** A positive whole number of columns, or `undefined` for anything else (0, NaN, negative, fractional). */
function validWidth(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : undefined;
}

/**
 * The columns output may use: the first width a terminal reports, else `COLUMNS`, else 80, and
 * never under {@link MIN_COLUMNS}. A reported width of 0 counts as unknown: a pseudo-terminal
 * that was never given a size (as some CI runners, editor shells and containers open them) says 0,
 * and fitting to 0 columns would print every line empty.
 */
export function usableWidth(
  reported: readonly (number | undefined)[],
  columnsEnv: string | undefined,
): number {
  const fromEnv = /^\s*\d+\s*$/.test(columnsEnv ?? '') ? Number(columnsEnv) : undefined;
  const width =
    reported.map(validWidth).find((w) => w !== undefined) ?? validWidth(fromEnv) ?? DEFAULT_COLUMNS;
  return Math.max(MIN_COLUMNS, width);
}

const ANSI = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Style = keyof typeof ANSI;

/**
 * Everything the commands print goes through here, so three rules hold everywhere: with `--json`
 * stdout carries only the JSON document; colours and bars appear only on terminals (and never with
 * NO_COLOR); and every known secret is masked before it reaches a stream.
 */
export class Terminal {
  readonly json: boolean;
  readonly verbose: boolean;
  readonly #streams: CliStreams;
  readonly #colorOut: boolean;
  readonly #colorErr: boolean;
  readonly #secrets: string[] = [];

  constructor(streams: CliStreams, options: TerminalOptions) {
    this.#streams = streams;
    this.json = options.json;
    this.verbose = options.verbose;
    const env = streams.env;
    const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== '';
    const allowed =
      !options.noColor &&
      !options.json &&
      (env.NO_COLOR === undefined || env.NO_COLOR === '') &&
      env.TERM !== 'dumb';
    this.#colorOut = allowed && (forced || streams.stdout.isTTY === true);
    this.#colorErr = allowed && (forced || streams.stderr.isTTY === true);
  }

  get streams(): CliStreams {
    return this.#streams;
  }

  /** Progress bars only make sense on an interactive stderr, and never in JSON mode. */
  get interactiveErr(): boolean {
    return !this.json && this.#streams.stderr.isTTY === true && this.#streams.env.TERM !== 'dumb';
  }

  get stdinIsTTY(): boolean {
    return this.#streams.stdin.isTTY === true;
  }

  /** Tables are shortened to fit only on a terminal; redirected output keeps every character. */
  get stdoutIsTTY(): boolean {
    return this.#streams.stdout.isTTY === true;
  }

  /** Columns the progress line may use: stderr's width (else stdout's), as {@link usableWidth} reads them. */
  get columns(): number {
    return usableWidth(
      [this.#streams.stderr.columns, this.#streams.stdout.columns],
      this.#streams.env.COLUMNS,
    );
  }

  /**
   * Columns a table on stdout may use: the terminal's width, else `COLUMNS` (set by shells and
   * by users who pipe), else 80 (see {@link usableWidth}).
   */
  get tableWidth(): number {
    const tty = this.#streams.stdout.isTTY === true ? this.#streams.stdout.columns : undefined;
    return usableWidth([tty], this.#streams.env.COLUMNS);
  }

  /** Registers a value (the API key) that must never be printed. */
  addSecret(secret: string | undefined): void {
    if (secret && secret.length >= 4 && !this.#secrets.includes(secret)) this.#secrets.push(secret);
  }

  redact(text: string): string {
    return redactSecrets(text, this.#secrets);
  }

  style(text: string, style: Style, stream: 'out' | 'err' = 'out'): string {
    const on = stream === 'out' ? this.#colorOut : this.#colorErr;
    return on ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
  }

  /** Human output on stdout; suppressed in JSON mode, where stdout belongs to the document. */
  out(line = ''): void {
    if (this.json) return;
    this.#streams.stdout.write(`${this.redact(line)}\n`);
  }

  /** Status lines for humans on stderr (kept out of stdout so it can be piped). */
  note(line: string): void {
    if (this.json) return;
    this.#streams.stderr.write(`${this.redact(line)}\n`);
  }

  warn(line: string): void {
    this.#streams.stderr.write(`${this.style('warning:', 'yellow', 'err')} ${this.redact(line)}\n`);
  }

  error(line: string): void {
    this.#streams.stderr.write(`${this.style('error:', 'red', 'err')} ${this.redact(line)}\n`);
  }

  debug(line: string): void {
    if (!this.verbose) return;
    this.#streams.stderr.write(`${this.style('debug:', 'dim', 'err')} ${this.redact(line)}\n`);
  }

  /** The JSON document of a `--json` run. */
  emitJson(value: unknown): void {
    this.#streams.stdout.write(`${this.redact(JSON.stringify(value, null, 2))}\n`);
  }

  /** Raw text to stderr (prompts, bars). */
  writeErr(text: string): void {
    this.#streams.stderr.write(this.redact(text));
  }
}
