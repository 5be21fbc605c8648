import { type APIHandler, type Resource, ResourceNotFoundError } from '@datamint/client';
import { mapSettled } from '@datamint/core';

/** How many ids are looked up at once: enough to hide the round trips, few enough to be polite. */
const LOOKUPS_IN_FLIGHT = 8;

/**
 * The resources of `ids`, each looked up on its own so that an id the server does not know is named
 * alone; any other failure (the key, the connection) is thrown.
 */
export async function lookUpResources(
  api: APIHandler,
  ids: readonly string[],
): Promise<{ found: Resource[]; missing: string[] }> {
  const settled = await mapSettled(ids, LOOKUPS_IN_FLIGHT, (id) => api.getResourcesByIds(id));
  const found: Resource[] = [];
  const missing: string[] = [];
  for (const [i, result] of settled.entries()) {
    if (result.ok) found.push(result.value);
    else if (result.error instanceof ResourceNotFoundError) missing.push(ids[i]!);
    else throw result.error;
  }
  return { found, missing };
}
