import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPaths, projectRoot } from '../../../src/common/project-root.js';

describe('projectRoot', () => {
  it("finds exposed-keys' package.json above this module", () => {
    const root = projectRoot();

    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('exposed-keys');
  });

  it('finds the same root from a built chunk in dist/chunks', () => {
    const root = projectRoot();

    expect(projectRoot(join(root, 'dist', 'chunks', 'chunk-ABCDEF.js'))).toBe(root);
  });

  it('puts the sources, artifacts and template where the project keeps them', () => {
    expect(projectPaths('/project')).toEqual({
      root: '/project',
      packageJson: '/project/package.json',
      bin: '/project/bin/exposed-keys.js',
      lambdaSources: '/project/src/lambda',
      artifacts: '/project/.artifacts',
      prebuiltArtifacts: '/project/dist/artifact',
      template: '/project/cloudformation/exposed-keys.yaml',
      memberTemplate: '/project/cloudformation/member.yaml',
      logFileWorker: '/project/dist/activity/log-files/workers/worker-entry.js',
      dataSet: '/project/data/cloudtrail/stratus-invictus.json.gz',
    });
  });
});
