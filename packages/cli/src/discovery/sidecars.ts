import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DiscoveredFile } from './walk';

export function isNifti(file: Pick<DiscoveredFile, 'extension'>): boolean {
  return file.extension === 'nii' || file.extension === 'nii.gz';
}

/** `dir/scan.nii.gz` → `dir/scan.json`. */
export function sidecarPathFor(path: string): string {
  const name = path.split(/[\\/]/).pop()!;
  const base = name.replace(/\.nii(\.gz)?$/i, '');
  return join(dirname(path), `${base}.json`);
}

export interface SidecarPairing {
  files: DiscoveredFile[];
  /** Image path → its JSON metadata file. */
  metadata: Map<string, string>;
}

/**
 * BIDS-style metadata: `X.json` next to `X.nii`/`X.nii.gz` travels with the volume as its
 * metadata and is not uploaded as a resource of its own.
 */
export function pairJsonSidecars(files: readonly DiscoveredFile[]): SidecarPairing {
  const metadata = new Map<string, string>();
  for (const file of files) {
    if (!isNifti(file)) continue;
    const sidecar = sidecarPathFor(file.path);
    if (existsSync(sidecar)) metadata.set(file.path, sidecar);
  }
  const used = new Set(metadata.values());
  return { files: files.filter((f) => !used.has(f.path)), metadata };
}
