import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { deployJson, renderDeployReport } from '../../../../src/cli/render/deploy.js';
import type { DeployReport } from '../../../../src/deploy/run-deploy.js';

const report: DeployReport = {
  outcome: 'deployed',
  stackName: 'exposed-keys',
  artifact: {
    bucket: 'b',
    key: 'lambda/x.zip',
    versionId: 'v1',
    upload: 'uploaded',
    signing: 'none',
    source: 'built',
  },
  status: 'CREATE_COMPLETE',
  state: 'succeeded',
  stackId: 'arn:stack',
  changes: [
    { action: 'Add', logicalId: 'Topic', physicalId: undefined, type: 'AWS::SNS::Topic', replacement: undefined },
  ],
  changeSetId: 'arn:change-set',
  resources: [
    {
      logicalId: 'Topic',
      physicalId: 'arn:topic',
      type: 'AWS::SNS::Topic',
      status: 'CREATE_COMPLETE',
      reason: undefined,
    },
  ],
  outputs: { TopicArn: 'arn:topic' },
  events: [],
};

describe('deployJson', () => {
  it('prints a deployment as the stack, the artifact, the changes, the resources and the outputs', () => {
    expect(deployJson(report)).toEqual({
      stackName: 'exposed-keys',
      artifact: {
        bucket: 'b',
        key: 'lambda/x.zip',
        versionId: 'v1',
        upload: 'uploaded',
        signing: 'none',
        source: 'built',
      },
      status: 'CREATE_COMPLETE',
      noChanges: false,
      changes: report.changes,
      resources: report.resources,
      outputs: report.outputs,
    });
  });

  it('prints null, rather than leave the key out, for a version or a change set there is none of', () => {
    const json = deployJson({
      ...report,
      outcome: 'aborted',
      status: 'REVIEW',
      artifact: { ...(report.artifact as NonNullable<DeployReport['artifact']>), versionId: undefined },
      changeSetId: undefined,
    }) as { artifact: Record<string, unknown>; changeSet: unknown };

    expect(json.artifact.versionId).toBeNull();
    expect(json.changeSet).toBeNull();
    expect(JSON.parse(JSON.stringify(json)).artifact).toHaveProperty('versionId', null);
  });

  it('prints a change set left for review with its id and status REVIEW', () => {
    expect(deployJson({ ...report, outcome: 'review', status: 'REVIEW' })).toEqual({
      stackName: 'exposed-keys',
      artifact: {
        bucket: 'b',
        key: 'lambda/x.zip',
        versionId: 'v1',
        upload: 'uploaded',
        signing: 'none',
        source: 'built',
      },
      status: 'REVIEW',
      noChanges: false,
      changeSet: 'arn:change-set',
      changes: report.changes,
    });
  });
});

describe('renderDeployReport', () => {
  it('names the change set left for review, and the resources of a deployed stack', () => {
    const palette = paletteOf(false);

    expect(renderDeployReport({ ...report, outcome: 'review' }, palette)).toBe(
      'Change set left for review: arn:change-set',
    );
    expect(renderDeployReport(report, palette)).toMatch(/exposed-keys: CREATE_COMPLETE[\s\S]*Topic\s+AWS::SNS::Topic/);
  });
});
