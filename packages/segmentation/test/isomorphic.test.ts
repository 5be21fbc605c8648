import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Code without comments, so prose that mentions Node APIs does not count. */
function code(path: string): string {
  return readFileSync(path, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');
}

describe('the package source runs in browsers (no Node-only API)', () => {
  for (const path of sources(SRC)) {
    it(path.slice(SRC.length), () => {
      const text = code(path);
      expect(text).not.toMatch(/from ['"](node:|fs|path|zlib|crypto|buffer|stream|os|url|util)['"/]/);
      expect(text).not.toMatch(/\brequire\(|\bprocess\.|__dirname|\bsetImmediate\(/);
      // Buffer only through feature detection on globalThis (a faster path where it exists).
      expect(text.replace(/globalThis as \{ Buffer\?/g, '')).not.toMatch(/\bBuffer\./);
    });
  }
});
