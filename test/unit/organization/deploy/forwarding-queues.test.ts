import {
  CloudFormationClient,
  DescribeStackSetCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeOrganizationCommand, ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { paletteOf } from '../../../../src/cli/output.js';
import { forwardingProblems, renderForwardingQueues } from '../../../../src/cli/render/forwarding-queues.js';
import { memberSqs } from '../../../../src/cli/run/member-clients.js';
import { CredentialsError } from '../../../../src/errors.js';
import {
  type AccountSqs,
  type ForwardingQueues,
  forwardingQueues,
  undeliveredQueueName,
} from '../../../../src/organization/deploy/forwarding-queues.js';
import {
  type OrganizationStatus,
  organizationStatus,
} from '../../../../src/organization/deploy/organization-status.js';
import { AccountAccessError } from '../../../../src/organization/organization-errors.js';

const QUEUE = 'exposed-keys-members-undelivered';

type Answer = { visible?: string; inFlight?: string } | Error;

/** SQS in each account, as mocks: each answers its own queue's counts, or fails as told. */
function accounts(answers: Record<string, Answer>) {
  const asked: string[] = [];
  const destroyed: string[] = [];
  const sqsIn = (accountId: string): AccountSqs => {
    asked.push(accountId);
    const answer = answers[accountId] ?? { visible: '0', inFlight: '0' };
    const url = `https://sqs.us-east-1.amazonaws.com/${accountId}/${QUEUE}`;
    const client = new SQSClient({ region: 'us-east-1' });
    const sqs = mockClient(client);
    if (answer instanceof Error) sqs.on(GetQueueUrlCommand).rejects(answer);
    else {
      const attributes: Record<string, string> = {};
      if (answer.visible !== undefined) attributes.ApproximateNumberOfMessages = answer.visible;
      if (answer.inFlight !== undefined) attributes.ApproximateNumberOfMessagesNotVisible = answer.inFlight;
      sqs
        .on(GetQueueUrlCommand, { QueueName: QUEUE, QueueOwnerAWSAccountId: accountId })
        .resolves({ QueueUrl: url })
        .on(GetQueueAttributesCommand, { QueueUrl: url })
        .resolves({ Attributes: attributes });
    }
    return { send: client.send.bind(client), destroy: () => destroyed.push(accountId) } as AccountSqs;
  };
  return { sqsIn, asked, destroyed };
}

function statusWith(forwarding: ForwardingQueues | null): OrganizationStatus {
  return {
    organizationId: 'o-abc',
    managementAccountId: '111111111111',
    stackSet: {
      name: 'exposed-keys-members',
      status: 'ACTIVE',
      autoDeployment: true,
      callAs: 'SELF',
      responderRoleName: 'ir-responder',
      operatorRoleArns: '',
      targets: ['r-abcd'],
    },
    instances: [],
    notCurrent: [],
    forwarding,
    coverage: { checked: true, missing: [] },
  };
}

const account = (n: number) => String(100000000000 + n);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the members’ queues of events not forwarded', () => {
  it('are named after the StackSet, cut to the 80 characters SQS allows', () => {
    expect(undeliveredQueueName('exposed-keys-members')).toBe(QUEUE);
    const long = undeliveredQueueName(`s${'x'.repeat(127)}`);
    expect(long).toHaveLength(80);
    expect(long.endsWith('-undelivered')).toBe(true);
  });

  it('are counted in every account, visible and in-flight events alike, each client released, progress told', async () => {
    const { sqsIn, asked, destroyed } = accounts({
      '222222222222': { visible: '0', inFlight: '0' },
      '333333333333': { visible: '2', inFlight: '1' },
      '444444444444': { visible: '0', inFlight: '1' },
    });
    const progress: string[] = [];

    const found = await forwardingQueues(sqsIn, {
      accountIds: ['444444444444', '222222222222', '333333333333'],
      queueName: QUEUE,
      onRead: (read, total) => progress.push(`${read}/${total}`),
    });

    expect(asked.sort()).toEqual(['222222222222', '333333333333', '444444444444']);
    expect(destroyed.sort()).toEqual(asked);
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
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

  it('never take an account they could not read for an empty one: the queue missing, SQS failing, an answer without counts', async () => {
    const { sqsIn } = accounts({
      '333333333333': new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }),
      '444444444444': new SQSServiceException({
        name: 'InternalError',
        $fault: 'server',
        message: 'We encountered an internal error.',
        $metadata: {},
      }),
      '555555555555': { visible: 'many', inFlight: '0' },
      '666666666666': {},
      '777777777777': { visible: '', inFlight: '0' },
    });

    const found = await forwardingQueues(sqsIn, {
      accountIds: ['333333333333', '444444444444', '555555555555', '666666666666', '777777777777'],
      queueName: QUEUE,
    });

    expect(found.empty).toEqual([]);
    expect(found.waiting).toEqual([]);
    expect(found.unread.map(({ accountId, cause }) => `${accountId} ${cause}`)).toEqual([
      '333333333333 no-queue',
      '444444444444 failed',
      '555555555555 failed',
      '666666666666 failed',
      '777777777777 failed',
    ]);
    const reasons = found.unread.map((unread) => unread.reason);
    expect(reasons[0]).toBe(`no queue ${QUEUE} there`);
    expect(reasons[1]).toContain('sqs:GetQueueUrl');
    expect(reasons[2]).toBe('SQS gave no count of the queue\'s events: "many"');
    expect(reasons[3]).toBe("SQS gave no count of the queue's events: none");
    expect(reasons[4]).toBe('SQS gave no count of the queue\'s events: ""');
  });

  it('tell, through the real responder-role clients, an account whose role refused the caller, naming the role', async () => {
    // No request leaves this machine: STS is a mock, and SQS signs only with the role's credentials, which fail.
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:9');
    const clients = new AwsClients({
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }),
      maxAttempts: 1,
    });
    const sts = mockClient(STSClient);
    sts.rejects(
      Object.assign(new Error('User is not authorized to perform: sts:AssumeRole'), {
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    try {
      const found = await forwardingQueues((accountId) => memberSqs(clients)(accountId, 'ir-responder'), {
        accountIds: ['222222222222'],
        queueName: QUEUE,
      });

      expect(found.unread).toEqual([
        {
          accountId: '222222222222',
          cause: 'no-access',
          reason: expect.stringContaining(
            'Cannot act in the account through arn:aws:iam::222222222222:role/ir-responder',
          ),
        },
      ]);
      expect(found.unread[0]?.reason).not.toContain('sqs:GetQueueUrl');
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
    } finally {
      sts.restore();
    }
  });

  it('count a role that could not be assumed for another reason than a refusal (throttling) as a failure, not a refusal', async () => {
    const throttled = new AccountAccessError(
      'arn:aws:iam::222222222222:role/ir-responder',
      'sts:AssumeRole failed: Throttling: Rate exceeded',
      { reason: 'other' },
    );

    const found = await forwardingQueues(async () => Promise.reject(throttled), {
      accountIds: ['222222222222'],
      queueName: QUEUE,
    });

    expect(found.unread).toEqual([
      { accountId: '222222222222', cause: 'failed', reason: expect.stringContaining('Rate exceeded') },
    ]);
  });

  it('stop, rather than list every account unread, when the caller’s own credentials fail', async () => {
    const expired = new CredentialsError('The security token included in the request is expired.');
    const sqsIn = (): AccountSqs => ({
      send: async () => {
        throw expired;
      },
    });

    await expect(
      forwardingQueues(sqsIn, { accountIds: ['222222222222', '333333333333'], queueName: QUEUE }),
    ).rejects.toBe(expired);
  });

  it('are read in every member but the hub’s own account, and in the management account when the hub is elsewhere', async () => {
    const read = async (hubAccountId: string) => {
      const cloudFormation = mockClient(new CloudFormationClient({ region: 'us-east-1' }));
      cloudFormation.on(DescribeStackSetCommand).resolves({
        StackSet: {
          Status: 'ACTIVE',
          Parameters: [
            { ParameterKey: 'ResponderRoleName', ParameterValue: 'ir-responder' },
            { ParameterKey: 'UndeliveredQueueName', ParameterValue: QUEUE },
          ],
        },
      });
      cloudFormation.on(ListStackInstancesCommand).resolves({
        Summaries: ['222222222222', '333333333333'].map((Account) => ({
          Account,
          Region: 'us-east-1',
          Status: 'CURRENT',
        })),
      });
      const organizations = mockClient(new OrganizationsClient({ region: 'us-east-1' }));
      organizations
        .on(DescribeOrganizationCommand)
        .resolves({ Organization: { Id: 'o-abc', MasterAccountId: '111111111111' } })
        .on(ListRootsCommand)
        .resolves({ Roots: [{ Id: 'r-abcd' }] });
      const sts = mockClient(new STSClient({ region: 'us-east-1' }));
      sts.on(GetCallerIdentityCommand).resolves({ Account: hubAccountId });
      const roles: string[] = [];
      const { sqsIn, asked } = accounts({});
      const status = await organizationStatus(
        {
          cloudFormation: cloudFormation as unknown as CloudFormationClient,
          organizations: organizations as unknown as OrganizationsClient,
          sts: sts as unknown as STSClient,
          sqsIn: async (accountId, roleName) => {
            roles.push(roleName);
            return sqsIn(accountId);
          },
        },
        { stackSetName: 'exposed-keys-members' },
      );
      return { asked: asked.sort(), roles: [...new Set(roles)], status };
    };

    // The hub is a delegated administrator, itself a member: its own account forwards nothing.
    const delegated = await read('333333333333');
    expect(delegated.asked).toEqual(['111111111111', '222222222222']);
    expect(delegated.roles).toEqual(['ir-responder']);
    expect(delegated.status.forwarding?.empty).toEqual(['111111111111', '222222222222']);
    // The hub in the management account.
    expect((await read('111111111111')).asked).toEqual(['222222222222', '333333333333']);
  });
});

