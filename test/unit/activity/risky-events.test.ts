import { describe, expect, it } from 'vitest';
import type { CloudTrailRecord } from '../../../src/activity/cloudtrail-record.js';
import { riskCategoryOf } from '../../../src/activity/risky-events.js';

function record(eventSource: string, eventName: string): CloudTrailRecord {
  return { eventSource, eventName } as CloudTrailRecord;
}

describe('riskCategoryOf', () => {
  it('knows the risky calls by source and name, with or without an API version suffix', () => {
    expect(riskCategoryOf(record('iam.amazonaws.com', 'CreateUser'))).toBe('persistence');
    expect(riskCategoryOf(record('lambda.amazonaws.com', 'CreateFunction20150331'))).toBe('resource-abuse');
    expect(riskCategoryOf(record('iam.amazonaws.com', 'PutRolePolicy'))).toBe('persistence');
    expect(riskCategoryOf(record('iam.amazonaws.com', 'ListUsers'))).toBeNull();
  });

  it('takes no name every object inherits for a risky call', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])
      expect(riskCategoryOf(record('iam.amazonaws.com', name)), name).toBeNull();
    for (const source of ['constructor', '__proto__', 'toString'])
      expect(riskCategoryOf(record(source, 'name')), source).toBeNull();
  });

  it('knows the calls that leave a way in or make what runs on, by the names CloudTrail gives them', () => {
    const calls: [string, string, string][] = [
      ['iam.amazonaws.com', 'UpdateAccessKey', 'persistence'],
      ['iam.amazonaws.com', 'UpdateSAMLProvider', 'persistence'],
      ['iam.amazonaws.com', 'UpdateOpenIDConnectProviderThumbprint', 'persistence'],
      ['iam.amazonaws.com', 'AddClientIDToOpenIDConnectProvider', 'persistence'],
      ['iam.amazonaws.com', 'UploadSigningCertificate', 'persistence'],
      ['lambda.amazonaws.com', 'AddPermission20150331v2', 'persistence'],
      ['lambda.amazonaws.com', 'CreateFunctionUrlConfig20211031', 'persistence'],
      ['lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', 'persistence'],
      ['ec2.amazonaws.com', 'ModifySnapshotAttribute', 'persistence'],
      ['ec2.amazonaws.com', 'ModifyImageAttribute', 'persistence'],
      ['cloudformation.amazonaws.com', 'CreateStack', 'persistence'],
      ['autoscaling.amazonaws.com', 'CreateAutoScalingGroup', 'resource-abuse'],
      ['ecs.amazonaws.com', 'RunTask', 'resource-abuse'],
      ['ecs.amazonaws.com', 'CreateService', 'resource-abuse'],
    ];
    for (const [source, name, category] of calls)
      expect(riskCategoryOf(record(source, name)), `${source} ${name}`).toBe(category);
    // A call of the same name in another service is not one of these.
    expect(riskCategoryOf(record('apprunner.amazonaws.com', 'CreateService'))).toBeNull();
  });
});
