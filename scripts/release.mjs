#!/usr/bin/env node
// The release flow: apply changesets, build, publish every public package.
//
//   pnpm release                 version (changesets), build, publish, tag
//   pnpm release --dry-run       build and pack exactly what would be published, change nothing
//   pnpm release --dry-run --out DIR   ... and leave the tarballs in DIR (CI installs them with npm)
//
// Tarballs are made by `pnpm pack`, the same packer `pnpm publish` uses: it rewrites `workspace:^`
// ranges to the versions being released, which `npm pack` does not (its tarballs do not install).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Options read from argv; unknown flags are a usage error (exit 2). */
function parseArgs(argv) {
  const options = { dryRun: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') options.dryRun = true;
    else if (arg === '--out') options.out = argv[++i];
    else if (arg === '-h' || arg === '--help') {
      console.log('usage: pnpm release [--dry-run [--out DIR]]');
      process.exit(0);
    } else {
      console.error(`release: unknown option ${arg} (usage: pnpm release [--dry-run [--out DIR]])`);
      process.exit(2);
    }
  }
  if (options.out !== undefined && !options.dryRun) {
    console.error('release: --out only applies to --dry-run');
    process.exit(2);
  }
  return options;
}

function run(command, args, extra = {}) {
  console.error(`release: ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: root, stdio: 'inherit', ...extra });
}

/** The packages a release publishes: every non-private package under packages/. */
function publicPackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir)
    .map((name) => ({
      dir: join(dir, name),
      manifest: JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')),
    }))
    .filter((p) => p.manifest.private !== true);
}

function gitIsClean() {
  return execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() === '';
}

const options = parseArgs(process.argv.slice(2));
const packages = publicPackages();

if (options.dryRun) {
  // Nothing is versioned or published: show what the next version step would do, then pack.
  run('pnpm', ['exec', 'changeset', 'status', '--verbose']);
  run('pnpm', ['build']);
  const out = resolve(options.out ?? mkdtempSync(join(tmpdir(), 'datamint-release-')));
  mkdirSync(out, { recursive: true });
  for (const p of packages) run('pnpm', ['pack', '--pack-destination', out], { cwd: p.dir });
  console.log(`release (dry run): ${packages.length} tarballs in ${out}`);
  for (const file of readdirSync(out).filter((f) => f.endsWith('.tgz'))) console.log(`  ${file}`);
} else {
  if (!gitIsClean()) {
    console.error('release: the working tree has uncommitted changes; commit or stash them first');
    process.exit(1);
  }
  run('pnpm', ['exec', 'changeset', 'version']);
  // The version step rewrites manifests and changelogs; the lockfile must follow them.
  run('pnpm', ['install', '--lockfile-only']);
  run('pnpm', ['build']);
  // Provenance needs an OIDC identity from the CI provider (GitHub Actions with id-token: write);
  // elsewhere npm refuses --provenance, so it is added only where it can work.
  const provenance = process.env.ACTIONS_ID_TOKEN_REQUEST_URL ? ['--provenance'] : [];
  if (provenance.length === 0)
    console.error('release: no OIDC token in this environment, publishing without provenance');
  run('pnpm', ['publish', '-r', '--access', 'public', '--no-git-checks', ...provenance]);
  run('pnpm', ['exec', 'changeset', 'tag']);
  console.log('release: published; commit the version changes and push the tags (git push --follow-tags)');
}
