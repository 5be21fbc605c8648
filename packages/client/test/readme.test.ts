import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(path.join(packageDir, 'README.md'), 'utf8');

/** The README's TypeScript examples, in order. */
function examples(): string[] {
  return [...readme.matchAll(/```ts(?: [^\n]*)?\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * One module: the examples' imports hoisted, each example in its own async function so names may
 * repeat across examples, and the values the prose assumes declared with their types.
 */
function exampleModule(blocks: string[]): string {
  const imports = new Set<string>([
    "import type { APIHandler as AssumedHandler, Project as AssumedProject } from '@datamint/client';",
  ]);
  const bodies = blocks.map((block, i) => {
    const lines = block.split('\n');
    const body = lines.filter((line) => {
      if (!line.startsWith('import ')) return true;
      imports.add(line);
      return false;
    });
    return `export async function example${i}() {\n${body.join('\n')}\n}`;
  });
  return [
    ...imports,
    'declare const api: AssumedHandler;',
    'declare const bytes: Uint8Array;',
    'declare const resourceId: string;',
    'declare const projectId: string;',
    'declare const project: AssumedProject;',
    'declare const h: number, w: number, f: number;',
    ...bodies,
  ].join('\n');
}

describe('README', () => {
  it('has an example per area, and every TypeScript example type-checks against the sources', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(expect.arrayContaining(['Upload', 'Query', 'Annotate', 'Segment', 'Download']));
    const blocks = examples();
    expect(blocks.length).toBeGreaterThanOrEqual(6);

    const file = path.join(packageDir, 'test', '__readme_examples__.ts');
    const source = exampleModule(blocks);
    const config = ts.getParsedCommandLineOfConfigFile(
      path.join(packageDir, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    );
    if (!config) throw new Error('cannot read tsconfig.json');
    const options: ts.CompilerOptions = {
      ...config.options,
      noEmit: true,
      // The examples import the package by name: check them against its sources.
      paths: { '@datamint/client': [path.join(packageDir, 'src', 'index.ts')] },
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (name) => (name === file ? source : readFile(name));
    host.fileExists = (name) => name === file || ts.sys.fileExists(name);
    host.getSourceFile = (name, language, onError, create) =>
      name === file
        ? ts.createSourceFile(name, source, language)
        : getSourceFile(name, language, onError, create);
    const program = ts.createProgram([file], options, host);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file?.fileName === file)
      .map((d) => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const text = source.split('\n')[line];
        return `${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n    at: ${text}`;
      });
    expect(diagnostics).toEqual([]);
  });
});
