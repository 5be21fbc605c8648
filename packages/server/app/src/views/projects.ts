import type { ProjectItem, ServerApi, WorklistItem } from '../api';
import { errorBox, h, replace } from '../dom';
import { viewerHash } from '../router';

/** Rows of the project page whose annotation state is looked up (one request each). */
const STATUS_LOOKUPS = 200;

function table(headers: string[], rows: HTMLElement[], id: string): HTMLElement {
  return h(
    'table',
    { class: 'list', id },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows),
  );
}

/** Every project with its resource counts. */
export async function renderProjects(main: HTMLElement, api: ServerApi): Promise<void> {
  replace(main, h('h1', {}, 'Projects'), h('p', { class: 'muted' }, 'Loading…'));
  let projects: ProjectItem[];
  try {
    projects = await api.projects();
  } catch (err) {
    replace(main, h('h1', {}, 'Projects'), errorBox((err as Error).message));
    return;
  }
  const rows = projects.map((p) =>
    h(
      'tr',
      { 'data-project-id': p.id },
      h('td', {}, h('a', { href: `#/projects/${encodeURIComponent(p.id)}` }, p.name)),
      h('td', {}, String(p.resource_count ?? '')),
      h('td', {}, String(p.annotated_resource_count ?? '')),
      h('td', {}, p.description ?? ''),
    ),
  );
  replace(
    main,
    h('h1', {}, 'Projects'),
    projects.length === 0
      ? h('p', { class: 'muted' }, 'No project yet.')
      : table(['Project', 'Resources', 'Annotated', 'Description'], rows, 'project-list'),
  );
}

/** One project: its resources and whether each has annotations yet. */
export async function renderProject(main: HTMLElement, api: ServerApi, id: string): Promise<void> {
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  let project: ProjectItem;
  let resources: Awaited<ReturnType<ServerApi['projectResources']>>;
  try {
    [project, resources] = await Promise.all([api.getProject(id), api.projectResources(id)]);
  } catch (err) {
    replace(main, h('p', {}, h('a', { href: '#/projects' }, '← Projects')), errorBox((err as Error).message));
    return;
  }
  const statusCells = new Map<string, HTMLElement>();
  const rows = resources.map((r) => {
    const cell = h('td', { class: 'annotation-status' }, '…');
    statusCells.set(r.id, cell);
    return h(
      'tr',
      { 'data-resource-id': r.id },
      h('td', {}, h('a', { href: viewerHash(r.id) }, r.filename || r.id)),
      h('td', {}, r.mimetype),
      h('td', {}, r.status),
      cell,
    );
  });
  replace(
    main,
    h('p', {}, h('a', { href: '#/projects' }, '← Projects')),
    h('h1', {}, project.name),
    h('p', { class: 'counts' }, `${resources.length} resources`),
    table(['File', 'Mimetype', 'Status', 'Annotations'], rows, 'project-resources'),
  );
  await Promise.all(
    resources.slice(0, STATUS_LOOKUPS).map(async (r) => {
      const cell = statusCells.get(r.id);
      if (!cell) return;
      try {
        const n = (await api.annotations(r.id)).length;
        cell.textContent = n === 0 ? 'not annotated' : `annotated (${n})`;
      } catch {
        cell.textContent = 'unknown';
      }
    }),
  );
}

/** Every annotation worklist with its status and resource count. */
export async function renderWorklists(main: HTMLElement, api: ServerApi): Promise<void> {
  replace(main, h('h1', {}, 'Worklists'), h('p', { class: 'muted' }, 'Loading…'));
  let worklists: WorklistItem[];
  try {
    worklists = await api.worklists();
  } catch (err) {
    replace(main, h('h1', {}, 'Worklists'), errorBox((err as Error).message));
    return;
  }
  const rows = worklists.map((w) =>
    h(
      'tr',
      {},
      h('td', {}, w.name),
      h('td', {}, w.status ?? ''),
      h('td', {}, String(w.resource_count ?? '')),
      h(
        'td',
        {},
        w.project_id ? h('a', { href: `#/projects/${encodeURIComponent(w.project_id)}` }, 'project') : '',
      ),
    ),
  );
  replace(
    main,
    h('h1', {}, 'Worklists'),
    worklists.length === 0
      ? h('p', { class: 'muted' }, 'No worklist yet.')
      : table(['Worklist', 'Status', 'Resources', 'Project'], rows, 'worklist-list'),
  );
}