describe('what status --org says of the members’ queues', () => {
  it('warns once of events waiting, with their accounts and what to do, and of accounts not read by cause', () => {
    const problems = forwardingProblems(
      statusWith({
        queueName: QUEUE,
        empty: ['222222222222'],
        waiting: [{ accountId: '333333333333', messages: 2 }],
        unread: [
          { accountId: '444444444444', cause: 'no-access', reason: 'Cannot act in the account through …' },
          { accountId: '555555555555', cause: 'no-queue', reason: `no queue ${QUEUE} there` },
          { accountId: '666666666666', cause: 'failed', reason: 'sqs:GetQueueUrl failed: …' },
        ],
      }),
    );

    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain(
      '1 account(s) hold 2 exposed-key event(s) they could not forward to the hub, and no one was alerted (333333333333: 2)',
    );
    expect(problems[0]).toContain(`queue ${QUEUE}`);
    expect(problems[0]).toContain('exposed-keys respond --account <account id> --key <key id>');
    expect(problems[1]).toContain('their responder role ir-responder refused the caller (444444444444)');
    expect(problems[1]).toContain('exposed-keys deploy --org --operator-role-arns <its ARN>');
    expect(problems[1]).not.toContain('management account');
    const management = forwardingProblems(
      statusWith({
        queueName: QUEUE,
        empty: [],
        waiting: [],
        unread: [{ accountId: '111111111111', cause: 'no-access', reason: 'Cannot act in the account through …' }],
      }),
    );
    expect(management[0]).toContain(
      'The management account 111111111111 has the role only if deploy --org was given --management-profile.',
    );
    expect(problems[2]).toContain(`1 account(s) have no queue ${QUEUE} (555555555555)`);
    expect(problems[3]).toContain('1 account(s) could not be read for events not forwarded (666666666666)');
    expect(
      forwardingProblems(statusWith({ queueName: QUEUE, empty: ['222222222222'], waiting: [], unread: [] })),
    ).toEqual([]);
  });

  it('sums up thousands of accounts rather than a line or a warning for each', () => {
    const many = Array.from({ length: 3000 }, (_, n) => account(n));
    const status = statusWith({
      queueName: QUEUE,
      empty: [],
      waiting: many.map((accountId) => ({ accountId, messages: 1 })),
      unread: many.map((accountId) => ({ accountId: `9${accountId.slice(1)}`, cause: 'no-access', reason: '…' })),
    });

    const problems = forwardingProblems(status);
    const shown = renderForwardingQueues(status, paletteOf(false));

    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('3000 account(s) hold 3000 exposed-key event(s)');
    expect(problems[0]).toContain('and 2995 more');
    expect(problems.join('\n').length).toBeLessThan(2000);
    expect(shown.length).toBeLessThan(30);
    expect(shown).toContain('  … and 2980 more account(s) with events waiting (--json lists every one)');
    expect(
      shown.some((line) => line.startsWith('  3000 account(s) not read, their responder role refused the caller')),
    ).toBe(true);
  });

  it('says when the StackSet predates the queues, and shows reasons inert', () => {
    expect(forwardingProblems(statusWith(null))).toEqual([
      expect.stringContaining('The member StackSet predates the queues'),
    ]);
    expect(forwardingProblems({ ...statusWith(null), stackSet: null })).toEqual([]);

    const shown = renderForwardingQueues(
      statusWith({
        queueName: QUEUE,
        empty: ['222222222222'],
        waiting: [{ accountId: '333333333333', messages: 2 }],
        unread: [{ accountId: '444444444444', cause: 'failed', reason: 'refused \u001b]52;c;ZXZpbA==\u0007 here' }],
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
