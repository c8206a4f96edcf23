/*
 * What a user does with the package, from the tarball `npm pack` writes: install it into an empty
 * project, offline, with an empty npm cache (it has no dependencies to fetch), then `npx
 * exposed-keys` against moto: deploy, simulate on this machine, status, destroy. The installed CLI
 * has no sources: it deploys the Lambda artifact the package ships.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/common/project-root.js';
import { ensureArtifact } from '../../src/deploy/package-artifact.js';
import { MOTO_ACCOUNT, useCliEnvironment } from '../support/cli-env.js';
import type { CliResult } from '../support/cli-runner.js';
import {
  emptyProject,
  type PackedTarball,
  packProject,
  runCommand,
  shellEnvironment,
} from '../support/packed-package.js';

const cli = useCliEnvironment();

let scratch: string;
let tarball: PackedTarball;
let project: string;
let install: CliResult;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'exposed-keys-packed-'));
  tarball = await packProject(scratch);
  project = await emptyProject(join(scratch, 'project'));
  install = await runCommand('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball.path], {
    cwd: project,
    env: shellEnvironment({ npm_config_cache: join(scratch, 'npm-cache') }),
  });
}, 180_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * `npx exposed-keys …args` in the project, with the CLI environment (moto behind the proxy). npm is
 * kept offline, so that only the installed package can answer, and quiet about its own updates.
 */
function npx(args: readonly string[]): Promise<CliResult> {
  return runCommand('npx', ['exposed-keys', ...args], {
    cwd: project,
    env: {
      ...cli().env,
      npm_config_cache: join(scratch, 'npm-cache'),
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
    },
  });
}

describe('installing the packed package', () => {
  it('installs from the tarball alone, offline, without an engine warning, and adds nothing else', async () => {
    expect(install.code, install.stderr).toBe(0);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/EBADENGINE|engine/i);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/install-scripts|deprecated/);
    expect((await readdir(join(project, 'node_modules'))).filter((name) => !name.startsWith('.'))).toEqual([
      'exposed-keys',
    ]);
    const installed = JSON.parse(await readFile(join(project, 'node_modules', 'exposed-keys', 'package.json'), 'utf8'));
    expect(installed.engines).toEqual({ node: '>=20' });
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(20);
  });

  it('carries only what runs: the CLI, the two templates, the Lambda artifact and the licences', () => {
    const paths = tarball.files.map((file) => file.path);

    for (const path of paths)
      expect(path, path).toMatch(
        /^(package\.json|README\.md|bin\/exposed-keys\.js|cloudformation\/(exposed-keys|member)\.yaml|dist\/.+)$/,
      );
    expect(paths.filter((path) => /\.(ts|map)$/.test(path))).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/cli/main.js',
        'dist/cli/help.txt',
        'dist/activity/log-files/workers/worker-entry.js',
        'dist/artifact/artifact.json',
        'dist/THIRD-PARTY-LICENSES.txt',
        // deploy --org sends it to the StackSet.
        'cloudformation/member.yaml',
      ]),
    );
  });

  it('ships the Lambda artifact the sources build, byte for byte', async () => {
    const folder = join(project, 'node_modules', 'exposed-keys', 'dist', 'artifact');
    const manifest = JSON.parse(await readFile(join(folder, 'artifact.json'), 'utf8'));
    const shipped = await readFile(join(folder, manifest.fileName));

    const built = await ensureArtifact();

    expect(createHash('sha256').update(shipped).digest('hex')).toBe(manifest.sha256);
    expect(manifest.sha256).toBe(built.sha256);
    expect(shipped.equals(await readFile(built.zipPath))).toBe(true);
  });

  it('answers --version with the version of package.json', async () => {
    const run = await npx(['--version']);

    expect(run).toMatchObject({ code: 0, stdout: `${packageVersion()}\n` });
  });
});

describe('using the installed package', () => {
  it('deploys the shipped artifact, simulates an incident on this machine, shows the status and destroys', async () => {
    const deploy = await npx(['deploy', '--yes', '--json']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(JSON.parse(deploy.stdout)).toMatchObject({
      status: 'CREATE_COMPLETE',
      artifact: { key: `lambda/${(await ensureArtifact()).sha256}.zip`, upload: 'uploaded', source: 'prebuilt' },
    });

    const simulate = await npx(['simulate', '--local', '--create-test-user', '--json']);
    expect(simulate.code, simulate.stderr).toBe(0);
    expect(JSON.parse(simulate.stdout).output.containment).toMatchObject({ outcome: 'deleted' });
    expect(cli().actions()).toContain('Publish');

    const status = await npx(['status', '--json']);
    // Deployed without --email: nobody receives the alerts, which status says with exit 3.
    expect(status.code, status.stderr).toBe(3);
    expect(JSON.parse(status.stdout).stack).toMatchObject({ status: 'CREATE_COMPLETE', state: 'succeeded' });

    const destroy = await npx(['destroy', '--yes', '--delete-bucket']);
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(destroy.stdout).toMatch(/Deleted exposed-keys/);
    const gone = await npx(['status']);
    expect(gone.code).toBe(3);
    expect(gone.stderr).toContain(`Stack exposed-keys was not found in us-east-1`);
    expect(MOTO_ACCOUNT).toMatch(/^\d{12}$/);
  }, 120_000);
});
