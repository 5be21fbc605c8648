import { describe, expect, it } from 'vitest';
import { type AttemptFacts, type AttemptOutcome, decideRetry, needsCapabilityProbe } from '../src/internal';

const backoff = { baseDelayMs: 100, maxDelayMs: 1000 };
// random() = 0 gives the undiminished exponential delay: 100 ms for the first retry.
const noJitter = () => 0;

interface Row {
  method: string;
  /** r = retrySafe, k = Idempotency-Key, h = server honours keys */
  flags: string;
  outcome: AttemptOutcome;
  expected: 'retry' | 'final' | 'unknown';
}

const status = (s: number): AttemptOutcome => ({ kind: 'status', status: s });
const conn = (code?: string): AttemptOutcome => ({ kind: 'connection', code });
const timeout: AttemptOutcome = { kind: 'timeout' };

// status × method × key × server capability × error code → what the client does.
const table: Row[] = [
  // Statuses: idempotent methods repeat 408/429/5xx, never 4xx.
  { method: 'GET', flags: '', outcome: status(500), expected: 'retry' },
  { method: 'GET', flags: '', outcome: status(502), expected: 'retry' },
  { method: 'GET', flags: '', outcome: status(408), expected: 'retry' },
  { method: 'GET', flags: '', outcome: status(429), expected: 'retry' },
  { method: 'PUT', flags: '', outcome: status(503), expected: 'retry' },
  { method: 'DELETE', flags: '', outcome: status(504), expected: 'retry' },
  { method: 'GET', flags: '', outcome: status(400), expected: 'final' },
  { method: 'GET', flags: '', outcome: status(401), expected: 'final' },
  { method: 'GET', flags: '', outcome: status(404), expected: 'final' },
  { method: 'GET', flags: '', outcome: status(409), expected: 'final' },
  // A create answered 500 may have stored something: never repeated without a safe way.
  { method: 'POST', flags: '', outcome: status(500), expected: 'final' },
  { method: 'POST', flags: '', outcome: status(408), expected: 'final' },
  { method: 'PATCH', flags: '', outcome: status(502), expected: 'final' },
  // ...but 429/503 are refusals before any work: repeated for every method.
  { method: 'POST', flags: '', outcome: status(429), expected: 'retry' },
  { method: 'POST', flags: '', outcome: status(503), expected: 'retry' },
  { method: 'PATCH', flags: '', outcome: status(503), expected: 'retry' },
  // retrySafe, or a key the server honours, make a create repeatable.
  { method: 'POST', flags: 'r', outcome: status(500), expected: 'retry' },
  { method: 'POST', flags: 'kh', outcome: status(500), expected: 'retry' },
  { method: 'POST', flags: 'k', outcome: status(500), expected: 'final' },
  { method: 'POST', flags: 'h', outcome: status(500), expected: 'final' },
  { method: 'POST', flags: 'kh', outcome: status(422), expected: 'final' },
  // Connection failures before sending: always repeated.
  { method: 'GET', flags: '', outcome: conn('ECONNREFUSED'), expected: 'retry' },
  { method: 'POST', flags: '', outcome: conn('ECONNREFUSED'), expected: 'retry' },
  { method: 'POST', flags: '', outcome: conn('ENOTFOUND'), expected: 'retry' },
  { method: 'PATCH', flags: '', outcome: conn('EAI_AGAIN'), expected: 'retry' },
  { method: 'POST', flags: '', outcome: conn('UND_ERR_CONNECT_TIMEOUT'), expected: 'retry' },
  // After sending: repeated only when repeating cannot duplicate; otherwise the outcome is unknown.
  { method: 'GET', flags: '', outcome: conn('ECONNRESET'), expected: 'retry' },
  { method: 'DELETE', flags: '', outcome: conn('EPIPE'), expected: 'retry' },
  { method: 'POST', flags: '', outcome: conn('ECONNRESET'), expected: 'unknown' },
  { method: 'POST', flags: 'k', outcome: conn('ECONNRESET'), expected: 'unknown' },
  { method: 'POST', flags: 'kh', outcome: conn('ECONNRESET'), expected: 'retry' },
  { method: 'POST', flags: 'r', outcome: conn('UND_ERR_SOCKET'), expected: 'retry' },
  { method: 'PATCH', flags: '', outcome: conn('UND_ERR_SOCKET'), expected: 'unknown' },
  // Time-outs are transient with or without a code.
  { method: 'GET', flags: '', outcome: timeout, expected: 'retry' },
  { method: 'POST', flags: '', outcome: timeout, expected: 'unknown' },
  { method: 'POST', flags: 'kh', outcome: timeout, expected: 'retry' },
  // Unknown codes (a TLS failure, a browser's opaque "Failed to fetch") are final.
  { method: 'GET', flags: '', outcome: conn('CERT_HAS_EXPIRED'), expected: 'final' },
  { method: 'GET', flags: '', outcome: conn(undefined), expected: 'final' },
  { method: 'POST', flags: '', outcome: conn(undefined), expected: 'unknown' },
  // The caller's abort and other failures are never repeated, never "unknown".
  { method: 'GET', flags: '', outcome: { kind: 'abort' }, expected: 'final' },
  { method: 'POST', flags: '', outcome: { kind: 'abort' }, expected: 'final' },
  { method: 'GET', flags: '', outcome: { kind: 'other' }, expected: 'final' },
];

