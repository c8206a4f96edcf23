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
 * from `src/deploy/*.ts` (tests), `dist/deploy/*.js` (the built CLI) and an installed package.
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

/** Where the deploy library reads and writes, relative to the project root. */
export interface ProjectPaths {
  root: string;
  /** `src/lambda`: the handlers' sources (absent from an installed package). */
  lambdaSources: string;
  /** `.artifacts`: built artifacts (git-ignored). */
  artifacts: string;
  /** `dist/artifact`: where a published package ships its prebuilt artifact. */
  prebuiltArtifacts: string;
  /** `cloudformation/exposed-keys.yaml`: the stack template. */
  template: string;
}

/** The {@link ProjectPaths} of the project at `root` (default: this module's project). */
export function projectPaths(root: string = projectRoot()): ProjectPaths {
  return {
    root,
    lambdaSources: join(root, 'src', 'lambda'),
    artifacts: join(root, '.artifacts'),
    prebuiltArtifacts: join(root, 'dist', 'artifact'),
    template: join(root, 'cloudformation', 'exposed-keys.yaml'),
  };
}
