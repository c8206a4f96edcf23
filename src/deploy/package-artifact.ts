import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectPaths } from '../common/project-root.js';
import { bundleHandlers, HANDLERS } from './bundle-handlers.js';
import { ArtifactUnavailableError } from './deploy-errors.js';
import { readPrebuiltArtifact } from './prebuilt-artifact.js';
import { zipReproducibly } from './reproducible-zip.js';

/** The Lambda artifact: one zip holding `contain.mjs`, `investigate.mjs`, `notify.mjs` and `undelivered.mjs`. */
export interface Artifact {
  /** Absolute path of `exposed-keys-lambda-<sha256 prefix>.zip`. */
  zipPath: string;
  fileName: string;
  /** SHA-256 of the zip, hex: the same sources give the same value. */
  sha256: string;
  bytes: number;
  /** The folder of the unzipped `.mjs` handlers; absent for a prebuilt artifact. */
  lambdaDir: string | undefined;
  /** `built` now, `cached` (sources unchanged since the last build), or `prebuilt` (shipped in the package). */
  source: 'built' | 'cached' | 'prebuilt';
}

/** Where to build, and whether to build even when nothing changed. */
export interface ArtifactOptions {
  /** The project root (default: found from this module). */
  root?: string;
  /** Where the zip, `lambda/` and the manifest go (default `<root>/.artifacts`). */
  outDir?: string;
  /** Build even when the manifest says the sources have not changed. */
  force?: boolean;
}

/** Bumped when the bundling or zipping recipe changes, so that older artifacts are rebuilt. */
const RECIPE = 3;
const MANIFEST = 'manifest.json';
const FILE_PREFIX = 'exposed-keys-lambda-';

interface Manifest {
  recipe: number;
  tools: string;
  inputsDigest: string;
  inputs: string[];
  fileName: string;
  sha256: string;
  bytes: number;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The bundler and zipper versions: a new one may write other bytes from the same sources. */
function toolVersions(): string {
  const require = createRequire(import.meta.url);
  return ['esbuild', 'fflate']
    .map((name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`)
    .join(' ');
}

async function digestOf(root: string, inputs: readonly string[]): Promise<string | undefined> {
  const hash = createHash('sha256');
  for (const input of inputs) {
    let content: Buffer;
    try {
      content = await readFile(join(root, input));
    } catch {
      return undefined;
    }
    hash.update(`${input}\0${sha256(content)}\n`);
  }
  return hash.digest('hex');
}

async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  // Tests build in parallel processes: a reader must never see half a file.
  const temporary = `${path}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function readManifest(outDir: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** The artifact of the last build when its sources, tools and outputs are unchanged. */
async function cachedArtifact(root: string, outDir: string, tools: string): Promise<Artifact | undefined> {
  const manifest = await readManifest(outDir);
  if (!manifest || manifest.recipe !== RECIPE || manifest.tools !== tools) return undefined;
  if ((await digestOf(root, manifest.inputs)) !== manifest.inputsDigest) return undefined;
  const lambdaDir = join(outDir, 'lambda');
  if (!HANDLERS.every((name) => existsSync(join(lambdaDir, `${name}.mjs`)))) return undefined;
  const zipPath = join(outDir, manifest.fileName);
  let zip: Buffer;
  try {
    zip = await readFile(zipPath);
  } catch {
    return undefined;
  }
  if (sha256(zip) !== manifest.sha256) return undefined;
  return {
    zipPath,
    fileName: manifest.fileName,
    sha256: manifest.sha256,
    bytes: zip.length,
    lambdaDir,
    source: 'cached',
  };
}

/**
 * Bundles the handlers and zips them into `<outDir>/exposed-keys-lambda-<sha256 prefix>.zip`,
 * with the unzipped `.mjs` files in `<outDir>/lambda/` (so that tests can import the real handlers)
 * and a manifest of the inputs. The same sources give the same bytes and hash.
 *
 * @throws ArtifactUnavailableError when the project has no `src/lambda`.
 * @throws BundleError when esbuild cannot bundle the handlers.
 */
export async function buildArtifact(options: ArtifactOptions = {}): Promise<Artifact> {
  const paths = projectPaths(options.root);
  const outDir = options.outDir ?? paths.artifacts;
  if (!existsSync(paths.lambdaSources))
    throw new ArtifactUnavailableError(`Cannot build the Lambda artifact: ${paths.lambdaSources} does not exist.`);
  const bundle = await bundleHandlers(paths.root);
  const zip = zipReproducibly(bundle.files);
  const hash = sha256(zip);
  const fileName = `${FILE_PREFIX}${hash.slice(0, 16)}.zip`;
  const lambdaDir = join(outDir, 'lambda');
  await mkdir(lambdaDir, { recursive: true });
  await rm(lambdaDir, { recursive: true, force: true });
  await mkdir(join(lambdaDir, 'chunks'), { recursive: true });
  for (const [name, contents] of bundle.files) await writeAtomically(join(lambdaDir, name), contents);
  const zipPath = join(outDir, fileName);
  await writeAtomically(zipPath, zip);
  for (const stale of await readdir(outDir))
    if (stale.startsWith(FILE_PREFIX) && stale.endsWith('.zip') && stale !== fileName)
      await rm(join(outDir, stale), { force: true });
  const manifest: Manifest = {
    recipe: RECIPE,
    tools: toolVersions(),
    inputsDigest: (await digestOf(paths.root, bundle.inputs)) ?? '',
    inputs: bundle.inputs,
    fileName,
    sha256: hash,
    bytes: zip.length,
  };
  await writeAtomically(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return { zipPath, fileName, sha256: hash, bytes: zip.length, lambdaDir, source: 'built' };
}

/**
 * The Lambda artifact, built if needed: the last build is reused when no source it was made from
 * has changed. Without sources (an installed package), the prebuilt artifact shipped in
 * `dist/artifact/` is used, once its bytes match the hash its manifest records.
 *
 * @throws ArtifactUnavailableError when there are neither sources nor a prebuilt artifact, or the
 *   prebuilt artifact was altered.
 * @throws BundleError when esbuild cannot bundle the handlers.
 */
export async function ensureArtifact(options: ArtifactOptions = {}): Promise<Artifact> {
  const paths = projectPaths(options.root);
  const outDir = options.outDir ?? paths.artifacts;
  if (!existsSync(paths.lambdaSources)) {
    const prebuilt = await readPrebuiltArtifact(paths.prebuiltArtifacts);
    if (prebuilt) return { ...prebuilt, lambdaDir: undefined, source: 'prebuilt' };
    throw new ArtifactUnavailableError(
      `Cannot build the Lambda artifact: ${paths.lambdaSources} does not exist, and no prebuilt artifact is in ${paths.prebuiltArtifacts}.`,
    );
  }
  if (!options.force) {
    const cached = await cachedArtifact(paths.root, outDir, toolVersions());
    if (cached) return cached;
  }
  return buildArtifact(options);
}
