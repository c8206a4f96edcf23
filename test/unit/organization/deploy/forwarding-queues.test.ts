import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { forwardingProblems, renderForwardingQueues } from '../../../../src/cli/render/forwarding-queues.js';
import { forwardingQueues, undeliveredQueueName } from '../../../../src/organization/deploy/forwarding-queues.js';
import type { OrganizationStatus } from '../../../../src/organization/deploy/organization-status.js';
import { AccountAccessError } from '../../../../src/organization/organization-errors.js';

const QUEUE = 'exposed-keys-members-undelivered';

/** SQS in each account, as mocks: each answers its own queue's counts, or fails as told. */
function accounts(answers: Record<string, { visible: string; inFlight: string } | Error>) {
  const asked: string[] = [];
  const sqsIn = async (accountId: string) => {
    asked.push(accountId);
    const answer = answers[accountId];
    if (answer instanceof AccountAccessError) throw answer;
    const sqs = mockClient(new SQSClient({ region: 'us-east-1' }));
    if (answer instanceof Error) sqs.on(GetQueueUrlCommand).rejects(answer);
    else
      sqs
        .on(GetQueueUrlCommand, { QueueName: QUEUE, QueueOwnerAWSAccountId: accountId })
        .resolves({ QueueUrl: `https://sqs.us-east-1.amazonaws.com/${accountId}/${QUEUE}` })
        .on(GetQueueAttributesCommand, { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${accountId}/${QUEUE}` })
        .resolves({
          Attributes: {
            ApproximateNumberOfMessages: answer?.visible ?? '0',
            ApproximateNumberOfMessagesNotVisible: answer?.inFlight ?? '0',
          },
        });
    return sqs as unknown as SQSClient;
  };
  return { sqsIn, asked };
}

function statusWith(forwarding: OrganizationStatus['forwarding']): OrganizationStatus {
  return {
    organizationId: 'o-abc',
    managementAccountId: '111111111111',
    stackSet: {
      name: 'exposed-keys-members',
      status: 'ACTIVE',
      autoDeployment: true,
      callAs: 'SELF',
      responderRoleName: 'ir-responder',
    },
    instances: [],
    notCurrent: [],
    forwarding,
  };
}

describe('the members’ queues of events not forwarded', () => {
  it('are named after the StackSet, cut to the 80 characters SQS allows', () => {
    expect(undeliveredQueueName('exposed-keys-members')).toBe(QUEUE);
    const long = undeliveredQueueName(`s${'x'.repeat(127)}`);
    expect(long).toHaveLength(80);
    expect(long.endsWith('-undelivered')).toBe(true);
  });

  it('are counted in every account, visible and in-flight events alike, each account told apart', async () => {
    const { sqsIn, asked } = accounts({
      '222222222222': { visible: '0', inFlight: '0' },
      '333333333333': { visible: '2', inFlight: '1' },
      '444444444444': { visible: '0', inFlight: '1' },
    });

    const found = await forwardingQueues(sqsIn, {
      accountIds: ['444444444444', '222222222222', '333333333333'],
      queueName: QUEUE,
    });

    expect(asked.sort()).toEqual(['222222222222', '333333333333', '444444444444']);
    expect(found).toEqual({
      queueName: QUEUE,
      empty: ['222222222222'],
      waiting: [
        { accountId: '333333333333', messages: 3 },
        { accountId: '444444444444', messages: 1 },
      ],
      unread: [],
    });
  });

  it('never take an account they could not read for an empty one: the role refused, the queue missing, SQS failing, a count that is none', async () => {
    const { sqsIn } = accounts({
      '222222222222': new AccountAccessError('arn:aws:iam::222222222222:role/ir-responder', 'AccessDenied'),
      '333333333333': new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }),
      '444444444444': new SQSServiceException({
        name: 'InternalError',
        $fault: 'server',
        message: 'We encountered an internal error.',
        $metadata: {},
      }),
      '555555555555': { visible: 'many', inFlight: '0' },
    });

    const found = await forwardingQueues(sqsIn, {
      accountIds: ['222222222222', '333333333333', '444444444444', '555555555555'],
      queueName: QUEUE,
    });

    expect(found.empty).toEqual([]);
    expect(found.waiting).toEqual([]);
    expect(found.unread.map((unread) => unread.accountId)).toEqual([
      '222222222222',
      '333333333333',
      '444444444444',
      '555555555555',
    ]);
    const reasons = found.unread.map((unread) => unread.reason);
    expect(reasons[0]).toContain('Cannot act in the account through arn:aws:iam::222222222222:role/ir-responder');
    expect(reasons[1]).toContain(`no queue ${QUEUE}: the member stack there predates it, or is not deployed`);
    expect(reasons[2]).toContain('sqs:GetQueueUrl');
    expect(reasons[3]).toContain('SQS gave a count that is no count: many');
  });

  it('are warned of when events wait, with what to do, and when accounts were not read, with the role to use', () => {
    const problems = forwardingProblems(
      statusWith({
        queueName: QUEUE,
        empty: ['222222222222'],
        waiting: [{ accountId: '333333333333', messages: 2 }],
        unread: [{ accountId: '444444444444', reason: 'Cannot act in the account through …' }],
      }),
    );

    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('Account 333333333333: 2 exposed-key event(s) could not be forwarded to the hub');
    expect(problems[0]).toContain(`queue ${QUEUE}`);
    expect(problems[0]).toContain('exposed-keys respond --account 333333333333 --key <key id>');
    expect(problems[1]).toContain('1 account(s) could not be read for events not forwarded (444444444444)');
    expect(problems[1]).toContain('the responder role ir-responder');
    expect(
      forwardingProblems(statusWith({ queueName: QUEUE, empty: ['222222222222'], waiting: [], unread: [] })),
    ).toEqual([]);
  });

  it('are said to be missing when the StackSet predates them, and shown inert by account', () => {
    expect(forwardingProblems(statusWith(null))).toEqual([
      expect.stringContaining('The member StackSet predates the queues'),
    ]);
    expect(forwardingProblems({ ...statusWith(null), stackSet: null })).toEqual([]);

    const shown = renderForwardingQueues(
      statusWith({
        queueName: QUEUE,
        empty: ['222222222222'],
        waiting: [{ accountId: '333333333333', messages: 2 }],
        unread: [{ accountId: '444444444444', reason: 'refused \u001b]52;c;ZXZpbA==\u0007 here' }],
      }),
      paletteOf(false),
    ).join('\n');

    expect(shown).toContain('333333333333: 2 waiting');
    expect(shown).toContain('444444444444: not read, refused');
    expect(shown).toContain('2 account(s) read, 1 with none waiting');
    expect(shown).not.toContain('\u001b');
    expect(shown).not.toContain('\u0007');
  });
});
