import {
  CloudFormationClient,
  ListChangeSetsCommand,
  type Stack,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { OWN_CHANGE_SET_DESCRIPTION, requireOwnStack } from '../../../src/deploy/own-stack.js';
import { InvalidInputError } from '../../../src/errors.js';

const cloudFormationMock = mockClient(CloudFormationClient);
const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });

function pending(name: string): Stack {
  return {
    StackName: name,
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/1`,
    StackStatus: 'REVIEW_IN_PROGRESS' as StackStatus,
    CreationTime: new Date(),
  };
}

beforeEach(() => cloudFormationMock.reset());

describe('a stack made by a change set never executed (REVIEW_IN_PROGRESS)', () => {
  it('is another team’s when its change sets are not exposed-keys’: destroy and deploy leave it alone', async () => {
    cloudFormationMock.on(ListChangeSetsCommand).resolves({
      Summaries: [
        { ChangeSetName: 'payments-v1', Description: 'payments release 1', StackId: pending('payments').StackId },
        // Another stack's, which an emulator lists too: not this stack's.
        { ChangeSetName: 'x', Description: OWN_CHANGE_SET_DESCRIPTION, StackId: 'arn:other' },
      ],
    });

    for (const action of ['destroy', 'deploy'] as const) {
      const check = requireOwnStack(cloudFormation, pending('payments'), 'payments', action);
      await expect(check).rejects.toBeInstanceOf(InvalidInputError);
      await expect(check).rejects.toThrow(
        `The stack payments is being made by a change set that is not exposed-keys', so ${action} leaves it alone; nothing was changed.`,
      );
    }
  });

  it('is exposed-keys’ when one of its change sets is, or none is left', async () => {
    cloudFormationMock
      .on(ListChangeSetsCommand)
      .resolvesOnce({ Summaries: [{ Description: 'other', StackId: pending('exposed-keys').StackId }], NextToken: 't' })
      .resolvesOnce({
        Summaries: [{ Description: OWN_CHANGE_SET_DESCRIPTION, StackId: pending('exposed-keys').StackId }],
      })
      .resolves({ Summaries: [] });

    await expect(requireOwnStack(cloudFormation, pending('exposed-keys'), 'exposed-keys', 'destroy')).resolves.toBe(
      undefined,
    );
    await expect(requireOwnStack(cloudFormation, pending('exposed-keys'), 'exposed-keys', 'destroy')).resolves.toBe(
      undefined,
    );
  });
});

describe('the change sets waiting on a stack in review', () => {
  it('leave out those being deleted and the caller’s own, over every page', async () => {
    const { waitingChangeSets } = await import('../../../src/deploy/own-stack.js');
    const stack = pending('exposed-keys');
    cloudFormationMock
      .on(ListChangeSetsCommand)
      .resolvesOnce({
        Summaries: [
          { ChangeSetName: 'mine', StackId: stack.StackId, Status: 'CREATE_COMPLETE' },
          { ChangeSetName: 'gone', StackId: stack.StackId, Status: 'DELETE_PENDING' },
        ],
        NextToken: 't',
      })
      .resolvesOnce({ Summaries: [{ ChangeSetName: 'theirs', StackId: stack.StackId, Status: 'CREATE_COMPLETE' }] });

    const waiting = await waitingChangeSets(cloudFormation, stack, 'mine');

    expect(waiting.map((change) => change.name)).toEqual(['theirs']);
  });

  it('refuse, saying which permission tells, when CloudFormation does not list them', async () => {
    cloudFormationMock.on(ListChangeSetsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    const check = requireOwnStack(cloudFormation, pending('exposed-keys'), 'exposed-keys', 'destroy');

    await expect(check).rejects.toBeInstanceOf(InvalidInputError);
    await expect(check).rejects.toMatchObject({ hint: expect.stringContaining('cloudformation:ListChangeSets') });
  });
});
