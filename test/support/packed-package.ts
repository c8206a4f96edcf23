import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectPaths } from '../../src/common/project-root.js';
import { type CliResult, outcomeOf } from './cli-runner.js';

/** What `npm pack --json` says of the tarball it wrote. */
export interface PackedTarball {
  path: string;
  /** Bytes of the .tgz. */
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

/**
 * This machine's environment without what npm sets for the scripts it runs (`npm_config_*` from
 * `npm test` would otherwise steer the npm a test starts), as a user's shell would have it.
 */
export function shellEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const env = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !/^npm_/i.test(entry[0]),
  );
  return { ...Object.fromEntries(env), ...overrides };
}

/** Runs `command args` in `cwd` with exactly `env`, and waits for it to end (killed after `timeoutMs`). */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
  const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return outcomeOf(child, options.timeoutMs ?? 120_000);
}

/**
 * Packs the project as `npm pack` does for a release, from the build already in dist/ (`npm test`
 * builds first; prepack would rebuild dist/ under the other test files running from it).
 */
export async function packProject(destination: string): Promise<PackedTarball> {
  const paths = projectPaths();
  if (!existsSync(join(paths.prebuiltArtifacts, 'artifact.json')))
    throw new Error(`The package is not built (${paths.prebuiltArtifacts}): run \`npm run build\`.`);
  const run = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], {
    cwd: paths.root,
    env: shellEnvironment(),
  });
  if (run.code !== 0) throw new Error(`npm pack failed: ${run.stderr}`);
  const [packed] = JSON.parse(run.stdout) as { filename: string; size: number; unpackedSize: number; files: [] }[];
  if (!packed) throw new Error(`npm pack said nothing: ${run.stdout}`);
  return { ...packed, path: join(destination, packed.filename) };
}

/** An empty project at `folder`, as `npm init` leaves it, for a user to install into. */
export async function emptyProject(folder: string): Promise<string> {
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'package.json'), `${JSON.stringify({ name: 'trying-exposed-keys', private: true })}\n`);
  return folder;
}
