import type { Terminal } from './terminal';

/**
 * Reads answers from stdin one line at a time. Unlike Python's input(), end of input is a value
 * (`null`), not an exception, so every caller decides what "no more answers" means.
 */
export class Prompter {
  readonly #term: Terminal;
  #buffer = '';
  #ended = false;
  #waiting: ((line: string | null) => void) | null = null;
  #hidden = false;
  #listening = false;

  constructor(term: Terminal) {
    this.#term = term;
  }

  /** Prints `question` on stderr and resolves with the trimmed answer, or null at end of input. */
  async ask(question: string, options: { hidden?: boolean } = {}): Promise<string | null> {
    this.#term.writeErr(question);
    const hidden = options.hidden === true && this.#term.stdinIsTTY && !!this.#term.streams.stdin.setRawMode;
    const line = await this.#readLine(hidden);
    if (hidden) this.#term.writeErr('\n');
    return line === null ? null : line.trim();
  }

  /** y/n question; end of input and anything but y/yes count as "no". */
  async confirm(question: string): Promise<boolean> {
    const answer = await this.ask(`${question} (y/n): `);
    if (answer === null) {
      this.#term.writeErr('\n');
      return false;
    }
    return /^(y|yes)$/i.test(answer);
  }

  close(): void {
    this.#detach();
  }

  #readLine(hidden: boolean): Promise<string | null> {
    const ready = this.#takeLine();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => {
      this.#waiting = (line) => {
        this.#waiting = null;
        if (this.#hidden) this.#term.streams.stdin.setRawMode?.(false);
        this.#hidden = false;
        this.#pause();
        resolve(line);
      };
      this.#hidden = hidden;
      if (hidden) this.#term.streams.stdin.setRawMode?.(true);
      this.#attach();
    });
  }

  /** A complete buffered line, null at end of input, undefined when more input is needed. */
  #takeLine(): string | null | undefined {
    const newline = this.#buffer.search(/\r?\n|\r/);
    if (newline >= 0) {
      const line = this.#buffer.slice(0, newline);
      const rest = this.#buffer.slice(newline);
      this.#buffer = rest.replace(/^(\r\n|\n|\r)/, '');
      return line;
    }
    if (this.#ended) {
      if (this.#buffer.length > 0) {
        const line = this.#buffer;
        this.#buffer = '';
        return line;
      }
      return null;
    }
    return undefined;
  }

  readonly #onData = (chunk: Buffer | string): void => {
    const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.#hidden) {
      for (const ch of text) {
        // Raw mode delivers control keys instead of signals: honour Ctrl-C and Ctrl-D ourselves.
        if (ch === '\u0003') {
          this.#term.streams.stdin.setRawMode?.(false);
          this.#term.writeErr('\n');
          process.kill(process.pid, 'SIGINT');
          return;
        }
        if (ch === '\u0004') {
          this.#ended = this.#buffer.length === 0;
          if (!this.#ended) this.#buffer += '\n';
        } else if (ch === '\u007f' || ch === '\b') this.#buffer = this.#buffer.slice(0, -1);
        else this.#buffer += ch;
      }
    } else {
      this.#buffer += text;
    }
    this.#deliver();
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#deliver();
  };

  #deliver(): void {
    if (!this.#waiting) return;
    const line = this.#takeLine();
    if (line !== undefined) this.#waiting(line);
  }

  #attach(): void {
    const stdin = this.#term.streams.stdin;
    if (!this.#listening) {
      stdin.on('data', this.#onData);
      stdin.on('end', this.#onEnd);
      this.#listening = true;
    }
    stdin.resume();
  }

  /** Paused between questions so an idle stdin never keeps the process alive. */
  #pause(): void {
    this.#term.streams.stdin.pause();
  }

  #detach(): void {
    if (!this.#listening) return;
    const stdin = this.#term.streams.stdin;
    stdin.off('data', this.#onData);
    stdin.off('end', this.#onEnd);
    stdin.pause();
    this.#listening = false;
  }
}
