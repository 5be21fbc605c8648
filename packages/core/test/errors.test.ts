import { afterEach, describe, expect, it } from 'vitest';
import {
  APIBodyError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  DatamintException,
  HttpClient,
  InternalServerError,
  NotFoundError,
  PayloadTooLargeError,
  PermissionDeniedError,
  RateLimitError,
  type RequestLogEvent,
  ResourceNotFoundError,
  UnprocessableEntityError,
} from '../src/index';
import { type Loopback, loopback, sendJson } from './loopback';

const KEY = 'sk-secret-0123456789abcdef';
let server: Loopback | undefined;
let client: HttpClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function failWith(status: number, body: unknown, raw = false): Promise<unknown> {
  server = await loopback((_req, res) => {
    if (raw) {
      res.writeHead(status, { 'content-type': 'text/plain', 'x-request-id': 'req-42' });
      res.end(String(body));
    } else sendJson(res, status, body, { 'x-request-id': 'req-42' });
  });
  client = new HttpClient({ rootUrl: server.url, apiKey: KEY, maxRetries: 0 });
  return client.request({ method: 'GET', path: 'things/abc', query: { limit: 3 } }).catch((e: unknown) => e);
}

describe('error classes', () => {
  const cases: [number, typeof APIError][] = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [409, ConflictError],
    [413, PayloadTooLargeError],
    [422, UnprocessableEntityError],
    [429, RateLimitError],
    [500, InternalServerError],
    [503, InternalServerError],
    [418, APIError],
  ];
  for (const [status, Cls] of cases) {
    it(`${status} -> ${Cls.name} with status, body, request id, method and url`, async () => {
      const error = (await failWith(status, { statusCode: status, message: 'nope' })) as APIError;
      expect(error).toBeInstanceOf(Cls);
      expect(error).toBeInstanceOf(DatamintException);
      expect(error.status).toBe(status);
      expect(error.body).toEqual({ statusCode: status, message: 'nope' });
      expect(error.requestId).toBe('req-42');
      expect(error.method).toBe('GET');
      expect(error.url).toBe(`${server!.url}/things/abc?limit=3`);
      expect(error.message).toContain('nope');
      expect(error.message).toContain(String(status));
    });
  }

  it('404 -> ResourceNotFoundError wrapping a NotFoundError', async () => {
    const error = (await failWith(404, { statusCode: 404, message: 'Not Found' })) as ResourceNotFoundError;
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(error.resourceType).toBe('unknown');
    expect(error.params).toEqual({});
    expect(error.response).toBeInstanceOf(NotFoundError);
    expect(error.response?.status).toBe(404);
    const relabelled = error.relabel('resource', { resource_id: 'abc' });
    expect(relabelled.message).toBe(`Resource 'resource' not found for parameters: {"resource_id":"abc"}`);
    expect(relabelled.response).toBe(error.response);
  });

  it('a 400 whose message contains " not found" is a ResourceNotFoundError (Python rule)', async () => {
    const error = await failWith(400, { message: 'Project not found' });
    expect(error).toBeInstanceOf(ResourceNotFoundError);
  });

  it('a 400 saying just "Not Found" (no leading space) stays a BadRequestError', async () => {
    const error = await failWith(400, { message: 'Not Found' });
    expect(error).toBeInstanceOf(BadRequestError);
  });

  it('a list of validation messages is joined into the message', async () => {
    const error = (await failWith(400, { message: ['name must be a string', 'x is required'] })) as APIError;
    expect(error.message).toContain('name must be a string; x is required');
    expect(error.serverMessage).toBe('name must be a string; x is required');
  });

  it('a non-JSON error body is kept as text', async () => {
    const error = (await failWith(502, 'upstream exploded', true)) as APIError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.body).toBe('upstream exploded');
  });

  it('a 200 body carrying {error} raises APIBodyError', async () => {
    server = await loopback((_req, res) => sendJson(res, 200, { error: 'quota exceeded' }));
    client = new HttpClient({ rootUrl: server.url, apiKey: KEY });
    const error = await client.request({ method: 'GET', path: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIBodyError);
    expect((error as Error).message).toBe('quota exceeded');
    await expect(client.request({ method: 'GET', path: 'x', checkBodyError: false })).resolves.toEqual({
      error: 'quota exceeded',
    });
  });

  it('an array element carrying {error} raises too', async () => {
    server = await loopback((_req, res) => sendJson(res, 201, [{ id: 1 }, { error: 'bad frame' }]));
    client = new HttpClient({ rootUrl: server.url, apiKey: KEY });
    await expect(client.request({ method: 'POST', path: 'x', json: [] })).rejects.toThrow('bad frame');
  });

  it('invalid JSON with a JSON content type is a DatamintException, not a SyntaxError', async () => {
    server = await loopback((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"truncated": ');
    });
    client = new HttpClient({ rootUrl: server.url, apiKey: KEY });
    const error = await client.request({ method: 'GET', path: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatamintException);
    expect((error as Error).message).toContain('invalid JSON');
  });

  it('an invalid root URL is a DatamintException naming the value', () => {
    expect(() => new HttpClient({ rootUrl: 'wrong', apiKey: KEY })).toThrow(
      /invalid Datamint API URL "wrong"/,
    );
    expect(() => new HttpClient({ rootUrl: 'ftp://x', apiKey: KEY })).toThrow(DatamintException);
  });
});

describe('the API key never leaks', () => {
  it('is sent as the apikey header, and masked in errors, bodies, URLs and log lines', async () => {
    // A hostile server echoes the key back in the body and the client puts it in the query.
    server = await loopback((req, res) =>
      sendJson(res, 400, { message: `bad key ${req.headers.apikey}`, echo: req.headers.apikey }),
    );
    const lines: RequestLogEvent[] = [];
    client = new HttpClient({ rootUrl: server.url, apiKey: KEY, maxRetries: 0, log: (e) => lines.push(e) });
    const error = (await client
      .request({ method: 'POST', path: 'x', query: { api_key: KEY, q: 'a' }, json: { token: KEY } })
      .catch((e: unknown) => e)) as APIError;
    expect(server.requests[0]!.headers.apikey).toBe(KEY);
    expect(error).toBeInstanceOf(BadRequestError);
    const everything = [
      error.message,
      error.url,
      JSON.stringify(error.body),
      String(error.stack),
      JSON.stringify(lines),
      ...lines.map((l) => l.curl),
    ].join('\n');
    expect(everything).not.toContain(KEY);
    expect(lines[0]!.curl).toContain("-H 'apikey: ***'");
  });

  it('is masked in connection errors', async () => {
    const probe = await loopback(() => undefined);
    await probe.close();
    client = new HttpClient({ rootUrl: probe.url, apiKey: KEY, maxRetries: 0 });
    const error = (await client
      .request({ method: 'GET', path: 'x', query: { apikey: KEY } })
      .catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('APIConnectionError');
    expect(`${error.message}${error.stack}`).not.toContain(KEY);
  });
});
