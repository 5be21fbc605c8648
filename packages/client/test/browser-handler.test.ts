import { AuthenticationError } from '@datamint/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserAPIHandler, BrowserUnsupportedError, ConnectionCheckError, ValidationError } from '../src';
import { unsupported } from '../src/browser/unsupported';
import { collectBrowserInputs } from '../src/upload/browser-inputs';
import { grayPng, maskPng } from './helpers/images';
import { rejection } from './helpers/rejection';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

// The browser client's logic, run in Node with the same fetch transport a page uses (the page
// itself is tested in Chromium by browser-upload.test.ts).

describe('page inputs', () => {
  it('Files and { name, data } become named uploads, in order', async () => {
    const file = new File([grayPng(2, 2) as Uint8Array<ArrayBuffer>], 'a.png');
    const collected = await collectBrowserInputs([file, { name: 'dir/b.png', data: grayPng(2, 2, 9) }]);
    expect(collected.uploads.map((u) => u.name)).toEqual(['a.png', 'dir/b.png']);
    expect(collected.inputIndexOf).toEqual([0, 1]);
    expect(collected.problems).toEqual([]);
  });

  it('a path, a nameless Blob or bad data is a ValidationError naming the input', async () => {
    const path = (await rejection(collectBrowserInputs(['/etc/passwd' as never]))) as ValidationError;
    expect(path).toBeInstanceOf(ValidationError);
    expect(path.field).toBe('files[0]');
    const blob = (await rejection(
      collectBrowserInputs([new File([], 'ok.png'), new Blob([new Uint8Array(3)]) as never]),
    )) as ValidationError;
    expect(blob.field).toBe('files[1]');
    expect(blob.message).toContain('{ name, data }');
    const data = (await rejection(
      collectBrowserInputs([{ name: 'x.png', data: 'text' as never }]),
    )) as ValidationError;
    expect(data.field).toBe('files[0].data');
    const name = (await rejection(
      collectBrowserInputs([{ name: '', data: new Uint8Array(1) }]),
    )) as ValidationError;
    expect(name.field).toBe('files[0].name');
  });

  it("Node-only operations refuse with BrowserUnsupportedError naming the operation (the browser build's fs)", () => {
    const readFile = unsupported('fs.readFile');
    expect(() => readFile('/data/scan.dcm')).toThrow(BrowserUnsupportedError);
    expect(() => readFile('/data/scan.dcm')).toThrow(
      /fs\.readFile\("\/data\/scan\.dcm"\) is not available in the browser/,
    );
  });
});

describe('BrowserAPIHandler settings', () => {
  it('needs an explicit URL and key (no environment, no config file), never showing the key', () => {
    expect(() => new BrowserAPIHandler({ rootUrl: '', apiKey: 'k' })).toThrow(ValidationError);
    const noKey = (() => {
      try {
        new BrowserAPIHandler({ rootUrl: 'http://127.0.0.1:1', apiKey: '' });
      } catch (error) {
        return error as ValidationError;
      }
    })();
    expect(noKey?.field).toBe('apiKey');
    expect(() => new BrowserAPIHandler({ rootUrl: 'ftp://x', apiKey: 'k' })).toThrow(/only http and https/);
    expect(() => new BrowserAPIHandler({ rootUrl: 'http://x', apiKey: 'k', concurrency: 0 })).toThrow(
      ValidationError,
    );
  });
});

describe('BrowserAPIHandler against the real server (fetch transport)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('uploads named bytes with a mask, reporting progress', async () => {
    const client = new BrowserAPIHandler({ rootUrl: server.url, apiKey: API_KEY });
    await client.checkConnection();
    const progress: number[] = [];
    const results = await client.uploadResources(
      [
        { name: 'scans/one.png', data: grayPng(4, 4, 3) },
        { name: 'scans/two.png', data: new Blob([grayPng(4, 4, 4) as Uint8Array<ArrayBuffer>]) },
      ],
      {
        segmentations: new Map([['scans/one.png', maskPng(4, 4, (x) => (x < 2 ? 1 : 0))]]),
        onProgress: (p) => progress.push(p.filesDone),
      },
    );
    expect(results.map((r) => r.ok && r.source)).toEqual(['scans/one.png', 'scans/two.png']);
    expect(results.map((r) => (r.ok ? r.segmentationIds.length : -1))).toEqual([1, 0]);
    expect(progress.sort()).toEqual([1, 2]);
  });

  it('a mask for a file that is not among the inputs is a ValidationError before anything is sent', async () => {
    const client = new BrowserAPIHandler({ rootUrl: server.url, apiKey: API_KEY });
    const error = (await rejection(
      client.uploadResources([{ name: 'a.png', data: grayPng(2, 2) }], {
        segmentations: new Map([['b.png', maskPng(2, 2, () => 1)]]),
      }),
    )) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe('segmentations');
    expect(error.message).toContain('b.png');
  });

  it('a wrong key: ConnectionCheckError whose cause is the AuthenticationError', async () => {
    const client = new BrowserAPIHandler({ rootUrl: server.url, apiKey: 'not-the-key-3f9a' });
    const error = (await rejection(client.checkConnection())) as ConnectionCheckError;
    expect(error).toBeInstanceOf(ConnectionCheckError);
    expect(error.cause).toBeInstanceOf(AuthenticationError);
    expect(error.message).not.toContain('not-the-key-3f9a');
  });
});
