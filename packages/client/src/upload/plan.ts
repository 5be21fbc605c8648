import { mapSettled } from '@datamint/core';
import { groupSlices } from '@datamint/dicom';
import { ValidationError } from '../errors';
import { mimetypeByName } from '../file-types';
import { unfilled } from './body-buffers';
import { type DicomFacts, partitionByKey } from './dicom-facts';
import {
  type DicomHead,
  dicomHeadReader,
  FIRST_READ,
  type HeadWanted,
  type ImageGeometry,
  planHeaderParser,
  wholeDicomHead,
} from './dicom-head';
import { fileExtension } from './extensions';
import { checkMung, uploadNames } from './filename';
import { imageGeometryFromHead } from './image-geometry';
import { checkInput, type ExpandedItem, expandInput, Spool, type UploadSource } from './inputs';
import { fitMasks } from './mask-fit';
import { contentContradiction, resolveMimetype, SNIFF_BYTES, sniffMimetype } from './mimetype';
import { joinedName } from './nifti-pair';
import { eventLoopPacer, PACE_MS, throwIfAborted } from './pacer';
import { contentOf } from './plan-content';
import { type NiftiPairing, pairNiftiFiles } from './plan-pairs';
import type {
  PlannedFile,
  PlannedUnit,
  PlanProblem,
  SkippedFile,
  SkipReason,
  UploadPlan,
} from './plan-types';
import { type SegmentationTask, segmentationTasks } from './segmentation-tasks';
import type { MetadataSource, PlanUploadOptions } from './types';
import { unitId } from './unit-id';
import { DICOM_MIMETYPE } from './upload-errors';

/** Per-input options are arrays aligned with the inputs. */
function checkAligned(field: string, value: readonly unknown[] | undefined, inputs: number): void {
  if (value !== undefined && (!Array.isArray(value) || value.length !== inputs)) {
    throw new ValidationError(field, value, `an array of ${inputs} entries, one per input (null where none)`);
  }
}

function checkFilters(options: PlanUploadOptions): void {
  if (options.includeExtensions?.length && options.excludeExtensions?.length) {
    throw new ValidationError(
      'includeExtensions',
      options.includeExtensions,
      'no includeExtensions when excludeExtensions is given (use one of them)',
    );
  }
  for (const field of ['includeExtensions', 'excludeExtensions', 'excludeDirs'] as const) {
    const list = options[field];
    if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x === ''))) {
      throw new ValidationError(field, list, 'an array of non-empty strings');
    }
  }
  if (options.mimetype !== undefined && (typeof options.mimetype !== 'string' || options.mimetype === '')) {
    throw new ValidationError('mimetype', options.mimetype, 'a non-empty string');
  }
  const grouping = options.seriesGrouping;
  if (grouping !== undefined && grouping !== 'series' && grouping !== 'platform') {
    throw new ValidationError('seriesGrouping', grouping, '"series" or "platform"');
  }
}

/** Validates what planning needs; returns the per-input segmentation tasks. */
export function checkPlanOptions(
  inputs: readonly UploadSource[],
  options: PlanUploadOptions,
): SegmentationTask[][] {
  for (const [i, input] of inputs.entries()) checkInput(input, i);
  checkFilters(options);
  checkMung(options.mungFilename);
  checkAligned('metadataFiles', options.metadataFiles, inputs.length);
  checkAligned('segmentationFiles', options.segmentationFiles, inputs.length);
  options.metadataFiles?.forEach((m, i) => {
    if (
      m !== null &&
      m !== undefined &&
      typeof m !== 'string' &&
      (typeof m !== 'object' || Array.isArray(m))
    ) {
      throw new ValidationError(`metadataFiles[${i}]`, m, 'a JSON file path or an object');
    }
  });
  return (options.segmentationFiles ?? []).map((spec, i) =>
    segmentationTasks(spec, `segmentationFiles[${i}]`),
  );
}

