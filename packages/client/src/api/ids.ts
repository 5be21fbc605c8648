import { ValidationError } from '../errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Entity ids of the current platform are UUIDs; checking before the request turns a typo (or a
 * name passed where an id belongs) into a clear error instead of a 404 from an unrelated route.
 */
export function entityId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID.test(value)) throw new ValidationError(field, value, 'a UUID');
  return value;
}

/**
 * An entity given either by its id or as any object carrying that id (an entity from a listing,
 * a plain `{ id }`), so results of one call can be passed straight into the next.
 */
export type EntityIdRef =
  | string
  | {
      /** The entity's id (a UUID). */
      readonly id: string;
    };

/** An id, or the id of an entity object. */
export function idOf(value: EntityIdRef, field: string): string {
  return entityId(typeof value === 'string' ? value : value?.id, field);
}

/** True for a UUID string (an id rather than a name). */
export function isEntityId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
