import { extname, isAbsolute, relative, resolve } from 'node:path';
import { type PlanUploadOptions, planUpload, ResourceNotFoundError, type UploadPlan } from '@datamint/client';
import { resolveConfig } from '@datamint/core';
import { type Command, Option } from 'commander';
import { ensureApiKey, openClient, resolveSettings } from '../connect';
import { type CommandContext, contextFor } from '../context';
import { CliError, UsageError } from '../errors';
import type { CliStreams } from '../io';
import { plural } from '../ui/format';
import { type MaskLocator, maskLocator } from '../upload/masks';
import { readSegmentationNames } from '../upload/segmentation-names';
import { journalExists, journalPath } from './upload-journal';
import { collect } from './upload-options';
import { type RawUploadOptions, type UploadRequest, validateUploadOptions } from './upload-request';
import { executeUpload } from './upload-run';
import { planJson, summaryLines } from './upload-summary';

/** The client's planning options for the request; masks come from the locator, when there is one. */
export function planOptions(request: UploadRequest, masks: MaskLocator | undefined): PlanUploadOptions {
  return {
    recursive: Number.isFinite(request.depth) ? request.depth : true,
    excludeDirs: request.excludeDirs,
    // The Python tool drops files under 4 bytes found in folders as empty; so do we.
    minSize: 4,
    ...(request.includeExtensions ? { includeExtensions: request.includeExtensions } : {}),
    ...(request.excludeExtensions ? { excludeExtensions: request.excludeExtensions } : {}),
    anonymize: request.anonymize,
    ...(request.mungFilename ? { mungFilename: request.mungFilename } : {}),
    jsonSidecars: request.autoDetectJson,
    assembleDicoms: request.assemble,
    discardDicomReports: request.discardDicomReports,
    transposeSegmentation: request.transposeSegmentation,
    concurrency: request.concurrency,
    ...(masks ? { segmentationsBySource: masks.find } : {}),
  };
}

/** Plans the upload once, with the client's planner: everything before the network. */
export async function buildUploadPlan(request: UploadRequest, ctx: CommandContext): Promise<UploadPlan> {
  let masks: MaskLocator | undefined;
  if (request.segmentationPath) {
    const names = request.segmentationNamesFile
      ? await readSegmentationNames(request.segmentationNamesFile)
      : null;
    masks = await maskLocator(request.segmentationPath, names, (m) => ctx.term.warn(m));
  }
  // Paths as the user typed them, so the table shows them that way; absolute when run in-process elsewhere.
  const cwd = ctx.streams.cwd;
  const paths = cwd === process.cwd() ? request.paths : request.paths.map((p) => resolve(cwd, p));
  const plan = await planUpload(paths, planOptions(request, masks));
  for (const s of plan.skipped) ctx.term.debug(`skipped (${s.reason}): ${s.source}`);
  const leftOut = request.defaultExclusions
    ? plan.skipped.filter((s) => s.reason === 'extension filter')
    : [];
  if (leftOut.length > 0) {
    const kinds = [...new Set(leftOut.map((s) => extname(s.source).toLowerCase()).filter(Boolean))].sort();
    ctx.term.note(
      `${plural(leftOut.length, 'file')} (${kinds.slice(0, 5).join(', ')}${kinds.length > 5 ? ', ...' : ''}) left out by the default excluded extensions; --all-extensions uploads ${leftOut.length === 1 ? 'it' : 'them'}`,
    );
  }
  if (masks && masks.matched() > 1 && /\.(nii|nii\.gz|png)$/i.test(request.segmentationPath ?? '')) {
    throw new UsageError(
      `--segmentation-path ${request.segmentationPath} is a single file, which only works with a single image (got ${masks.matched()})`,
      '--segmentation-path',
    );
  }
  if (plan.units.length === 0 && plan.problems.length === 0) {
    // Folders left unread for depth are the usual reason: say how to read them.
    const deeper = plan.skipped.some((s) => s.reason === 'too deep')
      ? '; sub-folders are read with -r (--recursive)'
      : '';
    throw new CliError(
      `no file to upload in ${request.paths.join(', ')}${plan.skipped.length ? ` (${plan.skipped.length} skipped; --verbose lists them)` : ''}${deeper}`,
    );
  }
  return plan;
}

/** One request before any file is read: a wrong key or a server that is down is one clear message. */
async function checkConnection(ctx: CommandContext): Promise<void> {
  // One retry: a server that is down should be reported in seconds, not after the upload's back-off.
  const api = await openClient(ctx, { maxRetries: 1 });
  try {
    await api.checkConnection();
  } catch (error) {
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new CliError(
      `cannot use the Datamint API at ${api.rootUrl ?? 'the configured URL'}: ${cause} (check the API key and URL with \`datamint config test\`; --no-check skips this check)`,
      { cause: error },
    );
  } finally {
    await api.close();
  }
}

