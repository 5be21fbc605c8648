// The page of the browser upload tests, bundled by esbuild the way an application would bundle it:
// `@datamint/client` resolves through its `browser` export condition. Dropped entries are kept for
// the test to pass to the client.
import * as datamint from '@datamint/client';
// Type-checked in Node (where the package's types are its Node entry's): the page sees the browser entry.
import type * as BrowserEntry from '../../src/browser';

declare global {
  interface Window {
    datamint: typeof BrowserEntry;
    dropped: Promise<FileSystemEntry[]>;
  }
}

window.datamint = datamint as unknown as typeof BrowserEntry;
const zone = document.getElementById('drop')!;
window.dropped = new Promise((resolve) => {
  zone.addEventListener('dragover', (event) => event.preventDefault());
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    const items = Array.from(event.dataTransfer?.items ?? []);
    resolve(items.map((item) => item.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null));
  });
});
