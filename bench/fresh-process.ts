import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The variable that tells a bench module it was started to run one task and print its result. */
const TASK_VARIABLE = 'EXPOSED_KEYS_BENCH_TASK';

/** The task this process was started for, or undefined in the process that runs the benchmarks. */
export function currentTask<T>(): T | undefined {
  const task = process.env[TASK_VARIABLE];
  return task ? (JSON.parse(task) as T) : undefined;
}

/** Prints the task's result for the parent to read (the last line of stdout). */
export function reportResult(result: unknown): void {
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

/** What a command run by {@link runCommand} gave. */
export interface CommandRun {
  wallMs: number;
  stdout: string;
}

/** Runs a command to its end, timing it from spawn to exit. */
export function runCommand(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      const wallMs = performance.now() - start;
      if (code !== 0)
        reject(new Error(`${command} exited with ${code}: ${Buffer.concat(err).toString().trim().slice(-500)}`));
      else resolve({ wallMs, stdout: Buffer.concat(out).toString() });
    });
  });
}

/**
 * Runs `task` in a fresh Node process started from the bench module at `moduleUrl` (its
 * `import.meta.url`), which must call {@link currentTask} at its top level and report a result.
 */
export async function runInFreshProcess<T>(moduleUrl: string, task: unknown): Promise<{ result: T; wallMs: number }> {
  const run = await runCommand(process.execPath, [fileURLToPath(moduleUrl)], {
    [TASK_VARIABLE]: JSON.stringify(task),
  });
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return { result: JSON.parse(last) as T, wallMs: run.wallMs };
}
