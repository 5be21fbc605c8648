import { afterEach, describe, expect, it } from 'vitest';
import { failureReason } from '../src/error-code';
import { APIConnectionError, HttpClient, InternalServerError, type RequestLogEvent } from '../src/index';
import { type Loopback, loopback, sendJson } from './loopback';

const fast = { baseDelayMs: 5, maxDelayMs: 20 };
let server: Loopback | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('retries', () => {
  it('503, 503, 200 succeeds on the third attempt', async () => {
    server = await loopback((_req, res, n) => {
      if (n < 2) sendJson(res, 503, { message: 'busy' });
      else sendJson(res, 200, { ok: true });
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(client.request({ method: 'GET', path: 'projects' })).resolves.toEqual({ ok: true });
    expect(server.requests).toHaveLength(3);
  });

  it('gives up after maxRetries and raises the last status', async () => {
    server = await loopback((_req, res) => sendJson(res, 502, { message: 'bad gateway' }));
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast, maxRetries: 1 });
    await expect(client.request({ method: 'GET', path: 'x' })).rejects.toMatchObject({
      name: 'InternalServerError',
      status: 502,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('per-call maxRetries overrides the client', async () => {
    server = await loopback((_req, res) => sendJson(res, 503, { message: 'busy' }));
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast, maxRetries: 5 });
    await expect(client.request({ method: 'GET', path: 'x', maxRetries: 0 })).rejects.toBeInstanceOf(
      InternalServerError,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('429 with Retry-After: 1 waits about a second before retrying', async () => {
    const seen: number[] = [];
    server = await loopback((_req, res, n) => {
      seen.push(Date.now());
      if (n === 0) sendJson(res, 429, { message: 'slow down' }, { 'retry-after': '1' });
      else sendJson(res, 200, [1, 2]);
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(client.request({ method: 'GET', path: 'x' })).resolves.toEqual([1, 2]);
    expect(seen).toHaveLength(2);
    // The backoff alone would be <= 20 ms: a gap near a second can only come from Retry-After.
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(900);
  });

  it('a body factory is called again for each attempt, so a stream is re-sent whole', async () => {
    server = await loopback((_req, res, n) => {
      if (n === 0) sendJson(res, 503, { message: 'busy' });
      else sendJson(res, 201, { id: 'r1' });
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    let calls = 0;
    async function* chunks() {
      calls++;
      yield new TextEncoder().encode('hello ');
      yield new TextEncoder().encode('world');
    }
    await expect(
      client.request({
        method: 'POST',
        path: 'resources',
        body: chunks,
        headers: { 'content-type': 'text/plain', 'content-length': '11' },
        retrySafe: true,
      }),
    ).resolves.toEqual({ id: 'r1' });
    expect(calls).toBe(2);
    expect(server.requests.map((r) => r.body.toString())).toEqual(['hello world', 'hello world']);
  });

  it('a POST answered 500 is not retried', async () => {
    server = await loopback((_req, res) => sendJson(res, 500, { message: 'boom' }));
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(
      client.request({ method: 'POST', path: 'resources', json: { a: 1 } }),
    ).rejects.toBeInstanceOf(InternalServerError);
    expect(server.requests).toHaveLength(1);
  });

  it('a POST marked retrySafe is retried on 500', async () => {
    server = await loopback((_req, res, n) =>
      n === 0 ? sendJson(res, 500, { message: 'boom' }) : sendJson(res, 201, { id: 'a' }),
    );
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(client.request({ method: 'POST', path: 'r', json: {}, retrySafe: true })).resolves.toEqual({
      id: 'a',
    });
    expect(server.requests).toHaveLength(2);
  });

  it('a POST answered 503 (refused before any effect) is retried', async () => {
    server = await loopback((_req, res, n) =>
      n === 0 ? sendJson(res, 503, { message: 'busy' }) : sendJson(res, 201, { id: 'b' }),
    );
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(client.request({ method: 'POST', path: 'r', json: {} })).resolves.toEqual({ id: 'b' });
  });

  it('a reset connection on GET is retried', async () => {
    server = await loopback((req, res, n) => {
      if (n === 0) req.socket.destroy();
      else sendJson(res, 200, { fine: true });
    });
    const events: RequestLogEvent[] = [];
    client = new HttpClient({
      rootUrl: server.url,
      apiKey: 'k-123456',
      backoff: fast,
      log: (e) => events.push(e),
    });
    await expect(client.request({ method: 'GET', path: 'x' })).resolves.toEqual({ fine: true });
    expect(server.requests).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['request', 'retry', 'request', 'response']);
  });

  it('a reset connection on a POST is not retried (it may have taken effect)', async () => {
    server = await loopback((req) => {
      req.socket.destroy();
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(client.request({ method: 'POST', path: 'x', json: {} })).rejects.toMatchObject({
      name: 'APIConnectionError',
    });
    expect(server.requests).toHaveLength(1);
  });

  it('connection refused is retried even for POST, then reported as APIConnectionError', async () => {
    const probe = await loopback(() => undefined);
    const url = probe.url;
    await probe.close();
    client = new HttpClient({ rootUrl: url, apiKey: 'k-123456', backoff: fast, maxRetries: 2 });
    const events: RequestLogEvent[] = [];
    const logged = new HttpClient({
      rootUrl: url,
      apiKey: 'k-123456',
      backoff: fast,
      log: (e) => events.push(e),
    });
    await expect(logged.request({ method: 'POST', path: 'x', json: {} })).rejects.toMatchObject({
      name: 'APIConnectionError',
      code: 'ECONNREFUSED',
    });
    expect(events.filter((e) => e.type === 'request')).toHaveLength(3);
    await logged.close();
  });
});

describe('transport failures are one line', () => {
  it('https:// against a plain-HTTP server says the server speaks plain HTTP, without OpenSSL internals', async () => {
    server = await loopback((_req, res) => sendJson(res, 200, {}));
    const url = server.url.replace('http://', 'https://');
    client = new HttpClient({ rootUrl: url, apiKey: 'k-123456', backoff: fast, maxRetries: 1 });
    const error = await client.request({ method: 'GET', path: 'projects' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).message).toBe(
      `GET ${url}/projects failed: TLS handshake failed: wrong version number: the server answered in plain HTTP; is the URL http:// rather than https://? (ERR_SSL_WRONG_VERSION_NUMBER)`,
    );
    // Nothing was answered over HTTP: the handshake failed before any request.
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [new Error('connect ECONNREFUSED 127.0.0.1:1'), 'ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'],
    [new Error('first line\nsecond line'), undefined, 'first line'],
    [
      new Error(
        '8036:error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:ssl.c:2091:\n',
      ),
      'ERR_SSL_CERTIFICATE_VERIFY_FAILED',
      'TLS handshake failed: certificate verify failed',
    ],
    ['plain string', undefined, 'plain string'],
  ])('failureReason(%j, %j) is %j', (error, code, reason) => {
    expect(failureReason(error, code)).toBe(reason);
  });
});

describe('idempotency keys', () => {
  it('a creating POST whose connection is reset is not repeated when the server does not say it honours keys', async () => {
    server = await loopback((req, res) => {
      // The capability probe (GET /) is answered without the header; the create is reset.
      if (req.method === 'GET') sendJson(res, 404, { message: 'Cannot GET /' });
      else req.socket.destroy();
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await expect(
      client.request({ method: 'POST', path: 'resources', json: {}, idempotencyKey: 'key-a' }),
    ).rejects.toMatchObject({ name: 'APIConnectionError' });
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    expect(server.requests[1]!.headers['idempotency-key']).toBe('key-a');
    expect(client.honoursIdempotencyKeys).toBe(false);
  });

  it('a creating POST that reached the server and got no answer says its outcome is unknown, with the key', async () => {
    server = await loopback((req, res) => {
      if (req.method === 'GET') sendJson(res, 404, { message: 'Cannot GET /' });
      else req.socket.destroy();
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    const error = await client
      .request({ method: 'POST', path: 'resources', json: {}, idempotencyKey: 'key-u' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).toMatchObject({ outcomeUnknown: true, idempotencyKey: 'key-u' });
    expect((error as Error).message).toContain("retry with the same Idempotency-Key 'key-u'");
    // A PUT may simply be repeated: its failure is not an unknown outcome.
    const put = await client.request({ method: 'PUT', path: 'x', json: {} }).catch((e: unknown) => e);
    expect(put).toBeInstanceOf(APIConnectionError);
    expect(put).toMatchObject({ outcomeUnknown: false });
  });

  it('once the server says it honours keys, a reset creating POST is repeated with the same key', async () => {
    server = await loopback((req, res, n) => {
      if (n === 0) sendJson(res, 200, [], { 'x-datamint-idempotency': 'honoured' });
      else if (n === 1) req.socket.destroy();
      else sendJson(res, 201, { id: 'once' }, { 'x-datamint-idempotency': 'honoured' });
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    await client.request({ method: 'GET', path: 'projects' });
    expect(client.honoursIdempotencyKeys).toBe(true);
    await expect(
      client.request({ method: 'POST', path: 'resources', json: {}, idempotencyKey: 'key-b' }),
    ).resolves.toEqual({ id: 'once' });
    expect(server.requests.slice(1).map((r) => r.headers['idempotency-key'])).toEqual(['key-b', 'key-b']);
  });

  it('before the very first keyed create, one probe learns the capability so even that create can be repeated', async () => {
    server = await loopback((req, res, n) => {
      if (req.method === 'GET')
        sendJson(res, 401, { message: 'Unauthorized' }, { 'x-datamint-idempotency': 'honoured' });
      else if (n === 1) req.socket.destroy();
      else sendJson(res, 201, { id: 'first' });
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: 'k-123456', backoff: fast });
    const creates = [1, 2, 3].map((i) =>
      client!.request({ method: 'POST', path: 'resources', json: { i }, idempotencyKey: `k${i}` }),
    );
    await expect(Promise.all(creates)).resolves.toHaveLength(3);
    // One shared probe, then three creates of which one was reset and repeated.
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(4);
  });
});
