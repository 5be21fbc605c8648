import { DatamintException } from '@datamint/core';
import type { CallOptions } from '../context';
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

/** What an entity returned by an `Api` method asks of its group to read itself again. */
export interface EntityRefetch {
  /** The entity's JSON as the server has it now (`GET /{base}/{key}` of its group). */
  refetch(key: string, options?: CallOptions): Promise<EntityData>;
}

/** An entity built from bare JSON (`new ProjectEntity(json)`) has no client to fetch with. */
export class DetachedEntityError extends DatamintException {
  /** Always `DetachedEntityError`. */
  override name = 'DetachedEntityError';
  /** Names the method that needed a client. */
  constructor(what: string) {
    super(`${what} needs an entity returned by an Api method (this one was built from bare JSON)`);
  }
}

/**
 * An entity that can read itself again from the server. Listings leave out some fields that the
 * single-entity answer carries, so a field this object lacks is fetched on demand
 * ({@link LinkedEntity.fetchField}) rather than read as missing.
 */
export abstract class LinkedEntity<Links extends EntityRefetch = EntityRefetch> extends Entity {
  readonly #links: Links | undefined;
  readonly #kind: string;

  /**
   * `kind` names the class in errors; `links` is absent when the entity is built from bare JSON
   * (then only the methods that need the server throw, with a {@link DetachedEntityError}).
   */
  protected constructor(
    data: unknown,
    what: string,
    required: readonly string[],
    kind: string,
    links: Links | undefined,
  ) {
    super(data, what, required);
    this.#kind = kind;
    this.#links = links;
  }

  /** The entity's id. */
  abstract get id(): string;

  /** What the group reads this entity again by (the id, unless a subclass says otherwise). */
  protected get refetchKey(): string {
    return this.id;
  }

  /** The group this entity came from; a {@link DetachedEntityError} naming `method` when there is none. */
  protected links(method: string): Links {
    if (!this.#links) throw new DetachedEntityError(`${this.#kind}.${method}`);
    return this.#links;
  }

  /** Re-reads every field from the server; returns this object, updated (fields the answer lacks are kept). */
  async refresh(options?: CallOptions): Promise<this> {
    this.merge(await this.links('refresh').refetch(this.refetchKey, options));
    return this;
  }

  /** A field, fetched from the server (one request) when this object does not have it. */
  async fetchField(key: string, options?: CallOptions): Promise<unknown> {
    if (!this.has(key)) await this.refresh(options);
    return this.get(key);
  }
}
