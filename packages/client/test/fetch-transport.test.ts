import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  FetchTransport,
  HttpClient,
  HttpCore,
  RateLimitError,
  type RequestLogEvent,
  ResourceNotFoundError,
} from '@datamint/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './helpers/rejection';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

// The fetch transport (what browsers use) runs here in Node against the real server, next to the
// undici transport: the same calls must give the same typed errors, retries and idempotency.

const transports = ['undici', 'fetch'] as const;
type Kind = (typeof transports)[number];

function client(
  kind: Kind,
  rootUrl: string,
  extra: { apiKey?: string; timeout?: number; maxRetries?: number; log?: (e: RequestLogEvent) => void } = {},
) {
  const settings = {
    rootUrl,
    apiKey: extra.apiKey ?? API_KEY,
    backoff: { baseDelayMs: 10, maxDelayMs: 50 },
    ...(extra.timeout !== undefined ? { timeout: extra.timeout } : {}),
    ...(extra.maxRetries !== undefined ? { maxRetries: extra.maxRetries } : {}),
    ...(extra.log ? { log: extra.log } : {}),
  };
  return kind === 'undici' ? new HttpClient(settings) : new HttpCore(settings, new FetchTransport());
}

describe('fetch transport against the real server, compared with undici', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(transports)('%s: JSON, bytes, query strings and keyed creates', async (kind) => {
    const http = client(kind, server.url);
    const created = await http.request<{ id: string }>({
      method: 'POST',
      path: 'projects',
      json: { name: `p-${kind}`, description: 'd', is_active_learning: false, resource_ids: [] },
      idempotencyKey: `key-${kind}`,
    });
    expect(typeof created.id).toBe('string');
    // The capability header reached the client (exposed to pages by CORS, read here the same way).
    expect(http.honoursIdempotencyKeys).toBe(true);
    const again = await http.request<{ id: string }>({
      method: 'POST',
      path: 'projects',
      json: { name: `p-${kind}`, description: 'd', is_active_learning: false, resource_ids: [] },
      idempotencyKey: `key-${kind}`,
    });
    expect(again.id).toBe(created.id);
    const bytes = await http.requestBytes({ method: 'GET', path: 'projects', query: { name: `p-${kind}` } });
    expect(bytes.status).toBe(200);
    expect(bytes.contentType).toMatch(/application\/json/);
    expect(new TextDecoder().decode(bytes.bytes)).toContain(created.id);
    await http.close();
  });

  it.each(transports)(
    '%s: a streamed multipart body (a factory per attempt) is uploaded whole',
    async (kind) => {
      const http = client(kind, server.url);
      const boundary = 'b0undary';
      const png = Uint8Array.from(
        atob(
          'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADklEQVR4nGNgYGBgYGAAAAAFAAFE2Yt1AAAAAElFTkSuQmCC',
        ),
        (c) => c.charCodeAt(0),
      );
      const enc = new TextEncoder();
      const head = enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\napi\r\n--${boundary}\r\nContent-Type: image/png\r\nContent-Disposition: form-data; name="resource"; filename="tiny-${kind}.png"\r\n\r\n`,
      );
      const tail = enc.encode(`\r\n--${boundary}--\r\n`);
      let attempts = 0;
      const answer = await http.request<{ id: string }>({
        method: 'POST',
        path: 'resources',
        body: async function* () {
          attempts++;
          yield head;
          yield png;
          yield tail;
        },
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + png.length + tail.length),
        },
        idempotencyKey: `upload-${kind}`,
      });
      expect(attempts).toBe(1);
      const stored = await http.requestBytes({ method: 'GET', path: `resources/${answer.id}/file` });
      expect([...stored.bytes]).toEqual([...png]);
      await http.close();
    },
  );

  it.each(transports)('%s: a wrong key is an AuthenticationError, never showing the key', async (kind) => {
    const http = client(kind, server.url, { apiKey: 'wrong-key-0123456789' });
    const error = await rejection(http.request({ method: 'GET', path: 'projects' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect(String((error as Error).message)).not.toContain('wrong-key-0123456789');
  });

  it.each(transports)('%s: a missing resource is a ResourceNotFoundError (404)', async (kind) => {
    const http = client(kind, server.url);
    const error = await rejection(http.request({ method: 'GET', path: 'resources/does-not-exist' }));
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as ResourceNotFoundError).response?.status).toBe(404);
  });

  it.each(transports)('%s: the caller aborting is an APIUserAbortError', async (kind) => {
    const http = client(kind, server.url);
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    const error = await rejection(
      http.request({ method: 'GET', path: 'projects', signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
  });
});

describe('failures map to the same typed errors with both transports', () => {
  it('a stopped server: APIConnectionError ECONNREFUSED, retried (never sent), outcome known', async () => {
    const stopped = await startTestServer();
    await stopped.close();
    for (const kind of transports) {
      const events: RequestLogEvent[] = [];
      const http = client(kind, stopped.url, { maxRetries: 1, log: (e) => events.push(e) });
      const error = await rejection(
        http.request({ method: 'POST', path: 'projects', json: { name: 'x' }, idempotencyKey: 'k' }),
      );
      expect(error, kind).toBeInstanceOf(APIConnectionError);
      expect((error as APIConnectionError).code, kind).toBe('ECONNREFUSED');
      expect((error as APIConnectionError).outcomeUnknown, kind).toBe(false);
      expect(
        events.filter((e) => e.type === 'retry'),
        kind,
      ).toHaveLength(1);
    }
  });

  it('a reset: a create without a server-honoured key has an unknown outcome, a GET is retried', async () => {
    const resetting = await startTestServer({ faults: { rate: 1, kinds: ['reset'] } });
    try {
      for (const kind of transports) {
        const events: RequestLogEvent[] = [];
        const http = client(kind, resetting.url, { maxRetries: 2, log: (e) => events.push(e) });
        const get = await rejection(http.request({ method: 'GET', path: 'projects' }));
        expect(get, kind).toBeInstanceOf(APIConnectionError);
        expect(
          events.filter((e) => e.type === 'retry'),
          kind,
        ).toHaveLength(2);
        const post = await rejection(http.request({ method: 'POST', path: 'projects', json: { name: 'x' } }));
        expect(post, kind).toBeInstanceOf(APIConnectionError);
        expect((post as APIConnectionError).outcomeUnknown, kind).toBe(true);
        await http.close();
      }
    } finally {
      await resetting.close();
    }
  });

  it('429 with Retry-After: retried even for a POST, then a RateLimitError', async () => {
    const limited = await startTestServer({ faults: { rate: 1, kinds: ['429'], retryAfterSeconds: 0 } });
    try {
      for (const kind of transports) {
        const events: RequestLogEvent[] = [];
        const http = client(kind, limited.url, { maxRetries: 1, log: (e) => events.push(e) });
        const error = await rejection(
          http.request({ method: 'POST', path: 'projects', json: { name: 'x' } }),
        );
        expect(error, kind).toBeInstanceOf(RateLimitError);
        const retries = events.filter((e) => e.type === 'retry');
        expect(retries, kind).toHaveLength(1);
        // Retry-After: 0 is the server's wish: no backoff of our own.
        expect(retries[0]!.delayMs, kind).toBe(0);
        await http.close();
      }
    } finally {
      await limited.close();
    }
  });

  it('a stalled answer: APITimeoutError with the time-out, a create marked unknown', async () => {
    const slow = await startTestServer({ faults: { rate: 1, kinds: ['slow'], slowMs: 2000 } });
    try {
      for (const kind of transports) {
        const http = client(kind, slow.url, { timeout: 200, maxRetries: 0 });
        const error = await rejection(
          http.request({ method: 'POST', path: 'projects', json: { name: 'x' } }),
        );
        expect(error, kind).toBeInstanceOf(APITimeoutError);
        expect((error as APITimeoutError).timeoutMs, kind).toBe(200);
        expect((error as APITimeoutError).outcomeUnknown, kind).toBe(true);
        await http.close();
      }
    } finally {
      await slow.close();
    }
  });
});
