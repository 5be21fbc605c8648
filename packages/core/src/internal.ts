/**
 * `@datamint/core/internal`: plumbing the sibling Datamint packages share (the wire contract with the
 * server, Python-compatible encodings, retry policy, redaction). Not part of the public API: it may
 * change in any release.
 *
 * @packageDocumentation
 */
export { backoffDelay, retryAfterMs, sleep } from './backoff';
export { errorForResponse, serverMessageOf } from './errors';
export { DEFAULT_PAGE_SIZE } from './paginate';
export { encodeQuery, pythonIsoFormat, pythonJsonDumps, quoteAll, quotePlus } from './query';
export { maskKey, redactSecrets, redactUrl } from './redact';
export {
  type AttemptFacts,
  type AttemptOutcome,
  CONNECTION_CODES,
  decideRetry,
  isIdempotentMethod,
  isRepeatable,
  NOT_SENT_CODES,
  needsCapabilityProbe,
  type RetryDecision,
} from './retry-decision';
export {
  ANNOTATION_TYPES,
  type AnnotationType,
  CLIENT_READ_HEADERS,
  IDEMPOTENCY_CAPABILITY_HEADER,
  IDEMPOTENCY_HONOURED,
  IDEMPOTENCY_KEY_HEADER,
  NOT_IN_INBOX_MESSAGE,
  RESOURCE_ORDER_FIELDS,
  RESOURCE_STATUSES,
  type ResourceOrderField,
  type ResourceStatus,
} from './wire-contract';
