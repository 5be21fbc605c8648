/**
 * JSON Schemas of the entity objects the server answers. They are the response schemas of the
 * routes (fastify serialises with them, and a reply missing a required key fails loudly instead of
 * reaching a client) and state what the current Python SDK's strict entity models require: a
 * missing key or a wrong type there aborts a whole listing on the client. Every object allows
 * additional keys, because both SDK generations read more than they require.
 */

/** A JSON Schema object as fastify accepts it. */
export type JsonSchema = { [key: string]: unknown };

const string = { type: 'string' } as const;
const nullableString = { type: ['string', 'null'] } as const;
const boolean = { type: 'boolean' } as const;
const integer = { type: 'integer' } as const;
const stringArray = { type: 'array', items: string } as const;

function entity(required: Record<string, JsonSchema>, optional: Record<string, JsonSchema> = {}): JsonSchema {
  return {
    type: 'object',
    required: Object.keys(required),
    properties: { ...required, ...optional },
    additionalProperties: true,
  };
}

/** A resource: `upload_channel` is a string (never null) and `metadata` an object. */
export const resourceSchema = entity(
  {
    id: string,
    resource_uri: string,
    storage: string,
    location: string,
    upload_channel: string,
    filename: string,
    mimetype: nullableString,
    size: integer,
    customer_id: string,
    status: string,
    created_at: string,
    created_by: string,
    published: boolean,
    deleted: boolean,
  },
  {
    metadata: { type: 'object', additionalProperties: true },
    tags: { type: ['array', 'null'], items: string },
    modality: nullableString,
  },
);

/** A project: `description` is present (may be null), `archived` a boolean. */
export const projectSchema = entity({
  id: string,
  name: string,
  created_at: string,
  created_by: string,
  dataset_id: string,
  worklist_id: string,
  archived: boolean,
  resource_count: { type: ['integer', 'string'] },
  description: nullableString,
  pinned_metrics: { type: 'array' },
});

/** A user: the e-mail is the id; first and last names are present (may be null). */
export const userSchema = entity({
  id: string,
  email: string,
  firstname: nullableString,
  lastname: nullableString,
  roles: stringArray,
  customer_id: string,
  created_at: string,
});

/** A dataset: `description` is a string (the SDK refuses null). */
export const datasetSchema = entity({
  id: string,
  name: string,
  created_at: string,
  created_by: string,
  description: string,
  customer_id: string,
  updated_at: nullableString,
  total_resource: integer,
  resource_ids: stringArray,
});

/** An upload channel and the resources sent through it. */
export const channelSchema = entity(
  {
    resource_data: {
      type: 'array',
      items: entity({
        created_by: string,
        customer_id: string,
        resource_id: string,
        resource_file_name: string,
        resource_mimetype: nullableString,
      }),
    },
  },
  { channel_name: nullableString },
);

/** An annotation in both spellings (`identifier`/`name`, `type`/`annotation_type`). */
export const annotationSchema = entity({
  id: string,
  identifier: string,
  name: string,
  type: string,
  scope: string,
  resource_id: string,
});

/** An annotation worklist (annotation set). */
export const worklistSchema = entity({
  id: string,
  name: string,
  annotators: { type: 'array' },
  status: string,
});

/** A resource's assignment to a named split of a project. */
export const splitSchema = entity({
  id: string,
  split_name: string,
  project_id: string,
  resource_id: string,
  created_at: string,
  created_by: string,
});

/** `{"data": [...], "totalCount": n}`, the listing envelope. */
export function listOf(item: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['data', 'totalCount'],
    properties: { data: { type: 'array', items: item }, totalCount: { type: ['integer', 'string'] } },
    additionalProperties: true,
  };
}

/** `GET /resources` nests its page so both SDK generations unwrap it. */
export const resourcePageSchema: JsonSchema = {
  type: 'object',
  required: ['data', 'totalCount'],
  properties: {
    data: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['resources', 'totalCount'],
        properties: { resources: { type: 'array', items: resourceSchema }, totalCount: integer },
      },
    },
    totalCount: integer,
  },
};

/** An array of ids, in request order. */
export const idListSchema: JsonSchema = { type: 'array', items: string };

/** Any JSON object (bodies the SDK parses but does not model). */
export const anyObjectSchema: JsonSchema = { type: 'object', additionalProperties: true };

/** The 2xx reply of a route. */
export function ok(schema: JsonSchema, status = 200): { [status: number]: JsonSchema } {
  return { [status]: schema };
}
