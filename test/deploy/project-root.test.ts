import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPaths, projectRoot } from '../../src/deploy/project-root.js';

describe('projectRoot', () => {
  it("finds exposed-keys' package.json above this module", () => {
    const root = projectRoot();

    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('exposed-keys');
  });

  it('finds the same root from the built module in dist/deploy', () => {
    const root = projectRoot();

    expect(projectRoot(join(root, 'dist', 'deploy', 'project-root.js'))).toBe(root);
  });

  it('puts the sources, artifacts and template where the project keeps them', () => {
    expect(projectPaths('/project')).toEqual({
      root: '/project',
      lambdaSources: '/project/src/lambda',
      artifacts: '/project/.artifacts',
      prebuiltArtifacts: '/project/dist/artifact',
      template: '/project/cloudformation/exposed-keys.yaml',
    });
  });
});
