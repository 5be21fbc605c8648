import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Agent, FormData, request } from 'undici';
import { type RunningServer, type ServerOptions, startServer } from '../../src/index';

export const KEY_A = 'test-key-alpha-0001';
export const KEY_B = 'test-key-bravo-0002';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Closes the server and deletes its data directory. */
  dispose(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'datamint-server-test-'));
}

export async function startTestServer(options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const server = await startServer({
    apiKeys: [
      { key: KEY_A, email: 'alice@a.test', customerId: 'customer-a' },
      { key: KEY_B, email: 'bob@b.test', customerId: 'customer-b' },
    ],
    ...options,
    dataDir,
  }).catch(async (err: unknown) => {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    ...server,
    dataDir,
    dispose: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test replies are inspected field by field
  json: any;
}

export async function send(
  url: string,
  options: {
    method?: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
    key?: string | null;
    json?: unknown;
    body?: FormData | Buffer | string;
    headers?: Record<string, string>;
    dispatcher?: Agent;
  } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.key !== null) headers.apikey = options.key ?? KEY_A;
  let body: FormData | Buffer | string | undefined = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await request(url, {
    method: options.method ?? 'GET',
    headers,
    body,
    dispatcher: options.dispatcher,
  });
  const bytes = Buffer.from(await res.body.arrayBuffer());
  const text = bytes.toString('utf8');
  let json: unknown;
  if (text !== '' && String(res.headers['content-type'] ?? '').includes('json')) json = JSON.parse(text);
  return { status: res.statusCode, headers: res.headers, bytes, text, json };
}

export interface UploadInput {
  bytes: Uint8Array;
  filename: string;
  mimetype?: string;
  fields?: Record<string, string>;
  key?: string;
}

/** Uploads like the client would: undici FormData with a `resource` file part. */
export async function upload(baseUrl: string, input: UploadInput): Promise<Reply> {
  const form = new FormData();
  form.append('source', 'api');
  form.append(
    'resource',
    new Blob([new Uint8Array(input.bytes)], { type: input.mimetype ?? 'application/octet-stream' }),
    input.filename,
  );
  for (const [k, v] of Object.entries(input.fields ?? {})) form.append(k, v);
  if (input.mimetype && !input.fields?.mimetype) form.append('mimetype', input.mimetype);
  return send(`${baseUrl}/resources`, { method: 'POST', body: form, key: input.key });
}

export async function uploadOk(baseUrl: string, input: UploadInput): Promise<string> {
  const reply = await upload(baseUrl, input);
  if (reply.status !== 201) throw new Error(`upload failed: ${reply.status} ${reply.text}`);
  return reply.json.id as string;
}

/** A log destination for `startServer({ logger: { stream } })` that keeps every line for assertions. */
export function captureLog(): { stream: Writable; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}
