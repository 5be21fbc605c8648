import { redactSecrets } from '@datamint/core/internal';
import type { CliStreams } from '../io';

export interface TerminalOptions {
  json: boolean;
  verbose: boolean;
  /** `--no-color` on the command line. */
  noColor: boolean;
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

  get columns(): number {
    return this.#streams.stderr.columns ?? this.#streams.stdout.columns ?? 100;
  }

  /**
   * Columns a table on stdout may use: the terminal's width, else `COLUMNS` (set by shells and
   * by users who pipe), else 80.
   */
  get tableWidth(): number {
    const tty = this.#streams.stdout.isTTY === true ? this.#streams.stdout.columns : undefined;
    const env = Number.parseInt(this.#streams.env.COLUMNS ?? '', 10);
    return tty ?? (Number.isFinite(env) && env > 0 ? env : 80);
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
