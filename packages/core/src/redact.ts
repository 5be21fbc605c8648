const SECRET_PARAM = /^(api[-_]?key|key|token|access[-_]?token|secret|password|signature)$/i;
const MASK = '***';

/** Replaces every occurrence of each secret in `text` (secrets shorter than 4 chars are too ambiguous). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** A URL safe to show: secret-looking query parameters and any known secret masked. */
export function redactUrl(url: string, secrets: readonly (string | undefined)[]): string {
  let shown = url;
  // Without a query or user info there is nothing to parse for: every request's URL is redacted,
  // and parsing it was a measurable share of the CPU of each small upload.
  if (!url.includes('?') && !url.includes('@')) return redactSecrets(shown, secrets);
  try {
    const parsed = new URL(url);
    let changed = false;
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) {
        parsed.searchParams.set(name, MASK);
        changed = true;
      }
    }
    if (parsed.password) {
      parsed.password = MASK;
      changed = true;
    }
    if (changed) shown = parsed.toString();
  } catch {
    // Not a URL we can parse: fall back to masking known secrets only.
  }
  return redactSecrets(shown, secrets);
}

/** An API key as it may be shown (`datamint config`): its first 4 and last 2 characters, or `(none)`. */
export function maskKey(key: string | undefined): string {
  if (!key) return '(none)';
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 4)}${'*'.repeat(Math.min(12, key.length - 6))}${key.slice(-2)}`;
}
