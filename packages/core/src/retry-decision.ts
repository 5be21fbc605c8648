/**
 * When to repeat a request, and whether a failed create's outcome is unknown: the whole policy as
 * one pure function of what is known about an attempt, so every transport (undici in Node, fetch in
 * browsers) behaves the same and the rules can be read and tested as a table.
 */
import { type BackoffPolicy, backoffDelay } from './backoff';
import { NETWORK_ERROR_CODE } from './error-code';

/** HTTP methods whose repetition cannot change the result. */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Failures raised before the request left this machine: the server saw nothing, so always safe to repeat. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Failures of the connection (not of the caller, not of the server's answer): worth another attempt. */
export const CONNECTION_CODES: ReadonlySet<string> = new Set([
  ...NOT_SENT_CODES,
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // A browser's fetch failure: transient, but it may have been sent.
  NETWORK_ERROR_CODE,
]);

/** How an attempt ended. */
export type AttemptOutcome =
  /** The server answered with an error status. */
  | { kind: 'status'; status: number; retryAfterMs?: number | undefined }
  /** Our per-attempt time-out fired (or the transport's own). */
  | { kind: 'timeout'; code?: string | undefined }
  /** The connection failed; `code` is the system or transport code when there is one. */
  | { kind: 'connection'; code?: string | undefined }
  /** The caller's signal fired. */
  | { kind: 'abort' }
  /** Anything else (an unreadable answer, a body carrying `error`): never repeated. */
  | { kind: 'other' };

/** Everything the policy looks at. */
export interface AttemptFacts {
  method: string;
  /** 0 for the first attempt. */
  attemptIndex: number;
  /** Repeats allowed after the first attempt (0 when a streamed body was already handed over). */
  maxRetries: number;
  /** The caller marked the call safe to repeat. */
  retrySafe: boolean;
  /** The request carries an `Idempotency-Key`. */
  hasIdempotencyKey: boolean;
  /** The server has shown that it creates once per key. */
  serverHonoursKeys: boolean;
  outcome: AttemptOutcome;
}

/** Repeat after `delayMs`, or stop; `outcomeUnknown` when a create may have been stored without an answer. */
export type RetryDecision = { retry: true; delayMs: number } | { retry: false; outcomeUnknown: boolean };

/** Whether a method is idempotent by HTTP's definition. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** Repeating the request cannot create a duplicate. */
export function isRepeatable(
  facts: Pick<AttemptFacts, 'method' | 'retrySafe' | 'hasIdempotencyKey' | 'serverHonoursKeys'>,
): boolean {
  return (
    isIdempotentMethod(facts.method) ||
    facts.retrySafe ||
    (facts.hasIdempotencyKey && facts.serverHonoursKeys)
  );
}

function notSent(code: string | undefined): boolean {
  return code !== undefined && NOT_SENT_CODES.has(code);
}

/**
 * Decides one attempt's fate:
 * - 408 and 5xx are repeated when repeating cannot duplicate (idempotent method, `retrySafe`, or a
 *   key the server honours); 429 and 503 always (the server refused before doing anything), after
 *   the server's `Retry-After` when it gave one;
 * - a connection failure is repeated when the request never left (refused, DNS), or when repeating
 *   is safe; a time-out likewise;
 * - the caller's abort and anything else are final;
 * - a final connection failure or time-out of a non-idempotent request that did leave has an
 *   unknown outcome: the server may have stored it.
 * `random` feeds the backoff jitter (inject a constant to test).
 */
export function decideRetry(
  facts: AttemptFacts,
  backoff: BackoffPolicy,
  random: () => number = Math.random,
): RetryDecision {
  const { outcome } = facts;
  const attemptsLeft = facts.attemptIndex < facts.maxRetries;
  const delay = () => backoffDelay(facts.attemptIndex, backoff, random);
  switch (outcome.kind) {
    case 'status': {
      const refused = outcome.status === 429 || outcome.status === 503;
      const retryable = outcome.status === 408 || outcome.status === 429 || outcome.status >= 500;
      if (attemptsLeft && retryable && (refused || isRepeatable(facts))) {
        return { retry: true, delayMs: outcome.retryAfterMs ?? delay() };
      }
      return { retry: false, outcomeUnknown: false };
    }
    case 'timeout':
    case 'connection': {
      const transient =
        outcome.kind === 'timeout' || (outcome.code !== undefined && CONNECTION_CODES.has(outcome.code));
      if (attemptsLeft && transient && (notSent(outcome.code) || isRepeatable(facts))) {
        return { retry: true, delayMs: delay() };
      }
      return {
        retry: false,
        outcomeUnknown: !isIdempotentMethod(facts.method) && !notSent(outcome.code),
      };
    }
    default:
      return { retry: false, outcomeUnknown: false };
  }
}

/**
 * Before the first keyed create, ask the server once whether it honours keys, so a reset on that
 * very create can already be repeated safely.
 */
export function needsCapabilityProbe(hasIdempotencyKey: boolean, sawResponse: boolean): boolean {
  return hasIdempotencyKey && !sawResponse;
}
