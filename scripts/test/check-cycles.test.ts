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
}

function run(...args: string[]): { code: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout };
}

/**
 * The cycle the client's entity API had when the check was added. Its value imports alone form no
 * cycle; it closes through type imports of classes (an entity names the API group or the entity it
 * links to: `ResourcesApi`, `ProjectsApi`, `AnnotationEntity`, `ResourceEntity`), which moving a
 * type to another module does not break. This list may only shrink: a cycle among fewer of these
 * files passes, one that reaches any other file fails.
 */
const KNOWN = [
  [
    'packages/client/src/api/annotation-images.ts',
    'packages/client/src/api/annotation-segmentations.ts',
    'packages/client/src/api/annotations.ts',
    'packages/client/src/api/entities/annotation.ts',
    'packages/client/src/api/entities/project.ts',
    'packages/client/src/api/entities/resource.ts',
    'packages/client/src/api/projects.ts',
    'packages/client/src/api/resource-upload.ts',
    'packages/client/src/api/resources.ts',
  ],
];

describe('import cycles', () => {
  it('the packages have none beyond the known ones of the entity API', () => {
    const { stdout } = run('--json');
    const cycles = JSON.parse(stdout) as Cycle[];
    const fresh = cycles.filter((c) => !KNOWN.some((known) => c.files.every((f) => known.includes(f))));
    // On failure: move the shared types into a module that imports none of the cycle's files.
    expect(fresh.map((c) => c.cycle.join(' -> '))).toEqual([]);
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
        },
        {
          files: ['packages/a/src/x.ts', 'packages/a/src/y.ts'],
          cycle: ['packages/a/src/x.ts', 'packages/a/src/y.ts', 'packages/a/src/x.ts'],
        },
      ]);
      const text = run('--root', root);
      expect(text.code).toBe(1);
      expect(text.stdout).toContain('2 import cycles');
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
