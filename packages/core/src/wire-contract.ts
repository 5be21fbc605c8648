/**
 * Values of the Datamint wire contract that both the client (to validate before sending, to read
 * answers) and the local server (to validate what it accepts, to answer) need, kept in one place
 * so they cannot drift.
 */

/** `annotation_type` / `type` values of annotations. */
export const ANNOTATION_TYPES = [
  'segmentation',
  'area',
  'distance',
  'angle',
  'point',
  'line',
  'region',
  'square',
  'circle',
  'category',
  'label',
  // Numeric annotations of the current platform (a JSON number in `value`).
  'integer',
  'float',
] as const;

/** An annotation's `type` on the wire: `segmentation`, `line`, `square`, `category`, `label`, ... (see `ANNOTATION_TYPES` in `@datamint/core`). */
export type AnnotationType = (typeof ANNOTATION_TYPES)[number];

/** The `status` of a resource, in the order of its life. */
export const RESOURCE_STATUSES = ['new', 'inbox', 'published', 'archived'] as const;

/** A resource's state: `new`, `inbox` (uploaded, not yet published), `published` or `archived`. */
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** Fields a resource listing may be ordered by (`order_field`). */
export const RESOURCE_ORDER_FIELDS = [
  'modality',
  'created_by',
  'published_by',
  'published_on',
  'filename',
  'created_at',
] as const;

/** One of {@link RESOURCE_ORDER_FIELDS}. */
export type ResourceOrderField = (typeof RESOURCE_ORDER_FIELDS)[number];

/**
 * The 400 message of publishing a resource that is no longer in the inbox. The platform sends
 * exactly this text; clients treat it as "already published".
 */
export const NOT_IN_INBOX_MESSAGE = 'Resource must be in inbox status to be approved';

/** Request header carrying a creating request's idempotency key (lower case, as HTTP/2 sends it). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** A server that creates once per {@link IDEMPOTENCY_KEY_HEADER} says so on its responses with this header. */
export const IDEMPOTENCY_CAPABILITY_HEADER = 'x-datamint-idempotency';

/** The value of {@link IDEMPOTENCY_CAPABILITY_HEADER} that promises one creation per key. */
export const IDEMPOTENCY_HONOURED = 'honoured';

/**
 * Response headers a browser page must be allowed to read (CORS `access-control-expose-headers`)
 * for the client to behave as it does in Node: back-off hints, the idempotency capability, request ids.
 */
export const CLIENT_READ_HEADERS = [
  'retry-after',
  'retry-after-ms',
  IDEMPOTENCY_CAPABILITY_HEADER,
  'idempotent-replayed',
  'x-request-id',
  'request-id',
  'content-disposition',
] as const;
