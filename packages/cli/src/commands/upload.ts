import { type Command, Option } from 'commander';
import { ensureApiKey, resolveSettings } from '../connect';
import { type CommandContext, contextFor } from '../context';
import { parseExtensionList } from '../discovery/extensions';
import { readSegmentationNames, type SegmentationNames } from '../discovery/names';
import { planUpload, type UploadUnit } from '../discovery/plan';
import { type DiscoveredMask, findSegmentations } from '../discovery/segmentations';
import { pairJsonSidecars } from '../discovery/sidecars';
import { discoverFiles, type SkippedEntry } from '../discovery/walk';
import { CliError, UsageError } from '../errors';
import type { CliStreams } from '../io';
import {
  collect,
  parseDepth,
  parseMungFilename,
  parsePositiveInt,
  parseRetainAttribute,
} from './upload-options';
import { executeUpload } from './upload-run';
import { planJson, summaryLines } from './upload-summary';

interface RawUploadOptions {
  path?: string[];
  recursive?: boolean;
  depth?: string;
  exclude?: string[];
  channel?: string;
  name?: string;
  tag?: string[];
  label?: string[];
  publish?: boolean;
  publishTo?: string;
  retainPii?: boolean;
  retainAttribute?: string[];
  anonymizationProfile?: string;
  mungfilename?: string;
  includeExtensions?: string[];
  excludeExtensions?: string[];
  segmentationPath?: string;
  segmentation_path?: string;
  segmentationNames?: string;
  segmentation_names?: string;
  transposeSegmentation?: boolean;
  autoDetectJson?: boolean;
  modality?: string;
  assemble?: boolean;
  concurrency?: string;
  dryRun?: boolean;
  yes?: boolean;
}

/** Everything `datamint upload` was asked to do, validated. */
export interface UploadRequest {
  paths: string[];
  depth: number;
  excludeDirs: string[];
  channel: string | undefined;
  tags: string[];
  publish: boolean;
  publishTo: string | undefined;
  anonymize: boolean;
  retainAttributes: number[];
  anonymizationProfile: 'basic' | 'datamint-sdk';
  mungFilename: 'all' | number[] | undefined;
  includeExtensions: string[] | undefined;
  excludeExtensions: string[] | undefined;
  segmentationPath: string | undefined;
  segmentationNamesFile: string | undefined;
  transposeSegmentation: boolean;
  autoDetectJson: boolean;
  modality: string | undefined;
  assemble: boolean;
  concurrency: number;
  dryRun: boolean;
  yes: boolean;
}

