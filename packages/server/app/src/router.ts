// Hash routes, so the static server needs no fallback rewriting: #/resources, #/resources/<id>?frame=3,
// #/upload, #/projects, #/projects/<id>, #/worklists.

/** A page of the app and its parameters. */
export type Route =
  | { page: 'resources'; query: URLSearchParams }
  | { page: 'viewer'; id: string; frame: number }
  | { page: 'upload' }
  | { page: 'projects' }
  | { page: 'project'; id: string }
  | { page: 'worklists' };

/** Reads a location hash such as `#/resources/abc?frame=2`. Unknown hashes show the resource list. */
export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const [path = '', search = ''] = raw.split('?', 2);
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'resources' && parts[1]) {
    const frame = Number(query.get('frame') ?? '0');
    return { page: 'viewer', id: parts[1], frame: Number.isInteger(frame) && frame >= 0 ? frame : 0 };
  }
  if (parts[0] === 'upload') return { page: 'upload' };
  if (parts[0] === 'projects' && parts[1]) return { page: 'project', id: parts[1] };
  if (parts[0] === 'projects') return { page: 'projects' };
  if (parts[0] === 'worklists') return { page: 'worklists' };
  return { page: 'resources', query };
}

/** The hash of the viewer on one frame of a resource. */
export function viewerHash(id: string, frame = 0): string {
  return `#/resources/${encodeURIComponent(id)}${frame > 0 ? `?frame=${frame}` : ''}`;
}
