import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { stackParameters, withSettingFlags } from '../../../src/cli/stack-parameters.js';
import { InvalidInputError } from '../../../src/errors.js';
import { STACK_SETTINGS } from '../../../src/settings/settings.js';

describe('stackParameters', () => {
  it('turns each flag given into its template parameter, and leaves the others out', () => {
    expect(
      stackParameters({
        email: 'security@example.com',
        mode: 'deactivate',
        lookbackHours: '72',
        regions: 'us-east-1,eu-west-1',
        revokeSessions: 'false',
        logRetentionDays: '90',
        kmsKey: 'create',
        codeSigningProfile: 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/exposed_keys',
      }),
    ).toEqual({
      NotificationEmail: 'security@example.com',
      ContainmentMode: 'deactivate',
      LookbackHours: '72',
      InvestigateRegions: 'us-east-1,eu-west-1',
      RevokeSessions: 'false',
      LogRetentionDays: '90',
      KmsKey: 'create',
      CodeSigningProfileArn: 'arn:aws:signer:us-east-1:123456789012:/signing-profiles/exposed_keys',
    });
    expect(stackParameters({ mode: 'delete' })).toEqual({ ContainmentMode: 'delete' });
  });

  it('reads --regions all as every enabled region, and "" as no e-mail', () => {
    expect(stackParameters({ regions: 'all', email: '' })).toEqual({ InvestigateRegions: '', NotificationEmail: '' });
  });

  it('passes the trail bucket and organisation id of the Athena option, "" turning it off', () => {
    expect(stackParameters({ trailBucket: 'org-trail-logs', trailOrgId: 'o-abcdefghij' })).toEqual({
      TrailBucket: 'org-trail-logs',
      TrailOrganizationId: 'o-abcdefghij',
    });
    expect(stackParameters({ trailBucket: '' })).toEqual({ TrailBucket: '' });
  });

  it('passes the KMS key of an encrypted trail, of any region or account, "" for none', () => {
    const key = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    expect(stackParameters({ trailBucket: 'org-trail-logs', trailKmsKey: key })).toEqual({
      TrailBucket: 'org-trail-logs',
      TrailKmsKeyArn: key,
    });
    expect(stackParameters({ trailKmsKey: '' })).toEqual({ TrailKmsKeyArn: '' });
  });

  it("gives each setting's default in --help, which only a new stack takes", () => {
    const help = withSettingFlags(new Command('deploy')).helpInformation().replace(/\s+/g, ' ');

    expect(help).toContain(
      'containment mode: delete | deactivate | deactivate-then-delete | notify-only (new stack: delete;',
    );
    expect(help).toMatch(/--regions <list> .*\(new stack: all;/);
    for (const setting of Object.values(STACK_SETTINGS).filter((each) => !('setByDeploy' in each)))
      expect(help).toMatch(
        new RegExp(
          `${setting.flag} (?:(?! --[a-z-]+ <).)*\\(new stack: [^;]+; left out of an update, the deployed value stays\\)`,
        ),
      );
  });

  it('refuses a bad value before any call, naming the flag', () => {
    for (const [flags, flag] of [
      [{ lookbackHours: '0x18' }, '--lookback-hours'],
      [{ regions: ' , ' }, '--regions'],
      [{ revokeSessions: 'yes' }, '--revoke-sessions'],
      [{ logRetentionDays: '2' }, '--log-retention-days'],
      [{ email: 'security' }, '--email'],
      [{ mode: 'destroy' }, '--mode'],
      [{ trailBucket: 'Trail_Logs' }, '--trail-bucket'],
      [{ trailOrgId: 'org-1' }, '--trail-org-id'],
      [{ kmsKey: 'alias/aws/sns' }, '--kms-key'],
      [{ trailKmsKey: 'alias/aws/s3' }, '--trail-kms-key'],
      [{ codeSigningProfile: 'my-profile' }, '--code-signing-profile'],
    ] as const) {
      expect(() => stackParameters(flags)).toThrow(InvalidInputError);
      expect(() => stackParameters(flags)).toThrow(new RegExp(`^${flag} `));
    }
  });
});
