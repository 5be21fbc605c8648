// The API key lives in sessionStorage: it survives reloads of this tab, never other tabs or a restart
// of the browser, and is never written into the URL or the page.

const KEY = 'datamint.apiKey';

/** The key entered in this tab, if any. */
export function storedKey(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeKey(key: string): void {
  sessionStorage.setItem(KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(KEY);
}
