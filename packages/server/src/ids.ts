import { NotFoundError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Validates an id taken from the path. Every id this server hands out is a UUID, so anything else
 * cannot name an existing entity: it is reported as not found (with the reason), which is what the
 * Python SDK expects for unknown ids.
 */
export function requireId(entity: string, value: string): string {
  if (!isUuid(value)) {
    throw new NotFoundError(entity, `'${value.slice(0, 100)}' is not a valid id`);
  }
  return value.toLowerCase();
}
