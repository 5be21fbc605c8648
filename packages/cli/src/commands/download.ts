import { existsSync } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { type APIHandler, downloadFileName, type Resource } from '@datamint/client';
import { sameFileBytes } from '@datamint/core/internal/node';
import type { Command } from 'commander';
import { openClient } from '../connect';
import { type CommandContext, contextFor } from '../context';
import { CliError, UsageError } from '../errors';
import type { CliStreams } from '../io';
import { makeOutputFolder } from '../output-folder';
import { lookUpResources } from '../resource-lookup';
import { ProgressBars } from '../ui/progress';
import { compactSize } from '../ui/size-column';
import { renderStatusTable, type StatusRow } from '../ui/status-table';

interface DownloadOptions {
  project?: string;
  out: string;
  overwrite?: boolean;
}

/** A file name that is safe to create in the output folder, whatever the server sent. */
export function safeFileName(name: string | undefined | null, fallback: string): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
  const cleaned = base.replace(/[\u0000-\u001f<>:"|?*]/g, '_').replace(/^\.+/, '');
  return cleaned || fallback;
}

interface Outcome {
  id: string;
  path?: string;
  bytes?: number;
  /** The file was already in the folder with these bytes (an earlier download): left as it was. */
  unchanged?: true;
  error?: string;
}

/**
 * Errors that mean a candidate cannot be this download: gone, a folder, or not ours to read. The
 * download is then kept under the other name rather than failing for a file it does not replace.
 */
const NOT_THE_SAME = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM']);

const differs = (error: NodeJS.ErrnoException): false => {
  if (error.code && NOT_THE_SAME.has(error.code)) return false;
  throw error;
};

/**
 * The first of `candidates` holding the same bytes as `file` (of `size` bytes), if any. Each is
 * stat'ed first, so a folder or a file of another size is passed over without being opened.
 */
async function firstSame(
  file: string,
  size: number,
  candidates: readonly string[],
): Promise<string | undefined> {
  for (const candidate of candidates) {
    const info = await stat(candidate).catch(differs);
    if (info === false || !info.isFile() || info.size !== size) continue;
    if (await sameFileBytes(file, candidate).catch(differs)) return candidate;
  }
  return undefined;
}

async function downloadAll(
  ctx: CommandContext,
  api: APIHandler,
  resources: Resource[],
  options: DownloadOptions,
) {
  const outDir = await makeOutputFolder(options.out, ctx.streams.cwd);
  const used = new Set<string>();
  const total = resources.reduce((sum, r) => sum + (typeof r.size === 'number' ? r.size : 0), 0);
  const bars = new ProgressBars(ctx.term, { inputs: resources.length, bytes: total });
  const outcomes: Outcome[] = [];
  let bytesBefore = 0;
  for (const [i, resource] of resources.entries()) {
    // The listing already holds the mimetype: naming here saves the client a lookup per file, and
    // lets the clash check below see the name the file will really have.
    const plain = downloadFileName(safeFileName(resource.filename, resource.id), resource.mimetype);
    const prefixed = `${resource.id}-${plain}`;
    // A file already in the folder under either name may be this resource from an earlier run:
    // the new copy is compared with it, and kept only when it differs.
    const earlier = options.overwrite
      ? []
      : [...(used.has(plain) ? [] : [plain]), prefixed].filter((n) => existsSync(join(outDir, n)));
    const name =
      used.has(plain) || (!options.overwrite && existsSync(join(outDir, plain))) ? prefixed : plain;
    used.add(name);
    const path = join(outDir, name);
    const partial = earlier.length ? join(outDir, `.${resource.id}.download`) : path;
    try {
      await api.downloadResourceFile(resource.id, {
        savePath: partial,
        autoConvert: false,
        addExtension: false,
        onProgress: (p) => bars.update({ bytesDone: bytesBefore + p.bytes }),
      });
      const bytes = (await stat(partial)).size;
      bytesBefore += bytes;
      const same = await firstSame(
        partial,
        bytes,
        earlier.map((n) => join(outDir, n)),
      );
      if (same) {
        await rm(partial, { force: true });
        outcomes.push({ id: resource.id, path: same, bytes, unchanged: true });
      } else {
        if (partial !== path) await rename(partial, path);
        outcomes.push({ id: resource.id, path, bytes });
      }
    } catch (error) {
      if (partial !== path) await rm(partial, { force: true });
      outcomes.push({ id: resource.id, error: (error as Error).message });
    }
    bars.update({ done: i + 1, bytesDone: bytesBefore, failed: outcomes.filter((o) => o.error).length });
  }
  bars.finish();
  return outcomes;
}

/**
 * One row per id, fitted to the terminal as `upload`'s result is; paths are shown as the user gave
 * `--out` (relative stays relative), while `--json` has them absolute.
 */
function resultTable(ctx: CommandContext, outcomes: readonly Outcome[], out: string): string[] {
  const cwd = ctx.streams.cwd;
  const shown = (path: string): string => (isAbsolute(out) ? path : relative(cwd, path));
  const rows = outcomes.map(
    (o): StatusRow => [
      o.error ? 'failed' : 'ok',
      o.id,
      o.path ? shown(o.path) : '',
      o.error ?? `${compactSize(o.bytes ?? 0)}${o.unchanged ? ', already there' : ''}`,
    ],
  );
  return renderStatusTable(['STATUS', 'RESOURCE', 'FILE', 'SIZE / REASON'], rows, ctx.term.tableWidth);
}

export function registerDownload(program: Command, streams: CliStreams): void {
  program
    .command('download')
    .description('download resource files by id, or every resource of a project')
    .argument('[ids...]', 'resource ids')
    .option('--project <name>', 'download every resource of this project (name or id)')
    .option('-o, --out <dir>', 'output folder', '.')
    .option(
      '--overwrite',
      'replace files of the same name (without it, a different file of that name keeps it and the new one gets the id as prefix)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ datamint download 3f2a9c1e-... --out ./downloads
  $ datamint download --project "Knee MRI" --out ./knee
  $ datamint resources list --tag ct --ids-only | xargs datamint download --out ./ct`,
    )
    .action(async (ids: string[], options: DownloadOptions, command: Command) => {
      const ctx = contextFor(command, streams);
      if (ids.length === 0 && !options.project) {
        throw new UsageError('give resource ids or --project NAME');
      }
      if (ids.length > 0 && options.project) throw new UsageError('give resource ids or --project, not both');
      // The same id twice is one file: a second copy would only be renamed.
      const unique = [...new Set(ids)];
      const api = await openClient(ctx);
      try {
        let resources: Resource[];
        let missing: Outcome[] = [];
        if (options.project) {
          const project = await api.getProjectByName(options.project);
          resources = await api.getResources({ projectId: project.id }).toArray();
          if (resources.length === 0) throw new CliError(`project "${project.name}" has no resources`);
        } else {
          const looked = await lookUpResources(api, unique);
          resources = looked.found;
          missing = looked.missing.map((id) => ({ id, error: 'not found: no resource has this id' }));
        }
        const downloads = resources.length ? await downloadAll(ctx, api, resources, options) : [];
        const order = new Map(unique.map((id, i) => [id, i]));
        const outcomes = [...downloads, ...missing].sort(
          (a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0),
        );
        const failed = outcomes.filter((o) => o.error);
        if (ctx.term.json) ctx.term.emitJson({ downloaded: outcomes.filter((o) => !o.error), failed });
        else for (const line of resultTable(ctx, outcomes, options.out)) ctx.term.out(line);
        if (failed.length) throw new CliError(`${failed.length} of ${outcomes.length} download(s) failed`);
      } finally {
        await api.close();
      }
    });
}
