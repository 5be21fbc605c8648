import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FaultOptions, startServer } from '@datamint/server';
import { APIHandler, type APIHandlerOptions } from '../../src';

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
