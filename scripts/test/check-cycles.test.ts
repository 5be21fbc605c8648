import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/check-cycles.mjs run as CI would, so that `pnpm test` fails on a new import cycle.

const script = fileURLToPath(new URL('../check-cycles.mjs', import.meta.url));

interface Cycle {
  files: string[];
  cycle: string[];
  known: boolean;
}

function run(...args: string[]): { code: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout };
}

describe('import cycles', () => {
  it('the packages have none beyond the known ones of the entity API (KNOWN_CYCLES in the script)', () => {
    const { code, stdout } = run('--json');
    const cycles = JSON.parse(stdout) as Cycle[];
    const fresh = cycles.filter((c) => !c.known);
    // On failure: move the shared types into a module that imports none of the cycle's files.
    expect(fresh.map((c) => c.cycle.join(' -> '))).toEqual([]);
    expect(code).toBe(0);
  });

  describe('the check itself', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'dm-check-cycles-'));
    afterAll(() => rmSync(root, { recursive: true, force: true }));
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };

    it('finds a type-only cycle through a multi-line import and a re-export, and exits 1', () => {
      write('packages/a/src/index.ts', "export * from './x';\nexport { z } from './deep/z.js';\n");
      write('packages/a/src/x.ts', "import type {\n  Y,\n  YY,\n} from './y';\nexport type X = Y | YY;\n");
      write(
        'packages/a/src/y.ts',
        "// import { nothing } from './index';\n/**\n * import { X } from './x';\n */\nexport type { X as Y, X as YY } from './x';\n",
      );
      write('packages/a/src/deep/z.ts', "import '../index';\nexport const z = 1;\n");
      write('packages/b/src/solo.ts', "import { z } from '@datamint/a';\nexport const s = z;\n");
      const { code, stdout } = run('--root', root, '--json');
      expect(code).toBe(1);
      expect(JSON.parse(stdout)).toEqual([
        {
          files: ['packages/a/src/deep/z.ts', 'packages/a/src/index.ts'],
          cycle: ['packages/a/src/deep/z.ts', 'packages/a/src/index.ts', 'packages/a/src/deep/z.ts'],
          known: false,
        },
        {
          files: ['packages/a/src/x.ts', 'packages/a/src/y.ts'],
          cycle: ['packages/a/src/x.ts', 'packages/a/src/y.ts', 'packages/a/src/x.ts'],
          known: false,
        },
      ]);
      const text = run('--root', root);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('2 import cycles (files that import each other), 2 not known');
      expect(text.stdout).toContain(
        'packages/a/src/x.ts\n    -> packages/a/src/y.ts\n    -> packages/a/src/x.ts',
      );
    });

    it('passes a tree without cycles (comments naming imports are not imports)', () => {
      write(
        'packages/a/src/y.ts',
        "// import { X } from './x';\nexport type Y = string;\nexport type YY = number;\n",
      );
      write('packages/a/src/deep/z.ts', 'export const z = 1;\n');
      expect(run('--root', root)).toEqual({ code: 0, stdout: 'no import cycles\n' });
    });
  });
});