export function validateUploadOptions(paths: string[], raw: RawUploadOptions): UploadRequest {
  if (raw.tag?.length && raw.label?.length) {
    throw new UsageError('use --tag (or its deprecated synonym --label), not both', '--label');
  }
  if (raw.retainPii && raw.retainAttribute?.length) {
    throw new UsageError(
      '--retain-attribute has no effect with --retain-pii: use one of them',
      '--retain-attribute',
    );
  }
  if (raw.includeExtensions?.length && raw.excludeExtensions?.length) {
    throw new UsageError('--include-extensions and --exclude-extensions cannot be used together');
  }
  if (raw.channel !== undefined && raw.name !== undefined && raw.channel !== raw.name) {
    throw new UsageError('--name is a synonym of --channel: give only one', '--name');
  }
  const segmentationPath = raw.segmentationPath ?? raw.segmentation_path;
  const segmentationNamesFile = raw.segmentationNames ?? raw.segmentation_names;
  const profile = raw.anonymizationProfile ?? 'basic';
  if (profile !== 'basic' && profile !== 'datamint-sdk') {
    throw new UsageError(
      `--anonymization-profile ${JSON.stringify(profile)}: expected basic (PS3.15 Basic Profile) or datamint-sdk (the Python SDK's list)`,
      '--anonymization-profile',
    );
  }
  if (raw.retainPii && raw.anonymizationProfile !== undefined) {
    throw new UsageError(
      '--anonymization-profile has no effect with --retain-pii',
      '--anonymization-profile',
    );
  }
  if (segmentationNamesFile && !segmentationPath) {
    throw new UsageError('--segmentation-names needs --segmentation-path', '--segmentation-names');
  }
  const tags = (raw.tag ?? raw.label ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const depth =
    raw.depth !== undefined ? parseDepth(raw.depth) : raw.recursive ? Number.POSITIVE_INFINITY : 0;
  return {
    paths,
    depth,
    excludeDirs: raw.exclude ?? [],
    channel: raw.channel ?? raw.name,
    tags: [...new Set(tags)],
    publish: raw.publish === true || raw.publishTo !== undefined,
    publishTo: raw.publishTo,
    anonymize: raw.retainPii !== true,
    retainAttributes: (raw.retainAttribute ?? []).map(parseRetainAttribute),
    anonymizationProfile: profile,
    mungFilename: raw.mungfilename === undefined ? undefined : parseMungFilename(raw.mungfilename),
    includeExtensions: raw.includeExtensions
      ? parseExtensionList(raw.includeExtensions, '--include-extensions')
      : undefined,
    excludeExtensions: raw.excludeExtensions
      ? parseExtensionList(raw.excludeExtensions, '--exclude-extensions')
      : undefined,
    segmentationPath,
    segmentationNamesFile,
    transposeSegmentation: raw.transposeSegmentation === true,
    autoDetectJson: raw.autoDetectJson !== false,
    modality: raw.modality,
    assemble: raw.assemble !== false,
    concurrency: raw.concurrency === undefined ? 10 : parsePositiveInt(raw.concurrency, '--concurrency', 64),
    dryRun: raw.dryRun === true,
    yes: raw.yes === true,
  };
}

export interface UploadPlan {
  units: UploadUnit[];
  skipped: SkippedEntry[];
}

/** Discovery, sidecars, segmentation matching and series grouping: everything before the network. */
export async function buildUploadPlan(request: UploadRequest, ctx: CommandContext): Promise<UploadPlan> {
  const discovery = await discoverFiles(request.paths, {
    depth: request.depth,
    excludeDirs: request.excludeDirs,
    ...(request.includeExtensions ? { includeExtensions: request.includeExtensions } : {}),
    ...(request.excludeExtensions ? { excludeExtensions: request.excludeExtensions } : {}),
    cwd: ctx.streams.cwd,
  });
  for (const s of discovery.skipped) ctx.term.debug(`skipped (${s.reason}): ${s.path}`);
  const { files, metadata } = request.autoDetectJson
    ? pairJsonSidecars(discovery.files)
    : { files: discovery.files, metadata: new Map<string, string>() };
  if (files.length === 0) {
    throw new CliError(
      `no file to upload in ${request.paths.join(', ')}${discovery.skipped.length ? ` (${discovery.skipped.length} skipped; --verbose lists them)` : ''}`,
    );
  }
  let masks = new Map<string, DiscoveredMask[]>();
  if (request.segmentationPath) {
    const names: SegmentationNames | null = request.segmentationNamesFile
      ? await readSegmentationNames(request.segmentationNamesFile)
      : null;
    const found = await findSegmentations(
      files.map((f) => f.path),
      request.segmentationPath,
      names,
    );
    masks = found.masks;
    for (const w of found.warnings) ctx.term.warn(w.message);
  }
  const units = await planUpload({ files, masks, metadata, assemble: request.assemble });
  return { units, skipped: discovery.skipped };
}

async function uploadAction(paths: string[], raw: RawUploadOptions, command: Command, streams: CliStreams) {
  const ctx = contextFor(command, streams);
  const all = [...paths, ...(raw.path ?? [])];
  if (all.length === 0) throw new UsageError('nothing to upload: give one or more files or directories');
  const request = validateUploadOptions(all, raw);
  ctx.term.debug(`upload request: ${JSON.stringify({ ...request, depth: String(request.depth) })}`);
  // A missing key is reported before any file is read, not after the summary.
  if (!request.dryRun) {
    await ensureApiKey(ctx);
    await resolveSettings(ctx);
  }
  const plan = await buildUploadPlan(request, ctx);
  const lines = summaryLines(plan.units, plan.skipped, {
    segmentation: request.segmentationPath !== undefined,
    includeFilter: request.includeExtensions !== undefined,
    anonymize: request.anonymize,
    profile: request.anonymizationProfile,
  });
  if (request.dryRun) {
    if (ctx.term.json) ctx.term.emitJson({ dryRun: true, ...planJson(plan.units, plan.skipped) });
    else {
      for (const line of lines) ctx.term.out(line);
      ctx.term.out('Dry run: nothing was uploaded.');
    }
    return;
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
  await executeUpload(ctx, request, plan);
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
    .option('--include-extensions <exts>', 'only these extensions, e.g. dcm,nii.gz (repeatable)', collect)
    .option('--exclude-extensions <exts>', 'skip these extensions, e.g. txt,csv (repeatable)', collect)
    .option('--segmentation-path <path>', 'mask file, or root folder of masks laid out like the images')
    .addOption(new Option('--segmentation_path <path>').hideHelp())
    .option('--segmentation-names <file>', 'YAML with segmentation_names and/or class_names')
    .addOption(new Option('--segmentation_names <file>').hideHelp())
    .option('--transpose-segmentation', 'swap the first two axes of the masks')
    .option('--no-auto-detect-json', 'do not attach X.json as metadata of X.nii / X.nii.gz')
    .option('--modality <modality>', 'modality of every resource (default: from the file or JSON metadata)')
    .option('--no-assemble', 'upload DICOM slices as separate resources instead of one per series')
    .option('--concurrency <n>', 'uploads in flight (default 10)')
    .option('--dry-run', 'show what would be uploaded, then stop')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .addHelpText(
      'after',
      `
Examples:
  $ datamint upload ./dicoms -r --dry-run
  $ datamint upload ./dicoms -r --channel "CT scans" --tag tag1 --tag tag2 --yes
  $ datamint upload ./root --include-extensions dcm,nii.gz --yes
  $ datamint upload ./root --exclude-extensions txt,csv --exclude ".cache*" --yes
  $ datamint upload data/dicoms -r --segmentation-path data/segmentations \\
      --segmentation-names names.yaml --publish --yes
  $ datamint upload ./nifti -r --no-auto-detect-json --json --yes | jq '.results[].id'

The exit code is 1 when any file failed; the final table lists every input with its reason.`,
    )
    .action(async (paths: string[], raw: RawUploadOptions, command: Command) =>
      uploadAction(paths, raw, command, streams),
    );
}
