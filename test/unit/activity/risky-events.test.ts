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
});
