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
import { InvalidInputError } from '../../../../src/errors.js';
import {
  checkManagementStack,
  deployManagementStack,
  type ManagementStackCheck,
} from '../../../../src/organization/deploy/management-stack.js';
import { recordingHost } from '../../../support/io-host.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const STACK = 'exposed-keys-member';
const TEMPLATE = JSON.stringify({ Description: 'exposed-keys member stack', Resources: {} });

function stackIn(status: StackStatus, description = 'exposed-keys member stack') {
  return {
    Stacks: [
      {
        StackName: STACK,
        StackId: `arn:aws:cloudformation:us-east-1:111111111111:stack/${STACK}/1`,
        StackStatus: status,
        Description: description,
        CreationTime: new Date(),
      },
    ],
  };
}

const stackMissing = () =>
  new CloudFormationServiceException({
    name: 'ValidationError',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: `Stack with id ${STACK} does not exist`,
  });

beforeEach(() => cloudFormationMock.reset());

function hostAnswering(answer: boolean) {
  const io = recordingHost<DeployMessage>(answer);
  return { io, deps: { managementCloudFormation: new CloudFormationClient({}), io, poll: { sleep: async () => {} } } };
}

function deploy(answer: boolean, check?: ManagementStackCheck) {
  const { io, deps } = hostAnswering(answer);
  return { io, run: deployManagementStack(deps, { stackName: STACK, templateBody: TEMPLATE, parameters: {}, check }) };
}

describe('checkManagementStack', () => {
  it.each(['ROLLBACK_COMPLETE', 'ROLLBACK_FAILED'] as const)(
    'asks whether a member stack a failed first deploy left (%s) may be deleted, and changes nothing',
    async (status) => {
      cloudFormationMock.on(DescribeStacksCommand).resolves(stackIn(status));
      for (const answer of [true, false]) {
        const { io, deps } = hostAnswering(answer);

        expect(await checkManagementStack(deps, STACK)).toEqual({ failedStatus: status, deleteFailedStack: answer });
        expect(io.questions).toHaveLength(1);
        expect(io.questions[0]?.question).toContain(`left in ${status} by a failed first deploy`);
      }
      expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    },
  );

  it('asks nothing about a stack in service, nor when there is none', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolvesOnce(stackIn('UPDATE_COMPLETE')).rejects(stackMissing());
    const { io, deps } = hostAnswering(false);

    expect(await checkManagementStack(deps, STACK)).toEqual({ deleteFailedStack: false });
    expect(await checkManagementStack(deps, STACK)).toEqual({ deleteFailedStack: false });
    expect(io.questions).toHaveLength(0);
  });

  it('refuses a stack of that name exposed-keys did not make', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves(stackIn('ROLLBACK_COMPLETE', 'Someone else'));
    const { io, deps } = hostAnswering(true);

    await expect(checkManagementStack(deps, STACK)).rejects.toBeInstanceOf(InvalidInputError);
    expect(io.questions).toHaveLength(0);
  });
});

describe('deployManagementStack', () => {
  it('keeps a member stack a failed first deploy left when the host declined, and says what to do', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves(stackIn('ROLLBACK_COMPLETE'));
    const { io, run } = deploy(true, { failedStatus: 'ROLLBACK_COMPLETE', deleteFailedStack: false });

    const coverage = await run;

    expect(coverage).toMatchObject({ status: 'not-covered', stackName: STACK });
    expect(coverage.note).toContain(`aws cloudformation describe-stack-events --stack-name ${STACK}`);
    expect(io.questions).toHaveLength(0);
    expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(cloudFormationMock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });

  it('deletes it when the host agreed, before any change set', async () => {
    let deleted = false;
    cloudFormationMock.on(DescribeStacksCommand).callsFake(() => {
      if (deleted) throw stackMissing();
      return stackIn('ROLLBACK_COMPLETE');
    });
    cloudFormationMock.on(DeleteStackCommand).callsFake(() => {
      deleted = true;
      return {};
    });
    cloudFormationMock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    cloudFormationMock.on(CreateChangeSetCommand).rejects(new Error('stop here'));
    const { run } = deploy(false, { failedStatus: 'ROLLBACK_COMPLETE', deleteFailedStack: true });

    await expect(run).rejects.toThrow(/stop here/);
    expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(1);
  });

  it('refuses, without deleting, a stack that failed after it was checked', async () => {
    cloudFormationMock.on(DescribeStacksCommand).resolves(stackIn('ROLLBACK_FAILED'));
    const { run } = deploy(true, { deleteFailedStack: false });

    await expect(run).rejects.toThrow(/left in ROLLBACK_FAILED by a failed first deploy, and was not deleted/);
    expect(cloudFormationMock.commandCalls(DeleteStackCommand)).toHaveLength(0);
    expect(cloudFormationMock.commandCalls(CreateChangeSetCommand)).toHaveLength(0);
  });
});
