import { CreateUserCommand, GetUserPolicyCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { containKey } from '../../src/steps/contain.js';
import { notifySecurity } from '../../src/steps/notify.js';
import { userWithTwoKeys } from '../support/exposed-user.js';
import { incidentFor } from '../support/incidents.js';
import { useMoto } from '../support/moto.js';
import { topicWithInbox } from '../support/sns-inbox.js';
import { summaryFor } from '../support/summaries.js';

const moto = useMoto();

async function keysOf(userName: string) {
  const answer = await moto().iam.send(new ListAccessKeysCommand({ UserName: userName }));
  return Object.fromEntries((answer.AccessKeyMetadata ?? []).map((key) => [key.AccessKeyId, key.Status]));
}

describe('containment against the AWS emulator', () => {
  it("deletes the exposed key and leaves the user's other key untouched", async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'alice');

    const result = await containKey({ iam: moto().iam }, incidentFor(exposed, 'alice'));

    expect(result.outcome).toBe('deleted');
    expect(await keysOf('alice')).toEqual({ [other]: 'Active' });
    const policy = await moto().iam.send(
      new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'exposed-keys-revoke-sessions' }),
    );
    expect(decodeURIComponent(policy.PolicyDocument ?? '')).toContain('aws:TokenIssueTime');
  });

  it('deactivates the exposed key in deactivate mode, leaving the other active', async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'bob');

    const result = await containKey({ iam: moto().iam }, incidentFor(exposed, 'bob'), { mode: 'deactivate' });

    expect(result.outcome).toBe('deactivated');
    expect(await keysOf('bob')).toEqual({ [exposed]: 'Inactive', [other]: 'Active' });
  });

  it('reports already-contained when the same incident comes again', async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'carol');
    await containKey({ iam: moto().iam }, incidentFor(exposed, 'carol'));

    const again = await containKey({ iam: moto().iam }, incidentFor(exposed, 'carol'));

    expect(again.outcome).toBe('already-contained');
    expect(await keysOf('carol')).toEqual({ [other]: 'Active' });
  });

  it("touches nothing when the event names another user than the key's owner", async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'dave');
    await moto().iam.send(new CreateUserCommand({ UserName: 'erin' }));

    const result = await containKey({ iam: moto().iam }, incidentFor(exposed, 'erin'));

    expect(result.outcome).toBe('owner-mismatch');
    expect(await keysOf('dave')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
  });

  it('changes nothing in a dry run', async () => {
    const { exposed, other } = await userWithTwoKeys(moto().iam, 'frank');

    const result = await containKey({ iam: moto().iam }, incidentFor(exposed, 'frank'), { dryRun: true });

    expect(result.outcome).toBe('planned');
    expect(await keysOf('frank')).toEqual({ [exposed]: 'Active', [other]: 'Active' });
  });
});

describe('notification against the AWS emulator', () => {
  it('publishes one message that a subscribed queue receives with its subject and attributes', async () => {
    const inbox = await topicWithInbox(moto());
    const key = 'AKIAIOSFODNN7EXAMPLE';

    await notifySecurity(
      { sns: moto().sns },
      {
        topicArn: inbox.topicArn,
        incident: incidentFor(key, 'alice'),
        containment: { status: 'failed', error: 'ContainmentError: AccessDenied' },
        investigation: { status: 'done', result: { activity: summaryFor(key), sessionActivity: [] } },
      },
    );

    const messages = await inbox.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.Subject).toBe(`ACTION REQUIRED: containment FAILED: ${key} (alice) in 123456789012`);
    expect(messages[0]?.Message).toContain(
      'Containment FAILED; the key may still be active: ContainmentError: AccessDenied',
    );
    expect(messages[0]?.MessageAttributes?.outcome).toEqual({ Type: 'String', Value: 'containment-failed' });
  });
});
