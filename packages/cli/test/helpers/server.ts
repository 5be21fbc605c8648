import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIHandler } from '@datamint/client';
import { startServer } from '@datamint/server';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { makeHome } from './cli';

export const API_KEY = 'cli-test-key-5f1e2d3c4b5a';

export interface TestServer {
  url: string;
  dataDir: string;
  api: APIHandler;
  close(): Promise<void>;
}

/** The real local server on a free port with a fresh data directory, and a client to inspect it. */
export async function startTestServer(): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'datamint-cli-server-'));
  const server = await startServer({ host: '127.0.0.1', port: 0, dataDir, apiKeys: [API_KEY] });
  const api = new APIHandler({ rootUrl: server.url, apiKey: API_KEY, configFile: null, env: {} });
  return {
    url: server.url,
    dataDir,
    api,
    close: async () => {
      await api.close();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Registers the hooks most upload tests share: one server and one throw-away HOME for the file, an
 * empty server and a fresh working folder for each test. Read the values inside tests.
 */
export function uploadFixture(prefix: string): {
  server: () => TestServer;
  home: () => string;
  work: () => string;
} {
  let server: TestServer | undefined;
  let home: ReturnType<typeof makeHome> | undefined;
  let work = '';
  beforeAll(async () => {
    server = await startTestServer();
    home = makeHome();
  });
  afterAll(async () => {
    await server?.close();
    home?.cleanup();
  });
  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), prefix));
    const ids = await server!.api.getResources({ returnIdsOnly: true }).toArray();
    if (ids.length) await server!.api.deleteResources(ids);
    return () => {
      chmodSync(work, 0o700);
      rmSync(work, { recursive: true, force: true });
    };
  });
  return { server: () => server!, home: () => home!.home, work: () => work };
}
