import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FaultOptions, startServer } from '@datamint/server';
import { APIHandler, type APIHandlerOptions, Api, type ApiOptions, type UploadSource } from '../../src';
import { type RecordingProxy, type RecordingProxyOptions, recordingProxy } from './recording-proxy';

export const API_KEY = 'test-key-5f1c9e0a7d2b4c68';

export interface TestServer {
  url: string;
  dataDir: string;
  api(options?: Partial<APIHandlerOptions>): APIHandler;
  close(): Promise<void>;
}

/** A real local Datamint server on a free loopback port with a fresh data directory. */
export async function startTestServer(options: { faults?: FaultOptions } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'datamint-client-test-'));
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    apiKeys: [{ key: API_KEY, email: 'tester@datamint.local', roles: ['admin'] }],
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const handlers: APIHandler[] = [];
  return {
    url: server.url,
    dataDir,
    api: (extra = {}) => {
      const api = new APIHandler({
        rootUrl: server.url,
        apiKey: API_KEY,
        configFile: null,
        env: {},
        backoff: { baseDelayMs: 20, maxDelayMs: 200 },
        ...extra,
      });
      handlers.push(api);
      return api;
    },
    close: async () => {
      await Promise.all(handlers.map((h) => h.close()));
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A real server, a recording proxy in front of it, and an `Api` talking through the proxy. */
export interface ApiHarness {
  server: TestServer;
  proxy: RecordingProxy;
  api: Api;
  /** Ids of the resources uploaded at start, in order. */
  ids: string[];
  /** A fresh scratch folder for the test's own files (removed on close). */
  tmp: string;
  /** Another `Api` on the same proxy (closed with the harness). */
  another(options?: ApiOptions): Api;
  close(): Promise<void>;
}

/** What a file needs beyond the plain harness; each field is optional. */
export interface ApiHarnessOptions {
  /** Sent at start through `APIHandler` (paths or `{ name, data }`), not recorded; see `ids`. */
  uploads?: readonly UploadSource[];
  /** For the proxy, e.g. `reshape` to play an older platform's answers. */
  proxy?: RecordingProxyOptions;
  /** Makes the server misbehave (seeded), for retry tests; the proxy passes the faults on unchanged. */
  faults?: FaultOptions;
}

/**
 * The set-up most `Api` group tests share: a fresh server, optionally holding `uploads` (sent
 * through `APIHandler`, not recorded), and an `Api` whose every request the proxy records.
 */
export async function startApiHarness(options: ApiHarnessOptions = {}): Promise<ApiHarness> {
  const server = await startTestServer(options.faults ? { faults: options.faults } : {});
  const proxy = await recordingProxy(server.url, options.proxy);
  const tmp = await mkdtemp(path.join(tmpdir(), 'datamint-api-test-'));
  const ids: string[] = [];
  try {
    if (options.uploads && options.uploads.length > 0) {
      for (const result of await server.api().uploadResources(options.uploads)) {
        if (!result.ok) throw result.error;
        ids.push(result.id);
      }
    }
  } catch (error) {
    // A failed setup upload must not leave the server, proxy and scratch folder behind.
    await proxy.close();
    await server.close();
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  const apis: Api[] = [];
  const another = (extra: ApiOptions = {}) => {
    const api = new Api({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, env: {}, ...extra });
    apis.push(api);
    return api;
  };
  return {
    server,
    proxy,
    api: another(),
    ids,
    tmp,
    another,
    close: async () => {
      await Promise.all(apis.map((a) => a.close()));
      await proxy.close();
      await server.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
