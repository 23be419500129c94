/**
 * One version for everything released together: every package.json of the workspace (and the pins between them),
 * the Python SDK, the Go SDK's `Version` and omp-mcp's server version.
 *
 *   npm run release:version            # print the version; exit 1, naming each file, if any file disagrees
 *   npm run release:version -- 0.4.0   # set it everywhere, then refresh package-lock.json
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface PackageJson {
  name: string;
  version: string;
  workspaces?: string[];
  [deps: string]: unknown;
}

/** A file that states the version, with how to read and write it. */
interface VersionSite {
  file: string;
  pattern: RegExp;
}

/** Version-bearing files outside package.json; each pattern's first group is the version. */
const SITES: VersionSite[] = [
  { file: 'sdk-python/pyproject.toml', pattern: /^version = "([^"]+)"$/m },
  { file: 'sdk-python/src/omp_sdk/__init__.py', pattern: /^__version__ = "([^"]+)"$/m },
  { file: 'sdk-go/client.go', pattern: /^const Version = "([^"]+)"$/m },
  { file: 'adapters/mcp/src/version.ts', pattern: /^export const version = '([^']+)';$/m },
];

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const DEP_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

function manifests(): { file: string; pkg: PackageJson }[] {
  const root = JSON.parse(read('package.json')) as PackageJson;
  return [
    { file: 'package.json', pkg: root },
    ...(root.workspaces ?? []).map((w) => ({
      file: `${w}/package.json`,
      pkg: JSON.parse(read(`${w}/package.json`)) as PackageJson,
    })),
  ];
}

/** Every place a version is stated, with the version found there. */
export function statedVersions(): { where: string; version: string }[] {
  const all = manifests();
  const names = new Set(all.map((m) => m.pkg.name));
  const out: { where: string; version: string }[] = [];
  for (const { file, pkg } of all) {
    out.push({ where: file, version: pkg.version });
    for (const field of DEP_FIELDS) {
      const deps = (pkg[field] ?? {}) as Record<string, string>;
      for (const [dep, range] of Object.entries(deps)) {
        if (names.has(dep)) out.push({ where: `${file} ${field}.${dep}`, version: range });
      }
    }
  }
  for (const site of SITES) {
    out.push({ where: site.file, version: site.pattern.exec(read(site.file))?.[1] ?? '(not found)' });
  }
  return out;
}

/** Set `version` everywhere `statedVersions` looks. */
export function setVersion(version: string): void {
  const all = manifests();
  const names = new Set(all.map((m) => m.pkg.name));
  for (const { file, pkg } of all) {
    pkg.version = version;
    for (const field of DEP_FIELDS) {
      const deps = (pkg[field] ?? {}) as Record<string, string>;
      for (const dep of Object.keys(deps)) if (names.has(dep)) deps[dep] = version;
    }
    writeFileSync(join(ROOT, file), `${JSON.stringify(pkg, null, 2)}\n`);
  }
  for (const site of SITES) {
    const text = read(site.file);
    const m = site.pattern.exec(text);
    if (!m) throw new Error(`${site.file}: no version found`);
    writeFileSync(join(ROOT, site.file), text.replace(m[0], m[0].replace(m[1] as string, version)));
  }
}

if (import.meta.main) {
  const wanted = process.argv[2];
  if (wanted !== undefined) {
    if (!semver.valid(wanted)) {
      console.error(`release:version: not a semantic version: ${wanted}`);
      process.exit(2);
    }
    setVersion(wanted);
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  const stated = statedVersions();
  const version = JSON.parse(read('package.json')).version as string;
  const off = stated.filter((s) => s.version !== version);
  if (off.length > 0) {
    console.error(`release:version: these disagree with package.json's ${version}:`);
    for (const s of off) console.error(`  ${s.where}: ${s.version}`);
    console.error('Set one version everywhere with: npm run release:version -- <version>');
    process.exit(1);
  }
  console.log(version);
}
