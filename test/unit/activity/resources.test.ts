import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../src/activity/cloudtrail-record.js';
import { resourcesOf } from '../../../src/activity/resources.js';

function record(
  eventSource: string,
  requestParameters: Record<string, unknown> | null,
  responseElements: Record<string, unknown> | null,
): CloudTrailRecord {
  return { eventSource, eventName: 'Call', requestParameters, responseElements } as CloudTrailRecord;
}

describe('resourcesOf', () => {
  it('names each of the many resources a crafted record names once, in the order first named', () => {
    const ids = Array.from({ length: 50_000 }, (_, index) => `i-${index.toString(16).padStart(17, '0')}`);
    // Each id twice (launched and named again in the response), and a few in the resources list too.
    const launch = {
      ...record(
        'ec2.amazonaws.com',
        { instancesSet: { items: ids.map((instanceId) => ({ instanceId })) } },
        { instancesSet: { items: [...ids].reverse().map((instanceId) => ({ instanceId })) } },
      ),
      resources: [
        { type: 'AWS::EC2::Instance', ARN: ids[3] },
        { type: 'AWS::EC2::Instance', ARN: ids[3] },
        { type: 'AWS::EC2::Image', ARN: ids[3] },
      ],
    } as CloudTrailRecord;

    const resources = resourcesOf(launch);

    expect(resources).toHaveLength(50_001);
    expect(resources.slice(0, 3)).toEqual([
      { type: 'AWS::EC2::Instance', name: ids[3] },
      { type: 'AWS::EC2::Image', name: ids[3] },
      { type: 'AWS::EC2::Instance', name: ids[0] },
    ]);
    expect(resources.slice(2).map((resource) => resource.name)).toEqual(ids.filter((id) => id !== ids[3]));
    // A type and a name that run into each other are two resources, not one.
    const joined = resourcesOf({
      ...record('ec2.amazonaws.com', null, null),
      resources: [
        ...ids.slice(0, 20).map((id) => ({ type: 'T', ARN: id })),
        { type: 'a\u0000b', ARN: 'c' },
        { type: 'a', ARN: 'b\u0000c' },
      ],
    } as CloudTrailRecord);
    expect(joined.slice(-2)).toEqual([
      { type: 'a\u0000b', name: 'c' },
      { type: 'a', name: 'b\u0000c' },
    ]);
  });

  it('names what the persistence calls made, from their responses', () => {
    const iam = (request: Record<string, unknown>, response: Record<string, unknown> | null) =>
      resourcesOf(record('iam.amazonaws.com', request, response));

    expect(
      iam(
        { userName: 'alice', sSHPublicKeyBody: 'ssh-rsa AAAA' },
        { sSHPublicKey: { userName: 'alice', sSHPublicKeyId: 'APKAEXAMPLE', status: 'Active' } },
      ),
    ).toEqual([
      { type: 'AWS::IAM::User', name: 'alice' },
      { type: 'AWS::IAM::SSHPublicKey', name: 'APKAEXAMPLE' },
    ]);
    expect(
      iam(
        { userName: 'alice', serviceName: 'codecommit.amazonaws.com' },
        { serviceSpecificCredential: { serviceSpecificCredentialId: 'ACCAEXAMPLE', servicePassword: 'HIDDEN' } },
      ),
    ).toContainEqual({ type: 'AWS::IAM::ServiceSpecificCredential', name: 'ACCAEXAMPLE' });
    // As the data set records it.
    expect(
      iam(
        { policyName: 'p', policyDocument: '{}' },
        { policy: { policyName: 'p', arn: 'arn:aws:iam::123837392027:policy/p', defaultVersionId: 'v1' } },
      ),
    ).toEqual([{ type: 'AWS::IAM::Policy', name: 'arn:aws:iam::123837392027:policy/p' }]);
    expect(
      iam({ policyArn: 'arn:aws:iam::1:policy/ops', setAsDefault: true }, { policyVersion: { versionId: 'v3' } }),
    ).toEqual([
      { type: 'AWS::IAM::Policy', name: 'arn:aws:iam::1:policy/ops' },
      { type: 'AWS::IAM::PolicyVersion', name: 'v3' },
    ]);
    expect(iam({ policyArn: 'arn:aws:iam::1:policy/ops', versionId: 'v1' }, null)).toContainEqual({
      type: 'AWS::IAM::PolicyVersion',
      name: 'v1',
    });
    expect(iam({ userName: 'alice', serialNumber: 'arn:aws:iam::1:mfa/d', authenticationCode1: 'x' }, null)).toEqual([
      { type: 'AWS::IAM::User', name: 'alice' },
      { type: 'AWS::IAM::MFADevice', name: 'arn:aws:iam::1:mfa/d' },
    ]);
    expect(iam({ virtualMFADeviceName: 'd' }, { virtualMFADevice: { serialNumber: 'arn:aws:iam::1:mfa/d' } })).toEqual([
      { type: 'AWS::IAM::MFADevice', name: 'arn:aws:iam::1:mfa/d' },
    ]);
    expect(iam({ name: 'idp' }, { sAMLProviderArn: 'arn:aws:iam::1:saml-provider/idp' })).toEqual([
      { type: 'AWS::IAM::SAMLProvider', name: 'arn:aws:iam::1:saml-provider/idp' },
    ]);
    expect(
      iam({ url: 'https://example.com' }, { openIDConnectProviderArn: 'arn:aws:iam::1:oidc-provider/example.com' }),
    ).toEqual([{ type: 'AWS::IAM::OIDCProvider', name: 'arn:aws:iam::1:oidc-provider/example.com' }]);
  });

  it('names the spot requests and fleets an EC2 call made, its response wrapped or not', () => {
    const ec2 = (response: Record<string, unknown>) => resourcesOf(record('ec2.amazonaws.com', {}, response));

    expect(
      ec2({
        spotInstanceRequestSet: { items: [{ spotInstanceRequestId: 'sir-1' }, { spotInstanceRequestId: 'sir-2' }] },
      }),
    ).toEqual([
      { type: 'AWS::EC2::SpotInstanceRequest', name: 'sir-1' },
      { type: 'AWS::EC2::SpotInstanceRequest', name: 'sir-2' },
    ]);
    expect(ec2({ RequestSpotFleetResponse: { spotFleetRequestId: 'sfr-1' } })).toEqual([
      { type: 'AWS::EC2::SpotFleet', name: 'sfr-1' },
    ]);
    expect(ec2({ spotFleetRequestId: 'sfr-2' })).toEqual([{ type: 'AWS::EC2::SpotFleet', name: 'sfr-2' }]);
    expect(ec2({ CreateFleetResponse: { fleetId: 'fleet-1' } })).toEqual([
      { type: 'AWS::EC2::EC2Fleet', name: 'fleet-1' },
    ]);
  });

  it('reads a parameter that names something in one service only in that service’s calls', () => {
    expect(resourcesOf(record('s3.amazonaws.com', { bucketName: 'b', versionId: 'v1' }, null))).toEqual([
      { type: 'AWS::S3::Bucket', name: 'b' },
    ]);
    expect(resourcesOf(record('sts.amazonaws.com', { serialNumber: 'arn:aws:iam::1:mfa/d' }, null))).toEqual([]);
    expect(resourcesOf(record('s3.amazonaws.com', {}, { policy: { arn: 'x' }, fleetId: 'y' }))).toEqual([]);
  });
});
