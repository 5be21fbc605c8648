import { ApiError, ServerApi } from './api';
import { errorBox, replace } from './dom';
import { parseRoute, type Route } from './router';
import { forgetKey, storedKey } from './session';
import { renderLogin } from './views/login';
import { renderProject, renderProjects, renderWorklists } from './views/projects';
import { renderResources } from './views/resources';
import { renderUpload } from './views/upload';
import { renderViewer } from './views/viewer';

function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el;
}

const main = element('main');
const signOut = element('sign-out');

function highlight(route: Route): void {
  const section = route.page === 'viewer' ? 'resources' : route.page === 'project' ? 'projects' : route.page;
  for (const link of document.querySelectorAll<HTMLElement>('[data-nav]')) {
    link.classList.toggle('active', link.dataset.nav === section);
  }
}

async function show(api: ServerApi): Promise<void> {
  const route = parseRoute(location.hash);
  highlight(route);
  signOut.hidden = false;
  try {
    switch (route.page) {
      case 'resources':
        return await renderResources(main, api, route.query);
      case 'viewer':
        return await renderViewer(main, api, route.id, route.frame);
      case 'upload':
        return renderUpload(main, api);
      case 'projects':
        return await renderProjects(main, api);
      case 'project':
        return await renderProject(main, api, route.id);
      case 'worklists':
        return await renderWorklists(main, api);
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      forgetKey();
      return start(err.message);
    }
    replace(main, errorBox((err as Error).message));
  }
}

function start(notice?: string): void {
  const key = storedKey();
  if (!key) {
    signOut.hidden = true;
    renderLogin(main, (api) => void show(api), notice);
    return;
  }
  void show(new ServerApi(location.origin, key));
}

window.addEventListener('hashchange', () => start());
signOut.addEventListener('click', () => {
  forgetKey();
  start();
});
start();
