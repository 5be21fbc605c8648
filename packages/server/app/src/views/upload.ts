import {
  type AssembleInput,
  type AssemblyPlan,
  assembleGroup,
  createAnonymizer,
  isDicom,
  planAssembly,
} from '@datamint/dicom';
import { encodeMaskPng, readMaskAsync, splitLabels } from '@datamint/segmentation';
import type { ServerApi } from '../api';
import { errorBox, formatBytes, h, replace } from '../dom';
import { viewerHash } from '../router';
import { type DropPlan, planDrop } from '../upload-plan';

/** Bytes read to tell DICOM from other files (preamble, magic, first elements). */
const SNIFF_BYTES = 4096;

/** Everything the page will send, computed before the first request. */
interface PagePlan {
  drop: DropPlan;
  files: Map<string, File>;
  /** DICOM inputs, anonymized in the page when asked, grouped into series. */
  assembly: AssemblyPlan;
  /** Files sent as they are (not DICOM). */
  others: string[];
  /** Files that could not be read or anonymized. */
  problems: Array<{ path: string; reason: string }>;
  anonymized: boolean;
}

/** One resource to create. */
interface Unit {
  label: string;
  /** The bytes to send and the file name they go under. */
  bytes: () => Promise<{ blob: Blob; name: string }>;
  size: number;
  masks: string[];
}

/** What happened to one unit. */
interface UnitResult {
  label: string;
  id?: string;
  error?: string;
  masks: number;
}

function pathOf(file: File): string {
  return file.webkitRelativePath || file.name;
}

