import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './harness.js';

/** The project root: bench modules run from `bench/` (type check) or `.bench/` (bundled), one level below it. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** True when the CLI has been built (`npm run build`, which `npm run bench` runs first). */
export function cliIsBuilt(): boolean {
  return existsSync(fileURLToPath(new URL('../dist/cli/main.js', import.meta.url)));
}

/** A copy of the built CLI that a rebuild of dist/ cannot change under a running benchmark. */
export interface CliSnapshot {
  /** Its `bin/exposed-keys.js`. */
  bin: string;
  remove(): void;
}

/**
 * Copies bin/, dist/ and package.json into `.bench/cli-<pid>/`: others building the project in the
 * same tree replace dist/ (new chunk names) while a benchmark runs. The copy sits in the project,
 * so the SDK still resolves from its node_modules; the bytes run are the same.
 */
export async function snapshotCli(): Promise<CliSnapshot> {
  const folder = join(PROJECT_ROOT, '.bench', `cli-${process.pid}`);
  const remove = () => rmSync(folder, { recursive: true, force: true });
  for (let attempt = 1; ; attempt += 1) {
    remove();
    mkdirSync(folder, { recursive: true });
    for (const entry of ['bin', 'dist', 'package.json'])
      cpSync(join(PROJECT_ROOT, entry), join(folder, entry), { recursive: true });
    // A copy taken during someone's build lacks chunks: take it again once the build is done.
    if (missingChunks(join(folder, 'dist')).length === 0)
      return { bin: join(folder, 'bin', 'exposed-keys.js'), remove };
    if (attempt === 10) {
      remove();
      throw new Error('dist/ kept changing while it was copied (a build running in the same tree?)');
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** The relative modules that the built files import but that are not there. */
function missingChunks(dist: string): string[] {
  const missing: string[] = [];
  const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.js'));
  if (!files.includes(join('cli', 'main.js'))) return ['cli/main.js'];
  for (const file of files) {
    const text = readFileSync(join(dist, file), 'utf8');
    for (const match of text.matchAll(/(?:from|import\()\s*"(\.{1,2}\/[^"]+)"/g)) {
      const target = join(dist, dirname(file), match[1] as string);
      if (!existsSync(target)) missing.push(target);
    }
  }
  return missing;
}

/** How one timed process ended. */
export interface TimedRun {
  wallMs: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command with exactly `env` (nothing inherited), timing it from spawn to exit as the
 * parent sees it. Never throws on a failing exit code: the caller decides what a failure means.
 */
export function timedRun(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; cwd?: string } = {},
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      const wallMs = performance.now() - start;
      clearTimeout(timer);
      resolve({ wallMs, code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

/** Fails with the command's last words when it did not exit with 0. */
export function succeeded(run: TimedRun, what: string): TimedRun {
  if (run.code !== 0) throw new Error(`${what} exited with ${run.code}: ${run.stderr.trim().slice(-600)}`);
  return run;
}

/** `min–max` of samples, rounded, for notes. */
export function spread(samples: readonly number[], digits = 0): string {
  return `${Math.min(...samples).toFixed(digits)}–${Math.max(...samples).toFixed(digits)}`;
}

/** The `q` quantile (0..1) of samples, by nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** A row for a measurement that could not be taken here: no figures, the reason in the note, not met. */
export function notMeasured(
  row: Pick<BenchResult, 'name' | 'baseline' | 'unit' | 'goal'>,
  reason: string,
): BenchResult {
  return {
    ...row,
    value: Number.NaN,
    baselineValue: Number.NaN,
    ratio: Number.NaN,
    met: false,
    note: `not measured: ${reason}`,
  };
}

/** A goal "at most `goal` times the baseline", in words. */
export function ratioGoal(goal: number): string {
  return goal < 1 ? `<= ${goal} (${(1 / goal).toFixed(0)}x faster)` : `<= ${goal}`;
}
