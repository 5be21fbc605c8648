import { humanSize } from './format';
import type { Terminal } from './terminal';

export interface ProgressState {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  failed: number;
}

function bar(fraction: number, width: number): string {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.round(clamped * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

/** The two lines the bars show, for a terminal `columns` wide. Pure, so it is tested directly. */
export function renderProgress(state: ProgressState, columns: number, elapsedMs: number): [string, string] {
  const width = Math.max(10, Math.min(40, columns - 50));
  const pct = (done: number, total: number): string =>
    `${String(total === 0 ? 100 : Math.floor((done / total) * 100)).padStart(3)}%`;
  const rate = elapsedMs > 0 ? `${humanSize(Math.round((state.bytesDone / elapsedMs) * 1000))}/s` : '';
  const failed = state.failed ? `, ${state.failed} failed` : '';
  return [
    `files ${bar(state.filesDone / state.filesTotal, width)} ${pct(state.filesDone, state.filesTotal)} ${state.filesDone}/${state.filesTotal}${failed}`,
    `bytes ${bar(state.bytesDone / state.bytesTotal, width)} ${pct(state.bytesDone, state.bytesTotal)} ${humanSize(state.bytesDone)}/${humanSize(state.bytesTotal)} ${rate}`.trimEnd(),
  ];
}

/**
 * Live bars on stderr, redrawn in place at most ten times a second. On anything but an
 * interactive terminal (pipes, CI logs, --json) it draws nothing.
 */
export class ProgressBars {
  readonly #term: Terminal;
  readonly #enabled: boolean;
  readonly #started = Date.now();
  #state: ProgressState;
  #drawn = false;
  #lastDraw = 0;

  constructor(term: Terminal, totals: { files: number; bytes: number }) {
    this.#term = term;
    this.#enabled = term.interactiveErr;
    this.#state = {
      filesDone: 0,
      filesTotal: totals.files,
      bytesDone: 0,
      bytesTotal: totals.bytes,
      failed: 0,
    };
  }

  update(change: Partial<ProgressState>): void {
    this.#state = { ...this.#state, ...change };
    const now = Date.now();
    if (!this.#enabled || now - this.#lastDraw < 100) return;
    this.#lastDraw = now;
    this.#draw();
  }

  /** Prints a line above the bars without tearing them. */
  log(line: string): void {
    if (!this.#enabled) {
      this.#term.note(line);
      return;
    }
    this.#clear();
    this.#term.note(line);
    this.#draw();
  }

  finish(): void {
    if (!this.#enabled) return;
    this.#draw();
    this.#term.writeErr('\n');
    this.#drawn = false;
  }

  #clear(): void {
    if (this.#drawn) this.#term.writeErr('\u001b[1A\r\u001b[2K\u001b[1B\r\u001b[2K\u001b[1A');
    this.#drawn = false;
  }

  #draw(): void {
    const [files, bytes] = renderProgress(this.#state, this.#term.columns, Date.now() - this.#started);
    if (this.#drawn) this.#term.writeErr('\u001b[1A\r');
    this.#term.writeErr(`\u001b[2K${files}\n\u001b[2K${bytes}`);
    this.#drawn = true;
  }
}