async function readEntry(entry: FileSystemEntry, out: File[], problems: PagePlan['problems']): Promise<void> {
  if (entry.isFile) {
    await new Promise<void>((resolve) => {
      (entry as FileSystemFileEntry).file(
        (file) => {
          // Keep the path inside the drop: the folder structure decides mask matching.
          out.push(new File([file], entry.fullPath.replace(/^\//, ''), { type: file.type }));
          resolve();
        },
        (err) => {
          problems.push({ path: entry.fullPath, reason: `cannot be read: ${err.message}` });
          resolve();
        },
      );
    });
    return;
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve) =>
      reader.readEntries(resolve, (err) => {
        problems.push({ path: entry.fullPath, reason: `folder cannot be read: ${err.message}` });
        resolve([]);
      }),
    );
    if (batch.length === 0) return;
    for (const child of batch) await readEntry(child, out, problems);
  }
}

async function bytesOf(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

async function makePlan(
  files: File[],
  anonymize: boolean,
  problems: PagePlan['problems'],
): Promise<PagePlan> {
  const byPath = new Map(files.map((f) => [f.name.includes('/') ? f.name : pathOf(f), f]));
  const drop = planDrop([...byPath].map(([path, f]) => ({ path, size: f.size })));
  const anonymizer = anonymize ? createAnonymizer() : undefined;
  const dicomInputs: AssembleInput[] = [];
  const others: string[] = [];
  for (const planned of drop.files) {
    const file = byPath.get(planned.path);
    if (!file) continue;
    try {
      const head = await bytesOf(file.slice(0, SNIFF_BYTES) as File);
      if (!isDicom(head)) {
        others.push(planned.path);
        continue;
      }
      const raw = await bytesOf(file);
      const bytes = anonymizer ? anonymizer.anonymize(raw, { fileName: planned.path }) : raw;
      dicomInputs.push({ name: planned.path, bytes });
    } catch (err) {
      problems.push({ path: planned.path, reason: (err as Error).message });
    }
  }
  const assembly = await planAssembly(dicomInputs);
  return { drop, files: byPath, assembly, others, problems, anonymized: anonymize };
}

function unitsOf(plan: PagePlan): Unit[] {
  const masksOf = (path: string) => plan.drop.files.find((f) => f.path === path)?.masks ?? [];
  const units: Unit[] = [];
  for (const group of plan.assembly.groups) {
    const size = group.slices.reduce((n, s) => n + ('bytes' in s.input ? s.input.bytes.byteLength : 0), 0);
    units.push({
      label: `series of ${group.slices.length} slices`,
      size,
      masks: [],
      bytes: async () => {
        const series = await assembleGroup(group);
        const blob = new Blob([series.bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' });
        return { blob, name: series.name };
      },
    });
  }
  const singles = [
    ...plan.assembly.passedThrough.map((p) => p.input),
    ...plan.assembly.unassembled.flatMap((u) => u.inputs),
  ];
  for (const input of singles) {
    const bytes = 'bytes' in input ? input.bytes : new Uint8Array();
    units.push({
      label: input.name,
      size: bytes.byteLength,
      masks: masksOf(input.name),
      bytes: async () => ({
        blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/dicom' }),
        name: input.name.slice(input.name.lastIndexOf('/') + 1),
      }),
    });
  }
  for (const path of plan.others) {
    const file = plan.files.get(path);
    if (!file) continue;
    units.push({
      label: path,
      size: file.size,
      masks: masksOf(path),
      bytes: async () => ({ blob: file, name: path.slice(path.lastIndexOf('/') + 1) }),
    });
  }
  return units;
}

function planView(plan: PagePlan, units: Unit[]): HTMLElement {
  const series = plan.assembly.groups.map((g) =>
    h('li', {}, `${g.slices.length} DICOM slices → one multi-frame resource (ordered by ${g.orderedBy})`),
  );
  const singles = units
    .filter((u) => !u.label.startsWith('series of'))
    .map((u) =>
      h(
        'li',
        {},
        `${u.label} (${formatBytes(u.size)})`,
        u.masks.length ? ` + ${u.masks.length} mask${u.masks.length > 1 ? 's' : ''}` : '',
      ),
    );
  const skipped = [...plan.drop.skipped, ...plan.problems].map((s) => h('li', {}, `${s.path}: ${s.reason}`));
  const total = units.reduce((n, u) => n + u.size, 0);
  return h(
    'div',
    { class: 'card', id: 'upload-plan' },
    h('h2', {}, `Plan: ${units.length} resources, ${formatBytes(total)}`),
    plan.anonymized ? h('p', {}, 'DICOM files are anonymized in this page (PS3.15 basic profile).') : null,
    series.length ? h('h3', {}, 'Series to assemble') : null,
    series.length ? h('ul', { id: 'plan-series' }, ...series) : null,
    singles.length ? h('h3', {}, 'Files') : null,
    singles.length ? h('ul', { id: 'plan-files' }, ...singles) : null,
    skipped.length ? h('h3', {}, 'Skipped') : null,
    skipped.length ? h('ul', { id: 'plan-skipped' }, ...skipped) : null,
  );
}

async function uploadMasks(
  api: ServerApi,
  plan: PagePlan,
  resourceId: string,
  masks: string[],
): Promise<number> {
  let sent = 0;
  for (const path of masks) {
    const file = plan.files.get(path);
    if (!file) continue;
    const volume = await readMaskAsync(await bytesOf(file), { fileName: path });
    for (const label of splitLabels(volume)) {
      const png = encodeMaskPng(label.mask);
      await api.uploadMask(
        resourceId,
        new Blob([png as Uint8Array<ArrayBuffer>], { type: 'image/png' }),
        label.identifier,
        label.frame,
      );
      sent++;
    }
  }
  return sent;
}

function progressText(
  done: number,
  total: number,
  bytes: number,
  totalBytes: number,
  started: number,
): string {
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? bytes / seconds : 0;
  const eta = rate > 0 ? Math.max(0, (totalBytes - bytes) / rate) : undefined;
  return `${done} / ${total} files · ${formatBytes(bytes)} of ${formatBytes(totalBytes)} · ${formatBytes(rate)}/s${
    eta === undefined ? '' : ` · about ${Math.ceil(eta)} s left`
  }`;
}

async function execute(
  api: ServerApi,
  plan: PagePlan,
  units: Unit[],
  fields: Record<string, string>,
  out: HTMLElement,
) {
  const bar = h('progress', { id: 'upload-progress', max: 1, value: 0 });
  const text = h('p', { id: 'upload-progress-text' });
  const resultsList = h('ul', { id: 'upload-results' });
  replace(out, bar, text, resultsList);
  const totalBytes = units.reduce((n, u) => n + u.size, 0);
  const started = performance.now();
  let doneBytes = 0;
  const results: UnitResult[] = [];
  for (const [i, unit] of units.entries()) {
    const result: UnitResult = { label: unit.label, masks: 0 };
    try {
      const { blob, name } = await unit.bytes();
      const created = await api.uploadResource(blob, fields, name, (sent) => {
        const now = doneBytes + Math.min(sent, unit.size);
        bar.value = totalBytes > 0 ? now / totalBytes : 1;
        text.textContent = progressText(i, units.length, now, totalBytes, started);
      });
      result.id = created.id;
      result.masks = await uploadMasks(api, plan, created.id, unit.masks);
    } catch (err) {
      result.error = (err as Error).message;
    }
    doneBytes += unit.size;
    bar.value = totalBytes > 0 ? doneBytes / totalBytes : 1;
    text.textContent = progressText(i + 1, units.length, doneBytes, totalBytes, started);
    results.push(result);
    resultsList.append(
      h(
        'li',
        { class: result.error ? 'failed' : 'ok' },
        result.id ? h('a', { href: viewerHash(result.id) }, unit.label) : unit.label,
        result.error ? `: ${result.error}` : result.masks ? ` (${result.masks} mask annotations)` : '',
      ),
    );
  }
  const failed = results.filter((r) => r.error).length;
  out.append(
    h(
      'p',
      { id: 'upload-summary', class: failed ? 'error' : 'done' },
      `${results.length - failed} uploaded, ${failed} failed`,
    ),
  );
}

/** The upload page: choose or drop files and folders, review the plan, then upload with progress. */
export function renderUpload(main: HTMLElement, api: ServerApi): void {
  const filesInput = h('input', { type: 'file', id: 'upload-files', multiple: true });
  const folderInput = h('input', {
    type: 'file',
    id: 'upload-folder',
    webkitdirectory: true,
    multiple: true,
  });
  const anonymize = h('input', { type: 'checkbox', id: 'upload-anonymize', checked: true });
  const tags = h('input', { type: 'text', id: 'upload-tags', placeholder: 'tag1, tag2' });
  const channel = h('input', { type: 'text', id: 'upload-channel' });
  const drop = h('div', { class: 'dropzone', id: 'dropzone' }, 'Drop files or folders here');
  const planArea = h('div', { id: 'plan-area' });
  const runArea = h('div', { id: 'run-area' });
  replace(
    main,
    h('h1', {}, 'Upload'),
    h(
      'div',
      { class: 'card' },
      drop,
      h('label', {}, 'Files ', filesInput),
      h('label', {}, 'A folder ', folderInput),
      h('label', {}, anonymize, ' Anonymize DICOM in this page before sending'),
      h('label', {}, 'Tags ', tags),
      h('label', {}, 'Channel ', channel),
    ),
    planArea,
    runArea,
  );

  const prepare = async (files: File[], problems: PagePlan['problems']) => {
    replace(planArea, h('p', { class: 'muted' }, `Reading ${files.length} files…`));
    replace(runArea);
    let plan: PagePlan;
    try {
      plan = await makePlan(files, anonymize.checked, problems);
    } catch (err) {
      replace(planArea, errorBox((err as Error).message));
      return;
    }
    const units = unitsOf(plan);
    const start = h('button', { type: 'button', id: 'upload-start', disabled: units.length === 0 }, 'Upload');
    replace(planArea, planView(plan, units), start);
    start.addEventListener('click', () => {
      start.disabled = true;
      const fields: Record<string, string> = { source: 'api' };
      const tagList = tags.value
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean);
      if (tagList.length) fields.tags = tagList.join(',');
      if (channel.value.trim()) fields.channel = channel.value.trim();
      void execute(api, plan, units, fields, runArea);
    });
  };
  const fromInput = (input: HTMLInputElement) => () => {
    const files = [...(input.files ?? [])].map((f) => new File([f], pathOf(f), { type: f.type }));
    void prepare(files, []);
  };
  filesInput.addEventListener('change', fromInput(filesInput));
  folderInput.addEventListener('change', fromInput(folderInput));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const entries = [...(event.dataTransfer?.items ?? [])]
      .map((item) => item.webkitGetAsEntry())
      .filter((e): e is FileSystemEntry => e !== null);
    const files: File[] = [];
    const problems: PagePlan['problems'] = [];
    void Promise.all(entries.map((e) => readEntry(e, files, problems))).then(() => prepare(files, problems));
  });
}