function facts(row: Row, attemptIndex = 0, maxRetries = 2): AttemptFacts {
  return {
    method: row.method,
    attemptIndex,
    maxRetries,
    retrySafe: row.flags.includes('r'),
    hasIdempotencyKey: row.flags.includes('k'),
    serverHonoursKeys: row.flags.includes('h'),
    outcome: row.outcome,
  };
}

function label(outcome: AttemptOutcome): string {
  if (outcome.kind === 'status') return String(outcome.status);
  if (outcome.kind === 'connection') return outcome.code ?? 'connection (no code)';
  return outcome.kind;
}

describe('decideRetry: the retry and idempotency table', () => {
  it.each(table.map((row) => [row.method, row.flags || '-', label(row.outcome), row.expected, row] as const))(
    '%s [%s] %s → %s',
    (_m, _f, _o, expected, row) => {
      const decision = decideRetry(facts(row), backoff, noJitter);
      const got = decision.retry ? 'retry' : decision.outcomeUnknown ? 'unknown' : 'final';
      expect(got).toBe(expected);
    },
  );

  it('never repeats once the retries are spent, whatever the row says', () => {
    for (const row of table) {
      const decision = decideRetry(facts(row, 2, 2), backoff, noJitter);
      expect(decision.retry).toBe(false);
      // A spent create whose answer was lost is unknown, key or not: the last attempt may have landed.
      const lost =
        (row.outcome.kind === 'connection' || row.outcome.kind === 'timeout') &&
        !['GET', 'PUT', 'DELETE'].includes(row.method) &&
        !['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'].includes(
          row.outcome.code ?? '',
        );
      if (!decision.retry) expect(decision.outcomeUnknown).toBe(lost);
    }
  });

  it("waits the server's Retry-After when it gave one, else exponential backoff with jitter", () => {
    const row = table[0]!;
    const asked = decideRetry(
      { ...facts(row), outcome: { kind: 'status', status: 503, retryAfterMs: 1234 } },
      backoff,
      noJitter,
    );
    expect(asked).toEqual({ retry: true, delayMs: 1234 });
    expect(decideRetry(facts(row, 0), backoff, noJitter)).toEqual({ retry: true, delayMs: 100 });
    expect(decideRetry(facts(row, 1, 5), backoff, noJitter)).toEqual({ retry: true, delayMs: 200 });
    // Capped by maxDelayMs, and jitter only ever shortens (by up to 25 %).
    expect(decideRetry(facts(row, 4, 5), backoff, noJitter)).toEqual({ retry: true, delayMs: 1000 });
    expect(decideRetry(facts(row, 4, 5), backoff, () => 1)).toEqual({ retry: true, delayMs: 750 });
  });

  it('method names are compared case-insensitively', () => {
    const decision = decideRetry(facts({ ...table[0]!, method: 'get' }), backoff, noJitter);
    expect(decision.retry).toBe(true);
  });

  it('probes the key capability only for a keyed request before any response', () => {
    expect(needsCapabilityProbe(true, false)).toBe(true);
    expect(needsCapabilityProbe(true, true)).toBe(false);
    expect(needsCapabilityProbe(false, false)).toBe(false);
  });
});
