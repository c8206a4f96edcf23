import { describe, expect, it } from 'vitest';
import { QUARANTINE_POLICIES } from '../../../src/constants.js';
import { InvalidEventError } from '../../../src/errors.js';
import { parseIncident, parseSignal } from '../../../src/incident/parse-incident.js';
import { parseQuarantineEvent } from '../../../src/incident/quarantine.js';
import { asCloudTrailEvent, publishedRecord } from '../../support/published.js';

function refusal(event: unknown): InvalidEventError {
  try {
    parseQuarantineEvent(event);
  } catch (error) {
    if (error instanceof InvalidEventError) return error;
    throw error;
  }
  throw new Error('expected the event to be refused');
}

const attachV2 = () => asCloudTrailEvent(publishedRecord('cloudtrail-attachuserpolicy-quarantinev2-panther'));

describe('parseQuarantineEvent', () => {
  it("reads Panther's AttachUserPolicy of AWSCompromisedKeyQuarantineV2: the user, the policy, no key", () => {
    expect(parseQuarantineEvent(attachV2())).toEqual({
      source: 'quarantine-policy',
      accountId: '123456789012',
      userName: 'test-user',
      policy: 'AWSCompromisedKeyQuarantineV2',
      how: 'attached',
      detectedAt: '2023-11-21T23:23:52.000Z',
      eventId: '6f2c1e0a-7d1b-4a55-9a0e-3c1f2b4d5e6f',
      callerKey: null,
      // A console session, whatever its user agent says: not AWS itself, as CloudTrail names it.
      putBy: { arn: 'arn:aws:sts::123456789012:assumed-role/a-role/user.name', aws: false },
    });
  });

  it("takes the call for AWS's own only when CloudTrail names an AWS service as the caller, and shows the caller inert", () => {
    const byService = attachV2();
    byService.detail.userIdentity = { type: 'AWSService', invokedBy: 'health.amazonaws.com' };
    const byPerson = attachV2();
    byPerson.detail.userAgent = 'aws-internal/3';
    byPerson.detail.userIdentity.arn = 'arn:aws:iam::123456789012:user/mallory\u001b[2J';

    expect(parseQuarantineEvent(byService).putBy).toEqual({ arn: 'health.amazonaws.com', aws: true });
    expect(parseQuarantineEvent(byPerson).putBy).toEqual({
      arn: 'arn:aws:iam::123456789012:user/mallory\\x1B[2J',
      aws: false,
    });
  });

  it("takes a call a service made for a caller (invokedBy) for the caller's, naming both", () => {
    const event = attachV2();
    event.detail.userIdentity = {
      type: 'IAMUser',
      arn: 'arn:aws:iam::123456789012:user/mallory',
      accessKeyId: 'AKIAI44QH8DHBEXAMPLE',
      userName: 'mallory',
      invokedBy: 'cloudformation.amazonaws.com',
    };

    expect(parseQuarantineEvent(event).putBy).toEqual({
      arn: 'arn:aws:iam::123456789012:user/mallory',
      aws: false,
      invokedBy: 'cloudformation.amazonaws.com',
    });
  });

  it('reads the oldest mechanism, an inline AWSExposedCredentialPolicy_DO_NOT_REMOVE, with no account field', () => {
    const event = asCloudTrailEvent(publishedRecord('cloudtrail-putuserpolicy-exposedcredentialpolicy-panther-2020'));
    delete event.account;

    expect(parseQuarantineEvent(event)).toMatchObject({
      accountId: '123456789012',
      userName: 'NullUser',
      policy: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE',
      how: 'inline',
      // The record's caller key is redacted (21 characters): not a key id, so no lead.
      callerKey: null,
    });
  });

  it("keeps the caller's key as a lead only when the quarantined user itself made the call", () => {
    const record = publishedRecord('cloudtrail-putuserpolicy-exposedcredentialpolicy-panther-2020');
    record.userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE';
    expect(parseQuarantineEvent(asCloudTrailEvent(record)).callerKey).toBe('AKIAIOSFODNN7EXAMPLE');

    record.userIdentity.userName = 'someone-else';
    expect(parseQuarantineEvent(asCloudTrailEvent(record)).callerKey).toBeNull();
  });

  it('tolerates the edited record that puts V3 in a PutUserPolicy', () => {
    const event = asCloudTrailEvent(publishedRecord('cloudtrail-putuserpolicy-quarantinev3-name-panther-current'));

    expect(parseQuarantineEvent(event)).toMatchObject({
      userName: 'compromised_user',
      policy: 'AWSCompromisedKeyQuarantineV3',
    });
  });

  it('reads every managed quarantine policy, in any partition', () => {
    for (const name of QUARANTINE_POLICIES.managed) {
      const event = attachV2();
      event.detail.requestParameters.policyArn = `arn:aws-us-gov:iam::aws:policy/${name}`;
      expect(parseQuarantineEvent(event).policy).toBe(name);
    }
  });

  it('refuses other policies, failed calls, bad users and other calls, naming the field', () => {
    const readOnly = attachV2();
    readOnly.detail.requestParameters.policyArn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    expect(refusal(readOnly).field).toBe('detail.requestParameters.policyArn');

    const customer = attachV2();
    customer.detail.requestParameters.policyArn = 'arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV3';
    expect(refusal(customer).field).toBe('detail.requestParameters.policyArn');

    const failed = attachV2();
    failed.detail.errorCode = 'AccessDenied';
    expect(refusal(failed).field).toBe('detail.errorCode');

    const badUser = attachV2();
    badUser.detail.requestParameters.userName = 'a b';
    expect(refusal(badUser).field).toBe('detail.requestParameters.userName');

    const other = attachV2();
    other.detail.eventName = 'AttachRolePolicy';
    expect(refusal(other).field).toBe('detail.eventName');
  });
});

describe('parseSignal', () => {
  it('tells a quarantined user from an exposed key', () => {
    expect(parseSignal(attachV2())).toMatchObject({ kind: 'user', quarantine: { userName: 'test-user' } });
  });

  it('is the only reader of quarantine events: parseIncident refuses them, since they name no key', () => {
    expect(() => parseIncident(attachV2())).toThrow(InvalidEventError);
  });
});
