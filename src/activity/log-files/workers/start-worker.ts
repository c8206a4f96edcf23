import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { projectPaths } from '../../../common/project-root.js';

/**
 * Starts one log-file worker thread with the given options (its `workerData`), and returns it
 * as soon as it is constructed: its events are listened to from then on.
 */
export type StartWorker = (options: WorkerOptions) => Worker | Promise<Worker>;

let script: Promise<URL> | undefined;

/*
 * Where the worker's code is:
 * - running from the TypeScript sources (tests, or any runner of .ts files), a plain Worker cannot
 *   load .ts: the worker's source is bundled with esbuild (a dependency already, for packaging)
 *   into one self-contained module, once per process, and run from a data: URL, which needs no file;
 * - running built, the worker entry that scripts/build.mjs writes into the project's dist/.
 * Nothing is looked for elsewhere (the working directory, say). When neither is there, the workers
 * cannot start and the files are read on the calling thread.
 */
async function locate(): Promise<URL> {
  if (import.meta.url.endsWith('.ts')) return bundled(new URL('./worker-entry.ts', import.meta.url));
  const built = projectPaths().logFileWorker;
  if (existsSync(built)) return pathToFileURL(built);
  throw new Error(`No log-file worker script at ${built}.`);
}

async function bundled(source: URL): Promise<URL> {
  const { build } = await import('esbuild');
  const output = await build({
    entryPoints: [fileURLToPath(source)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
  const [file] = output.outputFiles;
  if (!file) throw new Error(`esbuild gave no output for ${source.href}.`);
  return new URL(`data:text/javascript;base64,${Buffer.from(file.contents).toString('base64')}`);
}

/**
 * Starts a log-file worker thread from the worker script of this build (see above).
 *
 * @throws Error when there is no worker script to start.
 */
export async function startLogFileWorker(options: WorkerOptions): Promise<Worker> {
  script ??= locate();
  return new Worker(await script, options);
}
