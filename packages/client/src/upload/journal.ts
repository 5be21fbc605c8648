import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DatamintException } from '@datamint/core';
import { makeDirectory } from '@datamint/core/internal/node';

/** What a journal remembers of one unit. */
export interface JournalEntry {
  /** The idempotency key its create was (or will be) sent with. */
  key: string;
  /** Set once the unit landed: the resource, its name and its masks. */
  done?: { id: string; filename: string; segmentationIds: string[] };
  /** The resource was published (and added to the project) by an earlier run. */
  published?: boolean;
}

/** A journal line that is not what this module writes. */
export class JournalError extends DatamintException {
  override name = 'JournalError';
  /** The journal file. */
  readonly file: string;
  constructor(file: string, line: number, reason: string) {
    super(`upload journal ${file}, line ${line}: ${reason}`);
    this.file = file;
  }
}

type Line =
  | { state: 'anonymizer'; key: string }
  | { unit: string; key: string; state: 'started' }
  | { unit: string; state: 'done'; id: string; filename: string; segmentationIds: string[] }
  | { unit: string; state: 'published' };

interface Recorded {
  entries: Map<string, JournalEntry>;
  /** The anonymization key of the run, hex; undefined until a unit needed one. */
  anonymizerKey: string | undefined;
}

function readLines(file: string): Recorded {
  const recorded: Recorded = { entries: new Map(), anonymizerKey: undefined };
  const entries = recorded.entries;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return recorded;
    throw error;
  }
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      // A kill can cut the last line short; anything before it was written whole.
      if (i === lines.length - 1 || lines.slice(i + 1).every((l) => l.trim() === '')) return;
      throw new JournalError(file, i + 1, 'not JSON');
    }
    if (line?.state === 'anonymizer' && typeof line.key === 'string' && /^[0-9a-f]{64}$/.test(line.key)) {
      recorded.anonymizerKey = line.key;
      return;
    }
    if (!line || !('unit' in line) || typeof line.unit !== 'string') {
      throw new JournalError(file, i + 1, 'no unit id');
    }
    const entry = entries.get(line.unit);
    if (line.state === 'started' && typeof line.key === 'string') {
      entries.set(line.unit, { ...entry, key: line.key });
    } else if (line.state === 'done' && entry && typeof line.id === 'string') {
      entry.done = { id: line.id, filename: line.filename, segmentationIds: line.segmentationIds ?? [] };
    } else if (line.state === 'published' && entry) {
      entry.published = true;
    } else throw new JournalError(file, i + 1, `unexpected record ${JSON.stringify(line.state)}`);
  });
  return recorded;
}

/**
 * An append-only record of an upload's units (JSON lines). Each line is written synchronously
 * before the step it announces goes on, so a killed process leaves a journal that tells, for every
 * unit, whether it landed, and under which idempotency key it may have.
 */
export class UploadJournal {
  readonly file: string;
  readonly #entries: Map<string, JournalEntry>;
  #anonymizerKey: string | undefined;

  private constructor(file: string, recorded: Recorded) {
    this.file = file;
    this.#entries = recorded.entries;
    this.#anonymizerKey = recorded.anonymizerKey;
  }

  /**
   * Opens (or starts) the journal at `file`, making its folder if needed: a folder that cannot be
   * made is a `DirectoryCreateError` naming it.
   */
  static async open(file: string): Promise<UploadJournal> {
    // The journal holds the run's anonymizer key (which links pseudonymised UIDs back to the
    // originals): only its owner may read it, like the config file with the API key.
    await makeDirectory(path.dirname(path.resolve(file)), { mode: 0o700 });
    return new UploadJournal(file, readLines(file));
  }

  /**
   * The secret of the run's UID mapping, the same for every run of this journal (recorded first).
   * A random key per run would give a re-sent series other UIDs, hence other bytes, and the server
   * refuses an idempotency key replayed with other content: the unit could never be confirmed.
   */
  anonymizerKey(): Uint8Array {
    if (this.#anonymizerKey === undefined) {
      const key = randomBytes(32).toString('hex');
      this.#append({ state: 'anonymizer', key });
      this.#anonymizerKey = key;
    }
    return new Uint8Array(Buffer.from(this.#anonymizerKey, 'hex'));
  }

  get(unit: string): JournalEntry | undefined {
    return this.#entries.get(unit);
  }

  /** The key to send the unit's create with: the one it had before, or a new one (recorded first). */
  keyFor(unit: string): string {
    const known = this.#entries.get(unit);
    if (known) return known.key;
    const key = randomUUID();
    this.#append({ unit, key, state: 'started' });
    this.#entries.set(unit, { key });
    return key;
  }

  done(unit: string, result: { id: string; filename: string; segmentationIds: string[] }): void {
    this.#append({ unit, state: 'done', ...result });
    const entry = this.#entries.get(unit);
    if (entry) entry.done = result;
  }

  published(unit: string): void {
    this.#append({ unit, state: 'published' });
    const entry = this.#entries.get(unit);
    if (entry) entry.published = true;
  }

  #append(line: Line): void {
    appendFileSync(this.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
