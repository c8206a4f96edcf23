import {
  CloudFormationClient,
  CloudFormationServiceException,
  CreateChangeSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DeployMessage } from '../../../../src/deploy/run-deploy.js';
import { deployManagementStack } from '../../../../src/organization/deploy/management-stack.js';
import { recordingHost } from '../../../support/io-host.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const STACK = 'exposed-keys-member';
const TEMPLATE = JSON.stringify({ Description: 'exposed-keys member stack', Resources: {} });
const failedFirstDeploy = (status: StackStatus) => ({
  Stacks: [
    {
      StackName: STACK,
      StackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${STACK}/1`,
      StackStatus: status,
      Description: 'exposed-keys member stack',
      CreationTime: new Date(),
    },
  ],
});

beforeEach(() => cloudFormationMock.reset());

function deploy(answer: boolean) {
  const io = recordingHost<DeployMessage>(answer);
  const run = deployManagementStack(
    { managementCloudFormation: new CloudFormationClient({}), io, poll: { sleep: async () => {} } },
    { stackName: STACK, templateBody: TEMPLATE, parameters: {} },
  );
  return { io, run };
}

describe('deployManagementStack', () => {
  it.each(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED'] as const)(
    'keeps a member stack a failed first deploy left (%s) when the host declines to delete it',
    async (status) => {
      cloudFormationMock.on(DescribeStacksCommand).resolves(failedFirstDeploy(status));
      const { io, run } = deploy(false);

      const coverage = await run;

      expect(io.questions).toHaveLength(1);
      expect(io.questions[0]?.question).toContain(`left in ${status} by a failed first deploy`);
      expect(coverage).toMatchObject({ status: 'not-covered', stackName: STACK });
      expect(coverage.note).toContain(`aws cloudformation describe-stack-events --stack-name ${STACK}`);
      expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
      expect(cloudFormationMock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
    },
  );

  it('deletes it only once the host agrees, before any change set', async () => {
    let deleted = false;
    cloudFormationMock.on(DescribeStacksCommand).callsFake(() => {
      if (!deleted) return failedFirstDeploy('ROLLBACK_COMPLETE');
      throw new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: `Stack with id ${STACK} does not exist`,
      });
    });
    cloudFormationMock.on(DeleteStackCommand).callsFake(() => {
      deleted = true;
      return {};
    });
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cloudFormationMock.on(CreateChangeSetCommand).rejects(new Error('stop here'));
    const { io, run } = deploy(true);

    await expect(run).rejects.toThrow(/stop here/);
    expect(io.questions).toHaveLength(1);
    expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(1);
  });

  it('asks nothing about a stack in service, nor when there is none', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves(failedFirstDeploy('UPDATE_COMPLETE'));
    cloudFormationMock.on(CreateChangeSetCommand).rejects(new Error('stop here'));
    const { io, run } = deploy(false);

    await expect(run).rejects.toThrow(/stop here/);
    expect(io.questions).toHaveLength(0);
    expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });
});
