import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateAccessKeyCommand, CreateUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { actingIn, createOrganization } from '../../emulators/organization.js';
import { useCliEnvironment } from '../support/cli-env.js';

/*
 * `--account` is checked before anything is planned: the caller's organisation must hold the
 * account, and the responder role must be assumable; a refusal says why, with what to do, and
 * changes nothing anywhere.
 */

const cli = useCliEnvironment();
const MUTATING = ['DeleteAccessKey', 'UpdateAccessKey', 'PutUserPolicy', 'TagUser', 'Publish', 'BatchImportFindings'];

async function memberKey() {
  const organization = await createOrganization(cli().moto.endpoint);
  const { iam } = organization.member;
  await iam.send(new CreateUserCommand({ UserName: 'leaky' }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'leaky' }))).AccessKey?.AccessKeyId as string;
  return { key, account: organization.member.accountId, iam };
}

/** A key of an account outside the organisation (which exists, and has its own caller). */
async function outsiderKey() {
  await createOrganization(cli().moto.endpoint);
  const outsider = '999999999999';
  const outside = await actingIn(cli().moto.endpoint, outsider);
  await outside.iam.send(new CreateUserCommand({ UserName: 'stranger' }));
  const created = await outside.iam.send(new CreateAccessKeyCommand({ UserName: 'stranger' }));
  return { outsider, outside, key: created.AccessKey?.AccessKeyId as string };
}

describe('respond and investigate --account', () => {
  it('say plainly that the role cannot be assumed, with what to do, and change nothing', async () => {
    const { key, account, iam } = await memberKey();
    cli().proxy.setRules([{ service: 'sts', action: 'AssumeRole', fault: 'access-denied' }]);

    const respond = await cli().run(['respond', '--key', key, '--account', account, '--regions', 'us-east-1', '--yes']);
    const investigate = await cli().run(['investigate', '--key', key, '--account', account, '--regions', 'us-east-1']);

    for (const run of [respond, investigate]) {
      expect(run.code, run.stderr).toBe(3);
      expect(run.stderr).toContain('Cannot act in the account through');
      expect(run.stderr).toContain('--operator-role-arns');
    }
    expect(
      cli()
        .actions()
        .filter((action) => MUTATING.includes(action)),
    ).toEqual([]);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: 'leaky' }));
    expect(keys.AccessKeyMetadata?.[0]?.Status).toBe('Active');
  });

  it('refuse an account outside the organisation, touching nothing there', async () => {
    const { outsider, outside, key } = await outsiderKey();

    const run = await cli().run(['respond', '--key', key, '--account', outsider, '--regions', 'us-east-1', '--yes']);

    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain(`Account ${outsider} is not a member of organization`);
    expect(run.stderr).toContain('--profile <a profile of account 999999999999>');
    expect(cli().actions()).not.toContain('AssumeRole');
    const keys = await outside.iam.send(new ListAccessKeysCommand({ UserName: 'stranger' }));
    expect(keys.AccessKeyMetadata?.map((entry) => [entry.AccessKeyId, entry.Status])).toEqual([[key, 'Active']]);
  });

  it('refuse an account outside the organisation in simulate --local too', async () => {
    const { outsider, outside, key } = await outsiderKey();

    const run = await cli().run(['simulate', '--local', '--key', key, '--account', outsider, '--json']);

    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain('is not a member of organization');
    const keys = await outside.iam.send(new ListAccessKeysCommand({ UserName: 'stranger' }));
    expect(keys.AccessKeyMetadata?.map((entry) => entry.Status)).toEqual(['Active']);
  });

  it.each([
    ['investigate', ['--regions', 'us-east-1'], 'Investigate the key'],
    ['release', ['--yes'], 'Release the key'],
  ])(
    'refuse an account outside the organisation in %s as bad input, naming that command to run there',
    async (command, args, what) => {
      const { outsider, outside, key } = await outsiderKey();

      const run = await cli().run([command, '--key', key, '--account', outsider, ...args]);

      // Only respond and simulate leave a key not contained: these read, or release, and changed nothing.
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`Account ${outsider} is not a member of organization`);
      expect(run.stderr).toContain(
        `${what} from that account itself: exposed-keys ${command} --key ${key} --profile <a profile of account ${outsider}>.`,
      );
      expect(run.stderr).not.toContain('exposed-keys respond');
      const keys = await outside.iam.send(new ListAccessKeysCommand({ UserName: 'stranger' }));
      expect(keys.AccessKeyMetadata?.map((entry) => entry.Status)).toEqual(['Active']);
    },
  );

  it('warn, and go on, when Organizations cannot say whether the account is a member', async () => {
    const { key, account } = await memberKey();
    cli().proxy.setRules([{ service: 'organizations', action: 'DescribeOrganization', fault: 'access-denied' }]);

    const investigate = await cli().run(['investigate', '--key', key, '--account', account, '--regions', 'us-east-1']);
    const respond = await cli().run([
      'respond',
      '--key',
      key,
      '--account',
      account,
      '--regions',
      'us-east-1',
      '--dry-run',
    ]);

    for (const run of [investigate, respond]) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain('Could not ask Organizations');
    }
  });

  it('read log files with the caller’s own credentials: no role is assumed for them', async () => {
    const { key, account } = await memberKey();
    const folder = await mkdtemp(join(tmpdir(), 'exposed-keys-logs-'));
    await writeFile(join(folder, 'delivery.json'), JSON.stringify({ Records: [] }));
    cli().proxy.setRules([{ service: 'sts', action: 'AssumeRole', fault: 'access-denied' }]);

    const run = await cli().run(['investigate', '--key', key, '--account', account, '--logs', folder, '--hours', '1']);

    expect(run.code, run.stderr).toBe(0);
    expect(cli().actions()).not.toContain('AssumeRole');
  });

  it('tell the caller to log in again when the caller’s own credentials expired', async () => {
    const { key, account } = await memberKey();
    cli().proxy.setRules([{ service: 'sts', fault: 'expired-token' }]);

    const run = await cli().run(['respond', '--key', key, '--account', account, '--regions', 'us-east-1', '--yes']);

    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toMatch(/Log in again/);
    expect(run.stderr).not.toContain('--operator-role-arns');
    expect(
      cli()
        .actions()
        .filter((action) => MUTATING.includes(action)),
    ).toEqual([]);
  });
});