/**
 * A dry run needs no key, but when one is configured the project `--publish-to` names is looked up,
 * so that a mistyped name fails here as it would in the upload. Without a key, or without an
 * answer, the dry run goes on and says the name was not checked.
 */
async function checkProjectForDryRun(ctx: CommandContext, project: string): Promise<void> {
  const config = await resolveConfig({
    env: ctx.streams.env,
    configFile: ctx.configFile,
    requireApiKey: false,
  });
  if (config.apiKey === undefined) {
    ctx.term.warn(`--publish-to "${project}" was not checked: no API key is configured`);
    return;
  }
  const api = await openClient(ctx, { maxRetries: 1 });
  try {
    await api.getProjectByName(project);
  } catch (error) {
    if (error instanceof ResourceNotFoundError) throw error;
    ctx.term.warn(
      `--publish-to "${project}" was not checked: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await api.close();
  }
}

async function uploadAction(paths: string[], raw: RawUploadOptions, command: Command, streams: CliStreams) {
  const ctx = contextFor(command, streams);
  const all = [...paths, ...(raw.path ?? [])];
  if (all.length === 0) throw new UsageError('nothing to upload: give one or more files or directories');
  const request = validateUploadOptions(all, raw);
  ctx.term.debug(`upload request: ${JSON.stringify({ ...request, depth: String(request.depth) })}`);
  // A missing key, a wrong one or a server that is down is reported before any file is read.
  if (!request.dryRun) {
    await ensureApiKey(ctx);
    await resolveSettings(ctx);
    if (request.check) await checkConnection(ctx);
  }
  const plan = await buildUploadPlan(request, ctx);
  const cwd = ctx.streams.cwd;
  const show = (source: string): string =>
    cwd === process.cwd() || !isAbsolute(source) ? source : relative(cwd, source) || source;
  const lines = summaryLines(plan, {
    show,
    segmentation: request.segmentationPath !== undefined,
    includeFilter: request.includeExtensions !== undefined,
    anonymize: request.anonymize,
    width: ctx.term.tableWidth,
    verbose: ctx.term.verbose,
  });
  if (request.dryRun) {
    if (ctx.term.json) ctx.term.emitJson({ dryRun: true, ...planJson(plan, show) });
    else {
      for (const line of lines) ctx.term.out(line);
      ctx.term.out('Dry run: nothing was uploaded.');
    }
    // After the plan, so that a mistyped project name does not hide it.
    if (request.publishTo !== undefined) await checkProjectForDryRun(ctx, request.publishTo);
    // As `rsync --dry-run` does: the exit code is the one the upload would end with.
    if (plan.problems.length) {
      throw new CliError(
        `${plural(plan.problems.length, 'input')} would fail to upload${ctx.term.json ? '' : ' (listed above)'}`,
      );
    }
    return;
  }
  const journal = journalPath(ctx.configFile, request, ctx.streams.cwd, (await resolveSettings(ctx)).rootUrl);
  const unfinished = await journalExists(journal);
  // Said before the question, so that the answer can take it into account.
  if (unfinished && !request.resume) {
    ctx.term.warn(
      'an earlier run of this command did not finish (interrupted, or some files failed): without --resume, what it uploaded is uploaded again; run the same command with --resume to send only the rest',
    );
  } else if (!unfinished && request.resume) {
    ctx.term.warn(
      '--resume: no unfinished run of this command was found (the paths, the options and the server must be the same), so everything is uploaded',
    );
  }
  if (!request.yes) {
    if (ctx.term.json || !ctx.term.stdinIsTTY) {
      throw new UsageError(
        'standard input is not a terminal, so there is nobody to confirm: pass --yes to upload (or --dry-run to see the plan)',
        '--yes',
      );
    }
    for (const line of lines) ctx.term.out(line);
    if (!(await ctx.prompt.confirm('Do you want to proceed with the upload?'))) {
      throw new CliError('upload cancelled: nothing was uploaded');
    }
  } else {
    for (const line of lines) ctx.term.note(line);
  }
  await executeUpload(ctx, request, plan, show, journal);
}

export function registerUpload(program: Command, streams: CliStreams): void {
  program
    .command('upload')
    .description('upload files and folders: DICOM series are assembled and anonymized, masks attached')
    .argument('[paths...]', 'files and directories to upload')
    .addOption(
      new Option('--path <path>', 'datamint-upload spelling of a path argument (repeatable)')
        .argParser(collect)
        .hideHelp(),
    )
    .option('-r, --recursive', 'enter sub-directories (any depth; -r N or --depth N to limit)')
    .option('--depth <n>', 'sub-directory levels to enter (0 = only the given folder)')
    .option(
      '--exclude <pattern>',
      'skip directories whose name matches this shell pattern (repeatable)',
      collect,
    )
    .option('--channel <name>', 'channel of every uploaded resource')
    .addOption(new Option('--name <name>', 'synonym of --channel (datamint-upload)').hideHelp())
    .option('--tag <tag>', 'tag every resource (repeatable, or comma-separated)', collect)
    .addOption(new Option('-l, --label <tag>', 'deprecated synonym of --tag').argParser(collect).hideHelp())
    .option('--publish', 'publish the resources after upload')
    .option('--publish-to <project>', 'publish and add the resources to this project (name or id)')
    .option('--project <project>', "synonym of --publish-to (the Python tool's spelling)")
    .option('--retain-pii', 'do not anonymize DICOM files')
    .option(
      '--retain-attribute <tag>',
      'keep this DICOM attribute when anonymizing, e.g. 0008,0050 (repeatable)',
      collect,
    )
    .option(
      '--anonymization-profile <name>',
      "basic (PS3.15 Basic Profile, default) or datamint-sdk (the Python SDK's tags and tokens)",
    )
    .option(
      '--mungfilename <value>',
      'rename files from their folders: "all", or folder positions from the root like 1,2',
    )
    .option(
      '--include-extensions <exts...>',
      'only these extensions, e.g. dcm nii.gz or dcm,nii.gz (repeatable)',
      (value: string, previous: string[] | undefined) => collect(value, previous),
    )
    .option(
      '--exclude-extensions <exts...>',
      'skip these extensions, e.g. txt csv or txt,csv (repeatable)',
      (value: string, previous: string[] | undefined) => collect(value, previous),
    )
    .option(
      '--all-extensions',
      'upload files of every extension: without it and without the two flags above, documents, scripts, logs and such (txt, json, csv, pdf, ...) are skipped, as by the Python tool',
    )
    .option('--segmentation-path <path>', 'mask file, or root folder of masks laid out like the images')
    .addOption(new Option('--segmentation_path <path>').hideHelp())
    .option(
      '--segmentation-names <file>',
      'YAML, or a CSV/TSV label table (ITK-SNAP label files too), naming the masks and labels',
    )
    .addOption(new Option('--segmentation_names <file>').hideHelp())
    .option('--transpose-segmentation', 'swap the first two axes of the masks')
    .option('--no-auto-detect-json', 'do not attach X.json as metadata of X.nii / X.nii.gz')
    .addOption(
      new Option(
        '--auto-detect-json',
        "attach X.json to X.nii (the default; the Python tool's flag)",
      ).hideHelp(),
    )
    .option('--modality <modality>', 'modality of every resource (default: from the file or JSON metadata)')
    .option(
      '--include-dicom-reports',
      'also upload DICOM reports, key objects and presentation states (Modality SR, DOC, KO, PR, ESR; skipped by default)',
    )
    .option('--no-assemble', 'upload DICOM slices as separate resources instead of one per series')
    .addOption(new Option('--no-assemble-dicoms', "synonym of --no-assemble (the Python tool's spelling)"))
    .option('--compress', 'send assembled DICOM series JPEG-LS lossless (about half the bytes)')
    .option('--no-compress', 'send assembled DICOM series uncompressed (the default)')
    .option('--concurrency <n>', 'uploads in flight (default 10)')
    .option('--no-check', 'do not check the connection and API key before reading the files')
    .option('--resume', 'continue an interrupted upload of the same files: only what did not land is sent')
    .option('--dry-run', 'show what would be uploaded, then stop')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  $ datamint upload ./dicoms -r --dry-run
  $ datamint upload ./dicoms -r --channel "CT scans" --tag tag1 --tag tag2 --yes
  $ datamint upload ./root --include-extensions dcm nii.gz --yes
  $ datamint upload ./root --exclude-extensions txt,csv --exclude ".cache*" --yes
  $ datamint upload data/dicoms -r --segmentation-path data/segmentations \\
      --segmentation-names names.yaml --publish --yes
  $ datamint upload ./nifti -r --no-auto-detect-json --json --yes | jq '.results[].id'
  $ datamint upload ./dicoms -r --yes --resume      # after Ctrl-C, a crash or a lost network

The exit code is 1 when any file failed; the final table lists every failed input with its reason.`,
    )
    .action(async (paths: string[], raw: RawUploadOptions, command: Command) =>
      uploadAction(paths, raw, command, streams),
    );
}
