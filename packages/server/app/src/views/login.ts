import { ApiError, ServerApi } from '../api';
import { errorBox, h, replace } from '../dom';
import { storeKey } from '../session';

/** Asks for the API key and checks it against the server before keeping it. */
export function renderLogin(main: HTMLElement, onSignedIn: (api: ServerApi) => void, notice?: string): void {
  const input = h('input', {
    type: 'password',
    id: 'api-key',
    name: 'api-key',
    autocomplete: 'off',
    required: true,
    placeholder: 'the key given to datamint-server with --api-key',
  });
  const status = h('div', { id: 'login-status' }, notice ? errorBox(notice) : null);
  const form = h(
    'form',
    { class: 'card login' },
    h('h1', {}, 'Sign in'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Open'),
    status,
    h('p', { class: 'muted' }, 'The key stays in this browser tab only (session storage).'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') return;
    replace(status, h('p', { class: 'muted' }, 'Checking the key…'));
    const api = new ServerApi(location.origin, key);
    try {
      await api.check();
    } catch (err) {
      replace(status, errorBox(err instanceof ApiError ? err.message : String(err)));
      return;
    }
    storeKey(key);
    onSignedIn(api);
  });
  replace(main, form);
  input.focus();
}
