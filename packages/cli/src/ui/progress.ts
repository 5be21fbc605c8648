import { humanSize } from './format';
import { addSample, bytesPerSecond, etaSeconds, formatDuration, type RateSample } from './rate';
import type { Terminal } from './terminal';
import { displayWidth, truncateEnd } from './width';

/**
 * What the progress line shows. `done` counts inputs attempted (uploaded, failed, or known from an
 * earlier run), out of the same `total` the plan summary and the result summary count, so the bar
 * reaches 100% when everything has been tried, whatever failed.
 */
export interface ProgressState {
  done: number;
  total: number;
  bytesDone: number;
  bytesTotal: number;
  failed: number;
  /** Bytes per second, when known. */
  rate: number | undefined;
}

function bar(fraction: number, width: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.floor(clamped * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

function percentOf(done: number, total: number): number {
  return total === 0 ? 100 : Math.floor((Math.min(done, total) / total) * 100);
}

/** The facts after the bar: counts, bytes, rate, time left, failures. */
function facts(state: ProgressState): string[] {
  const eta = etaSeconds(state.bytesTotal - state.bytesDone, state.rate);
  return [
    `${state.done}/${state.total}`,
    `${humanSize(state.bytesDone)}/${humanSize(state.bytesTotal)}`,
    state.rate === undefined ? '' : `${humanSize(Math.round(state.rate))}/s`,
    state.done >= state.total ? '' : `ETA ${formatDuration(eta)}`,
    state.failed ? `${state.failed} failed` : '',
  ].filter(Boolean);
}

/**
 * The one redrawn line for a terminal `columns` wide: the bar takes what the facts leave (up to 40
 * columns) and disappears on very narrow terminals. Never as wide as the terminal, which would wrap.
 */
export function renderProgress(state: ProgressState, columns: number): string {
  const pct = `${String(percentOf(state.done, state.total)).padStart(3)}%`;
  const text = `${pct} ${facts(state).join(' · ')}`;
  const room = columns - 1 - displayWidth(text) - 1;
  const barWidth = Math.min(40, room - 2);
  const line =
    barWidth >= 8 ? `${bar(state.total === 0 ? 1 : state.done / state.total, barWidth)} ${text}` : text;
  return truncateEnd(line, columns - 1);
}

/** The occasional plain line written instead of a bar when stderr is not a terminal (CI logs). */
export function renderProgressLine(state: ProgressState): string {
  return `progress: ${percentOf(state.done, state.total)}% ${facts(state).join(', ')}`;
}

/** How often a plain progress line is logged off a terminal: often enough to show life, rarely enough not to flood. */
const PLAIN_EVERY_MS = 15_000;

/**
 * The progress line on stderr: redrawn in place at most ten times a second on an interactive
 * terminal; off a terminal a plain line every 15 seconds of a long run; never with `--json`.
 */
export class ProgressBars {
  readonly #term: Terminal;
  readonly #interactive: boolean;
  readonly #clock: () => number;
  readonly #started: number;
  #state: ProgressState;
  #samples: RateSample[];
  #drawn = false;
  #lastDraw = 0;

  constructor(term: Terminal, totals: { inputs: number; bytes: number }, clock: () => number = Date.now) {
    this.#term = term;
    this.#interactive = term.interactiveErr;
    this.#clock = clock;
    this.#started = clock();
    this.#lastDraw = this.#started;
    this.#samples = [{ atMs: this.#started, bytes: 0 }];
    this.#state = {
      done: 0,
      total: totals.inputs,
      bytesDone: 0,
      bytesTotal: totals.bytes,
      failed: 0,
      rate: undefined,
    };
  }

  /** The counts as they stand. */
  get state(): ProgressState {
    return this.#state;
  }

  update(change: Partial<Omit<ProgressState, 'rate'>>): void {
    const now = this.#clock();
    const next = { ...this.#state, ...change };
    if (next.bytesDone !== this.#state.bytesDone) {
      this.#samples = addSample(this.#samples, { atMs: now, bytes: next.bytesDone });
    }
    this.#state = { ...next, rate: bytesPerSecond(this.#samples) };
    if (this.#term.json) return;
    if (this.#interactive) {
      if (now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      this.#draw();
    } else if (now - this.#lastDraw >= PLAIN_EVERY_MS) {
      this.#lastDraw = now;
      this.#term.note(renderProgressLine(this.#state));
    }
  }

  /** Prints a line above the bar without tearing it. */
  log(line: string): void {
    if (!this.#interactive) {
      this.#term.note(line);
      return;
    }
    this.#clear();
    this.#term.note(line);
    this.#draw();
  }

  /** Draws the final state (100% once everything was attempted) and leaves it on screen. */
  finish(): void {
    if (!this.#interactive) return;
    this.#draw();
    this.#term.writeErr('\n');
    this.#drawn = false;
  }

  #clear(): void {
    if (this.#drawn) this.#term.writeErr('\r\u001b[2K');
    this.#drawn = false;
  }

  #draw(): void {
    this.#term.writeErr(`\r\u001b[2K${renderProgress(this.#state, this.#term.columns)}`);
    this.#drawn = true;
  }
}
