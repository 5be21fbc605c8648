import { UnexpectedResponseError } from '../errors';

/** A JSON object as the server sent it. */
export type EntityData = Record<string, unknown>;

/**
 * Base of the entities the `Api` returns. Every field the server sent is kept (read it with
 * `get` or `toJSON`), so a server newer than this client loses nothing; the fields an entity
 * needs are checked once, when it is built, instead of failing later where they are read.
 */
export abstract class Entity {
  readonly #data: EntityData;

  protected constructor(data: unknown, what: string, required: readonly string[]) {
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
      throw new UnexpectedResponseError(what, data, 'a JSON object');
    }
    const missing = required.filter((key) => !(key in data));
    if (missing.length > 0) {
      throw new UnexpectedResponseError(
        what,
        data,
        `an object with ${missing.map((k) => `"${k}"`).join(', ')}`,
      );
    }
    this.#data = { ...(data as EntityData) };
  }

  /** Any field the server sent, including ones this client does not know. */
  get(key: string): unknown {
    return this.#data[key];
  }

  /** Takes the fields of a fresh copy from the server (fields it lacks stay as they were). */
  protected merge(data: EntityData): void {
    Object.assign(this.#data, data);
  }

  /** True when the server sent this field (even as `null`). */
  has(key: string): boolean {
    return key in this.#data;
  }

  /** Every field as the server sent it (a copy). */
  toJSON(): EntityData {
    return { ...this.#data };
  }

  /** A field as text (empty when absent). */
  protected string(key: string): string {
    const value = this.#data[key];
    return typeof value === 'string' ? value : String(value ?? '');
  }

  /** A field as text, or `null` when absent or not a string. */
  protected optionalString(key: string): string | null {
    const value = this.#data[key];
    return typeof value === 'string' ? value : null;
  }
}
