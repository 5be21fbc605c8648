import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AuthenticationError } from '@datamint/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BrowserAPIHandler,
  BrowserUnsupportedError,
  ConnectionCheckError,
  planUpload,
  ValidationError,
} from '../src';
import { unsupported } from '../src/browser/unsupported';
import { collectBrowserInputs } from '../src/upload/browser-inputs';
import { grayPng, maskPng } from './helpers/images';
import { rejection } from './helpers/rejection';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

// The browser client's logic, run in Node with the same fetch transport a page uses (the page
// itself is tested in Chromium by browser-upload.test.ts).

/** A dropped file as the File and Directory Entries API gives it (what `webkitGetAsEntry` returns). */
function droppedFile(fullPath: string, bytes: Uint8Array<ArrayBuffer>): FileSystemEntry {
  const name = fullPath.split('/').pop()!;
  const entry = {
    name,
    fullPath,
    isFile: true,
    isDirectory: false,
    file: (resolve: (file: File) => void) => resolve(new File([bytes], name)),
  };
  return entry as unknown as FileSystemEntry;
}

type Tree = { [name: string]: Uint8Array<ArrayBuffer> | Tree };

/** A dropped folder: its reader answers in one batch, then an empty one (as browsers end a listing). */
function droppedFolder(name: string, tree: Tree, parent = ''): FileSystemEntry {
  const fullPath = `${parent}/${name}`;
  const children = Object.entries(tree).map(([child, value]) =>
    value instanceof Uint8Array
      ? droppedFile(`${fullPath}/${child}`, value)
      : droppedFolder(child, value, fullPath),
  );
  const entry = {
    name,
    fullPath,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      let done = false;
      return {
        readEntries: (resolve: (batch: FileSystemEntry[]) => void) => {
          resolve(done ? [] : children);
          done = true;
        },
      };
    },
  };
  return entry as unknown as FileSystemEntry;
}

/** The same tree written to disk, for Node's walker. */
async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [name, value] of Object.entries(tree)) {
    if (value instanceof Uint8Array) await writeFile(path.join(dir, name), value);
    else {
      await mkdir(path.join(dir, name));
      await writeTree(path.join(dir, name), value);
    }
  }
}

describe('page inputs', () => {
  it('Files and { name, data } become named uploads, in order', async () => {
    const file = new File([grayPng(2, 2) as Uint8Array<ArrayBuffer>], 'a.png');
    const collected = await collectBrowserInputs([file, { name: 'dir/b.png', data: grayPng(2, 2, 9) }]);
    expect(collected.uploads.map((u) => u.name)).toEqual(['a.png', 'dir/b.png']);
    expect(collected.inputIndexOf).toEqual([0, 1]);
    expect(collected.problems).toEqual([]);
  });

  it("a dropped folder's system files and folders are listed as skipped, by Node's walker's rule", async () => {
    const png = grayPng(2, 2) as Uint8Array<ArrayBuffer>;
    const files: Tree = {
      'a.png': png,
      '.DS_Store': png,
      'Thumbs.db': png,
      __MACOSX: { '._a.png': png },
      '.git': { HEAD: png },
      sub: { 'b.png': png, '~lock.png': png },
    };
    const tree = droppedFolder('study', files);
    const collected = await collectBrowserInputs([tree, droppedFile('/.hidden.png', png)]);
    expect(collected.uploads.map((u) => u.name)).toEqual(['study/a.png', 'study/sub/b.png', '.hidden.png']);
    expect(collected.skipped).toEqual(
      ['study/.DS_Store', 'study/.git', 'study/Thumbs.db', 'study/__MACOSX', 'study/sub/~lock.png'].map(
        (source) => ({ source, reason: 'system file' }),
      ),
    );
    // Node's walker, given the same folder on disk, leaves out the same entries for the same reason.
    const disk = await mkdtemp(path.join(tmpdir(), 'dm-browser-skipped-'));
    await writeTree(disk, { study: files });
    const onDisk = await planUpload([path.join(disk, 'study')], { recursive: true });
    expect(
      onDisk.skipped.map((s) => ({ ...s, source: path.relative(disk, s.source).split(path.sep).join('/') })),
    ).toEqual(collected.skipped);

    // The plan lists them as its skipped files.
    const client = new BrowserAPIHandler({ rootUrl: 'http://127.0.0.1:1', apiKey: 'k' });
    const { plan } = await client.planUpload([tree]);
    expect(plan.units.map((u) => u.sourceFilepath)).toEqual(['study/a.png', 'study/sub/b.png']);
    expect(plan.skipped).toEqual(collected.skipped);
  });

  it.each([
    ['excludeExtensions', { excludeExtensions: ['txt', 'gz'] }],
    ['includeExtensions', { includeExtensions: ['png'] }],
    ['excludeDirs and minSize', { excludeDirs: ['cache*'], minSize: 4 }],
    ['a depth of 1', { recursive: 1 }],
  ])(
    "a dropped folder is filtered as Node's walker filters the same folder on disk: %s",
    async (_, filters) => {
      const png = grayPng(2, 2) as Uint8Array<ArrayBuffer>;
      const text = new TextEncoder().encode('notes') as Uint8Array<ArrayBuffer>;
      const files: Tree = {
        'a.png': png,
        'notes.txt': text,
        'tiny.png': new Uint8Array([1, 2]) as Uint8Array<ArrayBuffer>,
        'vol.nii.gz': png,
        cache1: { 'c.png': png },
        sub: { 'b.png': png, 'more.txt': text, deeper: { 'd.png': png } },
      };
      const tree = droppedFolder('study', files);
      const note = droppedFile('/readme.txt', text);
      const collected = await collectBrowserInputs([tree, note], undefined, filters);
      const disk = await mkdtemp(path.join(tmpdir(), 'dm-browser-filters-'));
      await writeTree(disk, { study: files });
      const onDisk = await planUpload([path.join(disk, 'study')], { recursive: true, ...filters });
      const relative = (source: string) => path.relative(disk, source).split(path.sep).join('/');
      expect(collected.skipped).toEqual(onDisk.skipped.map((s) => ({ ...s, source: relative(s.source) })));
      // Every file the walk kept is planned (a unit, or a problem: tiny.png is no PNG).
      const planned = [
        ...onDisk.units.flatMap((u) => u.files.map((f) => f.source)),
        ...onDisk.problems.map((p) => p.source),
      ];
      // A dropped file is always taken, as a path named in Node is.
      expect(collected.uploads.map((u) => u.name)).toEqual([...planned.map(relative).sort(), 'readme.txt']);
      // The handler walks with the upload's options, and planning keeps what the walk kept.
      const client = new BrowserAPIHandler({ rootUrl: 'http://127.0.0.1:1', apiKey: 'k' });
      const { plan } = await client.planUpload([tree, note], filters);
      expect(plan.skipped).toEqual(collected.skipped);
      expect(
        [
          ...plan.units.flatMap((u) => u.files.map((f) => f.source)),
          ...plan.problems.map((p) => p.source),
        ].sort(),
      ).toEqual(collected.uploads.map((u) => u.name).sort());
    },
  );

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
