import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsClients } from '../../../../src/aws/clients.js';
import { type SimulateCommandRequest, simulateCommand } from '../../../../src/cli/run/simulate-command.js';
import type { ConfirmRequest } from '../../../../src/common/io-host.js';
import { loadEvent } from '../../../support/fixtures.js';

const CALLER = '111111111111';
const MEMBER = '210987654321';
const sts = mockClient(STSClient);
const cloudFormation = mockClient(CloudFormationClient);

afterEach(() => {
  sts.reset();
  cloudFormation.reset();
});

function eventFile(event: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'simulate-question-')), 'event.json');
  writeFileSync(path, JSON.stringify(event));
  return path;
}

/** The question simulate asks for the event, answered no (so nothing runs). */
async function questionFor(event: Record<string, unknown>, local: boolean, organizationId?: string) {
  sts.on(GetCallerIdentityCommand).resolves({ Account: CALLER, Arn: `arn:aws:iam::${CALLER}:user/ops` });
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'exposed-keys',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Parameters: [{ ParameterKey: 'OrganizationId', ParameterValue: organizationId ?? '' }],
      },
    ],
  });
  const asked: ConfirmRequest[] = [];
  const request: SimulateCommandRequest = {
    eventFile: eventFile(event),
    source: 'trusted-advisor',
    createTestUser: false,
    local,
    wait: false,
    stackName: 'exposed-keys',
  };
  const result = await simulateCommand(
    new AwsClients({
      region: 'us-east-1',
      credentials: async () => ({ accessKeyId: 'AKIACALLER', secretAccessKey: 's' }),
    }),
    request,
    {
      onTransition: () => undefined,
      onStep: () => undefined,
      onWarning: () => undefined,
      confirm: async (question) => {
        asked.push(question);
        return false;
      },
    },
  );
  expect(result).toBeNull();
  expect(asked).toHaveLength(1);
  return asked[0]?.question ?? '';
}

function eventOf(account: string): Record<string, unknown> {
  const event = loadEvent('trusted-advisor-exposed');
  event.account = account;
  return event;
}

describe('simulate --event asks about the account the event names', () => {
  it("names the event's account, not the caller's, and says a hub contains the key there", async () => {
    const question = await questionFor(eventOf(MEMBER), false, 'o-abcdefghij');

    expect(question).toContain(`The event names account ${MEMBER}, not this account (${CALLER})`);
    expect(question).toContain(`Contain AKIAIOSFODNN7EXAMPLE`);
    expect(question).toContain(`in account ${MEMBER}, by the stack exposed-keys, through its responder role there?`);
    expect(question).not.toContain(`in account ${CALLER}`);
  });

  it('names the affected account of an organisational AWS Health event, and the account that received it', async () => {
    const event = loadEvent('health-exposed-entities-only');
    event.account = CALLER;
    event.detail.affectedAccount = MEMBER;

    const question = await questionFor(event, false, 'o-abcdefghij');

    expect(question).toContain(`account ${MEMBER} (the event was received by account ${CALLER})`);
  });

  it('says a single-account stack will not touch a key of another account and only notifies', async () => {
    const question = await questionFor(eventOf(MEMBER), false);

    expect(question).toContain(`The event names account ${MEMBER}, not this account (${CALLER})`);
    expect(question).toContain('guards its own account only: it will not touch');
    expect(question).toContain('only notifies');
  });

  it('says the steps run here will not touch a key of another account', async () => {
    const question = await questionFor(eventOf(MEMBER), true);

    expect(question).toMatch(
      /^The event names account 210987654321, not this account \(111111111111\)\. The steps run here will not touch .* and only notify/,
    );
  });

  it("asks plainly when the event names the caller's own account", async () => {
    const question = await questionFor(eventOf(CALLER), false);

    expect(question).toMatch(
      /^Contain AKIAIOSFODNN7EXAMPLE of alice \(named by the event in \S+\) in account 111111111111, by the stack exposed-keys\?$/,
    );
  });
});