/** How the caller named an input: its path or name. */
export function sourceName(input: UploadSource, index: number): string {
  if (typeof input === 'string') return input;
  const name = (input as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : `files[${index}]`;
}

type FileItem = Extract<ExpandedItem, { kind: 'file' }>;

/** A file being planned: what the plan will say about it, or why it cannot be uploaded. */
interface Draft {
  position: number;
  item: FileItem;
  file?: PlannedFile;
  names?: { sourceFilepath: string; filename: string };
  segmentations: SegmentationTask[];
  metadata?: MetadataSource;
  problem?: PlanProblem['error'];
  /** What the header says, when planning needed it (platform grouping, reports, laterality). */
  facts?: DicomFacts;
  /** A DICOM's header, as planning keeps it. */
  dicom?: DicomHead;
  /** The image's size, read when the plan has masks (DICOM, PNG and NIfTI images). */
  geometry?: ImageGeometry;
}

function errorFacts(error: unknown): PlanProblem['error'] {
  const e = error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: unknown })?.code;
  // A system error (EACCES, ENOENT...) while reading is an unreadable file, whichever step met it.
  const name = typeof code === 'string' && e.name === 'Error' ? 'UnreadableFileError' : e.name;
  return { name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** Rebuilt as `InvalidDicomError(source, reason)` in the results. */
function dicomProblem(reason: string): PlanProblem['error'] {
  return { name: 'InvalidDicomError', message: reason };
}

/** Volumes whose `X.json` sidecar is their metadata: NIfTI, and the header of a `.hdr`/`.img` pair. */
const SIDECAR_VOLUMES = new Set(['nii', 'nii.gz', 'hdr', 'hdr.gz']);

function sidecarOf(source: string): string | undefined {
  if (!SIDECAR_VOLUMES.has(fileExtension(source))) return undefined;
  return source.replace(/\.(nii|hdr)(\.gz)?$/i, '.json');
}

/**
 * `X.json` next to `X.nii(.gz)` (or `X.hdr`, the header of a pair uploaded as `X.nii`) becomes its
 * metadata; the JSON is then not a resource of its own.
 * A JSON left out by an extension filter (`--include-extensions nii.gz`) still travels with its volume.
 */
function pairSidecars(drafts: Draft[], skipped: SkippedFile[]): Draft[] {
  const bySource = new Map(drafts.map((d) => [d.item.source, d]));
  const filtered = new Map(
    skipped.flatMap((s, i) => (s.reason === 'extension filter' ? [[s.source, i]] : [])),
  );
  const used = new Set<Draft>();
  const unskipped = new Set<number>();
  for (const d of drafts) {
    const sidecar = sidecarOf(d.item.source);
    if (sidecar === undefined || d.metadata !== undefined || d.item.origin.kind !== 'path') continue;
    const json = bySource.get(sidecar);
    if (json && json.item.origin.kind === 'path') {
      d.metadata = json.item.origin.path;
      used.add(json);
    } else if (filtered.has(sidecar)) {
      d.metadata = sidecar;
      unskipped.add(filtered.get(sidecar)!);
    }
  }
  // In place, one element at a time: a spread of a big list into one call overflows the stack.
  let kept = 0;
  for (let i = 0; i < skipped.length; i++) if (!unskipped.has(i)) skipped[kept++] = skipped[i]!;
  skipped.length = kept;
  return drafts.filter((d) => !used.has(d));
}

/** Records what a DICOM's header says on its draft. */
function settleDicom(d: Draft, head: DicomHead): void {
  d.dicom = head;
  if (head.facts) d.facts = head.facts;
  if (head.geometry) d.geometry = head.geometry;
  if (head.problem) d.problem = dicomProblem(head.problem);
}

function fileUnit(d: Draft, anonymize: boolean): PlannedUnit {
  const file = d.file!;
  const dicom = file.mimetype === DICOM_MIMETYPE;
  return {
    id: '',
    kind: 'file',
    files: [file],
    sourceFilepath: d.names!.sourceFilepath,
    filename: d.names!.filename,
    mimetype: file.mimetype,
    size: file.size,
    anonymize: anonymize && dicom,
    segmentations: d.segmentations,
    ...(d.metadata !== undefined ? { metadata: d.metadata } : {}),
    ...(d.facts?.laterality ? { laterality: d.facts.laterality } : {}),
  };
}

/** A `.hdr` and its `.img` as one unit: the `.nii` they make, with both files' masks and metadata. */
function pairUnit({ header, image, pair }: NiftiPairing<Draft>): PlannedUnit {
  const filename = joinedName(header.names!.filename);
  const metadata = header.metadata ?? image.metadata;
  return {
    id: '',
    kind: 'nifti-pair',
    files: [header.file!, image.file!],
    sourceFilepath: joinedName(header.names!.sourceFilepath),
    filename,
    mimetype: mimetypeByName(filename),
    size: pair.headerBytes + pair.voxelBytes,
    anonymize: false,
    niftiPair: pair,
    segmentations: uniqueMasks([...header.segmentations, ...image.segmentations]),
    ...(metadata !== undefined ? { metadata } : {}),
  };
}

/**
 * A mask file found next to every slice of a series (masks matched by folder) is attached once, to
 * the first slice that has it; masks given as bytes or arrays are kept as given.
 */
function uniqueMasks(tasks: SegmentationTask[]): SegmentationTask[] {
  const seen = new Set<string>();
  return tasks.filter((t) => {
    if (typeof t.input !== 'string') return true;
    const key = JSON.stringify([t.input, t.frameIndex ?? null]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function seriesUnit(seriesInstanceUid: string, members: Draft[], anonymize: boolean): PlannedUnit {
  const first = members[0]!;
  const description = first.dicom?.description;
  const modality = first.dicom?.modality;
  const metadata = members.find((m) => m.metadata !== undefined)?.metadata;
  return {
    id: '',
    kind: 'series',
    files: members.map((m) => m.file!),
    sourceFilepath: first.names!.sourceFilepath,
    filename: first.names!.filename,
    mimetype: DICOM_MIMETYPE,
    size: members.reduce((sum, m) => sum + m.item.size, 0),
    anonymize,
    series: { seriesInstanceUid, description, modality },
    // A one-frame mask of one slice goes on that slice's frame of the merged resource; a volume
    // mask (given with any slice) covers the series as it is.
    segmentations: uniqueMasks(
      members.flatMap((m, frame) => m.segmentations.map((t) => ({ ...t, memberFrame: frame }))),
    ),
    ...(metadata !== undefined ? { metadata } : {}),
    ...(first.facts?.laterality ? { laterality: first.facts.laterality } : {}),
  };
}

/**
 * Each expanded input's files as drafts, in input order, with the input's masks and metadata; an
 * input that could not be expanded becomes a problem. Planning is split into stages like this one so
 * that no loop over thousands of files sits in one large function: V8 compiles such a function
 * whole when its loop gets hot, which was a noticeable part of a 1,000-file upload's CPU.
 */
function draftsOf(
  expanded: ReadonlyArray<{ ok: true; value: ExpandedItem[] } | { ok: false; error: unknown }>,
  inputs: readonly UploadSource[],
  tasks: ReadonlyArray<SegmentationTask[] | undefined>,
  metadataFiles: PlanUploadOptions['metadataFiles'],
  problems: PlanProblem[],
): Draft[] {
  const drafts: Draft[] = [];
  let position = 0;
  expanded.forEach((result, i) => {
    const items: ExpandedItem[] = result.ok
      ? result.value
      : [
          {
            kind: 'unreadable',
            inputIndex: i,
            source: sourceName(inputs[i]!, i),
            error: result.error as never,
          },
        ];
    const inputTasks = tasks[i] ?? [];
    const metadata = metadataFiles?.[i] ?? undefined;
    const fileCount = items.filter((x) => x.kind === 'file').length;
    if ((inputTasks.length > 0 || metadata !== undefined) && items.length !== 1) {
      const field = inputTasks.length > 0 ? `segmentationFiles[${i}]` : `metadataFiles[${i}]`;
      throw new ValidationError(
        field,
        inputTasks.length > 0 ? '(masks)' : metadata,
        `none for ${JSON.stringify(sourceName(inputs[i]!, i))}, which is a directory of ${fileCount} files`,
      );
    }
    for (const item of items) {
      const at = position++;
      if (item.kind === 'unreadable') {
        problems.push({
          position: at,
          inputIndex: item.inputIndex,
          source: item.source,
          error: {
            name: 'UnreadableFileError',
            message: item.error.message,
            ...(item.error.code ? { code: item.error.code } : {}),
          },
        });
        continue;
      }
      drafts.push({
        position: at,
        item,
        segmentations: [...inputTasks],
        ...(metadata !== undefined ? { metadata } : {}),
      });
    }
  });
  return drafts;
}

/** Adds the masks `segmentationsBySource` names for each draft's source. */
async function attachBySource(
  drafts: readonly Draft[],
  bySource: NonNullable<PlanUploadOptions['segmentationsBySource']>,
): Promise<void> {
  const lookup = typeof bySource === 'function' ? bySource : (source: string) => bySource.get(source);
  for (const d of drafts) {
    const found = await lookup(d.item.source);
    if (found) {
      d.segmentations.push(
        ...segmentationTasks(found, `segmentationsBySource[${JSON.stringify(d.item.source)}]`),
      );
    }
  }
}

/**
 * Reads the heads of the files on disk with synchronous calls, one after the other, yielding to the
 * event loop every few milliseconds (see readHeadSync). Being read one after the other, files share
 * one buffer for their first read: planning keeps values of a file, never its bytes, and a new buffer
 * for every file cost more than the read. It is made on the first path (a browser has none, nor the
 * Node buffer it is made from).
 */
async function readHeadsOnDisk(
  drafts: readonly Draft[],
  pace: () => Promise<void> | undefined,
  readHead: (d: Draft, scratch: Uint8Array) => Promise<void>,
): Promise<void> {
  let scratch: Uint8Array | undefined;
  for (const d of drafts) {
    if (d.item.origin.kind !== 'path') continue;
    scratch ??= unfilled(FIRST_READ);
    await pace();
    await readHead(d, scratch);
  }
}

/**
 * Adds the single-file units of the drafts not grouped into a series to `units` (one push each: a
 * spread of a big plan into one call overflows the stack); drafts with a problem go to `problems`.
 */
function addFileUnits(
  units: PlannedUnit[],
  drafts: readonly Draft[],
  grouped: ReadonlySet<Draft>,
  notes: ReadonlyMap<Draft, string>,
  anonymize: boolean,
  problems: PlanProblem[],
): void {
  for (const d of drafts) {
    if (d.problem) {
      problems.push({
        position: d.position,
        inputIndex: d.item.inputIndex,
        source: d.item.source,
        error: d.problem,
      });
    } else if (!grouped.has(d)) {
      const unit = fileUnit(d, anonymize);
      const note = notes.get(d);
      units.push(note ? { ...unit, note } : unit);
    }
  }
}

/** Images whose size planning reads from their first bytes, when masks are attached. */
const SIZED_TYPES = new Set(['image/png', 'application/x-nifti']);

/**
 * The size of each unit's image, from what planning read of its files: a series has its slices'
 * frames together. `undefined` when a file's size is unknown.
 */
function imageGeometryOf(drafts: readonly Draft[]): (unit: PlannedUnit) => ImageGeometry | undefined {
  const byPosition = new Map<number, ImageGeometry>();
  for (const d of drafts) if (d.geometry) byPosition.set(d.position, d.geometry);
  return (unit) => {
    // A pair's header says the size of the whole volume; its image holds voxels only.
    const files = unit.kind === 'nifti-pair' ? unit.files.slice(0, 1) : unit.files;
    const sizes = files.map((f) => byPosition.get(f.position));
    const first = sizes[0];
    if (!first || sizes.some((g) => g === undefined)) return undefined;
    return { ...first, frames: sizes.reduce((n, g) => n + g!.frames, 0) };
  };
}

function dropReading(d: Draft): void {
  if (d.dicom) d.dicom.reading = undefined;
}

/** Gives each unit its id; the same file given twice plans twice, and the second copy gets its own id. */
function assignUnitIds(units: PlannedUnit[]): void {
  const seen = new Map<string, number>();
  for (const unit of units) {
    const base = unitId(unit);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    unit.id = n === 0 ? base : `${base}-${n}`;
  }
}

/**
 * Plans an upload without sending anything: expands directories (one walker, one system-file
 * rule), names and types every file, checks DICOM headers and groups the slices of each series,
 * attaches masks and metadata. Files that cannot be read become per-file problems, never the end of
 * the plan. The result is plain data; run it with `uploadResources(plan)`.
 */
export async function planUpload(
  files: UploadSource | readonly UploadSource[],
  options: PlanUploadOptions = {},
): Promise<UploadPlan> {
  const inputs: readonly UploadSource[] = Array.isArray(files) ? files : [files as UploadSource];
  const tasks = checkPlanOptions(inputs, options);
  const concurrency = options.concurrency ?? 10;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError('concurrency', options.concurrency, 'an integer >= 1');
  }
  const mung = checkMung(options.mungFilename);
  const skipped: SkippedFile[] = [];
  const spool = new Spool();
  // One pacer for all of planning's synchronous file-system work: the walks and the head reads.
  const pace = eventLoopPacer(PACE_MS, options.signal);
  const expanded = await mapSettled(
    inputs,
    concurrency,
    (input, i) => expandInput(input, i, options, spool, skipped, pace),
    options.signal ? { signal: options.signal } : {},
  );
  // Inputs cut short by an abort are not problems of the files: the plan as a whole was stopped.
  throwIfAborted(options.signal);
  const problems: PlanProblem[] = [];
  let drafts = draftsOf(expanded, inputs, tasks, options.metadataFiles, problems);
  if (options.segmentationsBySource) await attachBySource(drafts, options.segmentationsBySource);
  if (options.jsonSidecars) drafts = pairSidecars(drafts, skipped);

  // Names, types and DICOM headers: each file is opened once. Its first bytes prove the type where
  // they can (else the name decides), and a DICOM's header is parsed from the same read, which is
  // extended only when the header is longer; pixel data is never read.
  const platform = options.seriesGrouping === 'platform';
  const parse = planHeaderParser(platform);
  const wantFacts = platform || options.discardDicomReports === true;
  const assembling = (options.assembleDicoms ?? true) && drafts.length > 1;
  // A mask given with one slice is checked against the whole series: every image's size is kept.
  const sized = drafts.some((d) => d.segmentations.length > 0);
  const wanted = (d: Draft): HeadWanted => ({
    facts: wantFacts,
    slice: assembling
      ? { name: String(d.position), load: () => contentOf(d.item.origin, inputs).bytes() }
      : undefined,
    geometry: sized,
  });
  const readHead = async (d: Draft, scratch?: Uint8Array): Promise<void> => {
    try {
      const names = uploadNames(d.item.source, mung);
      d.names = names;
      const explicit = options.mimetype ?? d.item.mimetype;
      const reader = dicomHeadReader(parse, d.item.size, d.item.source);
      let mimetype: string | undefined;
      let typed = false;
      let contradiction: string | undefined;
      const content = contentOf(d.item.origin, inputs);
      const bytes = await content.prefix(
        Math.min(FIRST_READ, d.item.size),
        (head) => {
          if (!typed) {
            const sniffed = sniffMimetype(head.subarray(0, SNIFF_BYTES));
            mimetype = resolveMimetype(sniffed, names.filename, explicit);
            if (explicit === undefined) contradiction = contentContradiction(head, d.item.source, sniffed);
            typed = true;
          }
          return mimetype === DICOM_MIMETYPE ? reader.more(head) : 0;
        },
        scratch,
      );
      if (contradiction !== undefined) {
        d.problem = { name: 'FileContentError', message: contradiction };
        return;
      }
      d.file = {
        position: d.position,
        inputIndex: d.item.inputIndex,
        source: d.item.source,
        origin: d.item.origin,
        size: d.item.size,
        mimetype,
      };
      if (mimetype === DICOM_MIMETYPE) settleDicom(d, reader.settle(bytes, wanted(d)));
      else if (sized && mimetype && SIZED_TYPES.has(mimetype)) {
        const geometry = await imageGeometryFromHead(bytes);
        if (geometry) d.geometry = geometry;
      }
    } catch (error) {
      d.problem = errorFacts(error);
    }
  };
  await readHeadsOnDisk(drafts, pace, readHead);
  await mapSettled(
    drafts.filter((d) => d.item.origin.kind !== 'path'),
    concurrency,
    (d) => readHead(d),
  );
  // Rare: compressed or deflated pixel data, or data after the pixels, must parse in full.
  await mapSettled(
    drafts.filter((d) => d.dicom?.needsFullParse),
    concurrency,
    async (d) => {
      try {
        const bytes = await contentOf(d.item.origin, inputs).bytes();
        settleDicom(d, wholeDicomHead(parse, bytes, d.item.source, wanted(d)));
      } catch (error) {
        d.problem = errorFacts(error);
      }
    },
  );

  // A `.hdr` and its `.img` become one unit, read from the header: before DICOMs are grouped, so
  // that a DICOM named `.img` stays a DICOM.
  const pairs = await pairNiftiFiles(drafts, {
    content: (d) => contentOf(d.item.origin, inputs),
    typedByCaller: (d) => (options.mimetype ?? d.item.mimetype) !== undefined,
    problemOf: errorFacts,
    signal: options.signal,
    concurrency,
  });
  let dicoms = drafts.filter((d) => d.dicom !== undefined);
  const units: PlannedUnit[] = [];
  const grouped = new Set<Draft>();
  for (const paired of pairs) {
    if (sized) {
      const geometry = await imageGeometryFromHead(paired.head);
      if (geometry) paired.header.geometry = geometry;
    }
    units.push(pairUnit(paired));
    grouped.add(paired.header);
    grouped.add(paired.image);
  }
  const notes = new Map<Draft, string>();
  for (const d of dicoms) if (d.dicom?.note) notes.set(d, d.dicom.note);
  const anonymize = options.anonymize === true;
  // A DICOMDIR indexes the files beside it and holds no image: a folder exported from a scanner or
  // a CD often has one, and the platform would store it as an empty DICOM.
  const leftOut = new Map<Draft, SkipReason>();
  for (const d of dicoms) {
    if (d.dicom?.directory) leftOut.set(d, 'dicom directory');
    else if (options.discardDicomReports && d.facts?.report) leftOut.set(d, 'dicom report');
  }
  if (leftOut.size) {
    for (const [d, reason] of leftOut) skipped.push({ source: d.item.source, reason, position: d.position });
    drafts = drafts.filter((d) => !leftOut.has(d));
    dicoms = dicoms.filter((d) => !leftOut.has(d));
  }
  // Series are grouped from what the headers said above: nothing is read again.
  const assemble = (members: Draft[]): void => {
    const byName = new Map(members.map((d) => [String(d.position), d]));
    const plan = groupSlices(
      members.map(
        (d) =>
          d.dicom?.reading ?? {
            input: { name: String(d.position), bytes: new Uint8Array(0) },
            outcome: { fail: 'cannot be read' },
          },
      ),
    );
    for (const un of plan.unassembled) {
      for (const name of un.names) {
        const d = byName.get(name)!;
        if (un.reason.startsWith('cannot be read')) d.problem ??= errorFacts(un.reason);
        // A note from the header (pixel data cut short) already says why, in more words.
        else if (!notes.has(d)) notes.set(d, `uploaded as is, not assembled: ${un.reason}`);
      }
    }
    for (const group of plan.groups) {
      const slices = group.slices.map((s) => byName.get(s.name)!);
      const broken = slices.find((m) => m.problem);
      if (broken) {
        for (const m of slices) {
          if (!m.problem)
            notes.set(
              m,
              `uploaded as is, not assembled: ${broken.item.source} of its series is not readable`,
            );
        }
        continue;
      }
      units.push(seriesUnit(group.seriesInstanceUID, slices, anonymize));
      for (const m of slices) grouped.add(m);
    }
  };
  if (assembling && dicoms.length > 1) {
    for (const members of platform ? partitionByKey(dicoms) : [dicoms]) {
      if (members.length > 1) assemble(members);
    }
  }
  // The readings have done their work; the plan keeps only what it says.
  dicoms.forEach(dropReading);
  addFileUnits(units, drafts, grouped, notes, anonymize, problems);
  const { fitting, misfits } = await fitMasks(units, imageGeometryOf(drafts), {
    transpose: options.transposeSegmentation ?? false,
    concurrency,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  for (const { unit, reason } of misfits) {
    for (const file of unit.files) {
      problems.push({
        position: file.position,
        inputIndex: file.inputIndex,
        source: file.source,
        error: { name: 'SegmentationError', message: reason },
      });
    }
  }
  units.length = 0;
  for (const unit of fitting) units.push(unit);
  units.sort((a, b) => a.files[0]!.position - b.files[0]!.position);
  problems.sort((a, b) => a.position - b.position);
  assignUnitIds(units);
  return {
    version: 1,
    inputCount: inputs.length,
    units,
    problems,
    skipped,
    ...(spool.dir ? { spoolDir: spool.dir } : {}),
  };
}
