import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'exposed-keys';

function isProjectRoot(folder: string): boolean {
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/**
 * The folder of exposed-keys' package.json, found by walking up from this module. It works the same
 * from the sources (tests), the built CLI in `dist/` (whichever chunk holds this code) and an
 * installed package, so that moving a module never breaks a path.
 */
export function projectRoot(from: string = fileURLToPath(import.meta.url)): string {
  let folder = dirname(from);
  for (;;) {
    if (isProjectRoot(folder)) return folder;
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`No ${PACKAGE_NAME} package.json above ${from}`);
    folder = parent;
  }
}

/** The files and folders of the project that code reads, each named once. */
export interface ProjectPaths {
  root: string;
  /** `package.json`: the version. */
  packageJson: string;
  /** `bin/exposed-keys.js`: the CLI as a user runs it. */
  bin: string;
  /** `src/lambda`: the handlers' sources (absent from an installed package). */
  lambdaSources: string;
  /** `.artifacts`: built artifacts (git-ignored). */
  artifacts: string;
  /** `dist/artifact`: where a published package ships its prebuilt artifact. */
  prebuiltArtifacts: string;
  /** `cloudformation/exposed-keys.yaml`: the stack template. */
  template: string;
  /** `cloudformation/member.yaml`: the member account's template (organisation mode). */
  memberTemplate: string;
  /** `dist/activity/log-files/workers/worker-entry.js`: the built log-file worker thread. */
  logFileWorker: string;
  /** `data/cloudtrail/stratus-invictus.json.gz`: the recorded attack (a clone only). */
  dataSet: string;
}

/** The {@link ProjectPaths} of the project at `root` (default: this module's project). */
export function projectPaths(root: string = projectRoot()): ProjectPaths {
  return {
    root,
    packageJson: join(root, 'package.json'),
    bin: join(root, 'bin', 'exposed-keys.js'),
    lambdaSources: join(root, 'src', 'lambda'),
    artifacts: join(root, '.artifacts'),
    prebuiltArtifacts: join(root, 'dist', 'artifact'),
    template: join(root, 'cloudformation', 'exposed-keys.yaml'),
    memberTemplate: join(root, 'cloudformation', 'member.yaml'),
    logFileWorker: join(root, 'dist', 'activity', 'log-files', 'workers', 'worker-entry.js'),
    dataSet: join(root, 'data', 'cloudtrail', 'stratus-invictus.json.gz'),
  };
}

/** The version in package.json. */
export function packageVersion(root?: string): string {
  return (JSON.parse(readFileSync(projectPaths(root).packageJson, 'utf8')) as { version: string }).version;
}
