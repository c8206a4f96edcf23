import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { destroyExitCode, destroyJson, renderDestroyReport } from '../../../../src/cli/render/destroy.js';
import { renderOrgDestroyReport } from '../../../../src/cli/render/organization.js';
import { ExitCode } from '../../../../src/errors.js';
import { activeCharacters } from '../../../support/well-formed.js';

describe('renderDestroyReport', () => {
  it('shows why the bucket was kept inert, as AWS said it', () => {
    const text = renderDestroyReport(
      {
        stackName: 'exposed-keys',
        status: 'deleted',
        stackId: 'id',
        retained: [],
        bucket: { bucket: 'b', status: 'kept', objectsDeleted: 0, reason: 'AccessDenied: \u001b]0;owned\u0007' },
      },
      'us-east-1',
      paletteOf(false),
    );

    expect(activeCharacters(text)).toEqual([]);
    expect(text).toContain('Bucket b: kept (0 objects deleted): AccessDenied: \\x1B]0;owned\\x07.');
  });
});

describe('renderOrgDestroyReport', () => {
  it('says, with the hub, that its bucket was not deleted, and why', () => {
    const text = renderOrgDestroyReport(
      {
        outcome: 'destroyed',
        accounts: 2,
        operations: [],
        stackSetDeleted: true,
        management: null,
        hub: {
          outcome: 'destroyed',
          stackName: 'exposed-keys',
          status: 'deleted',
          stackId: 'id',
          retained: [],
          bucket: { bucket: 'b', status: 'failed', objectsDeleted: 0, reason: 's3:ListObjectVersions failed' },
        },
      },
      paletteOf(false),
    );

    expect(text).toContain('Deleted the hub exposed-keys.\nBucket b: NOT deleted: s3:ListObjectVersions failed.');
  });
});

describe('destroyExitCode', () => {
  it('exits 3 when the bucket asked for is still there, kept or not deleted, and 0 when it is gone or was never there', () => {
    const bucket = (status: 'deleted' | 'absent' | 'kept' | 'failed') => ({
      bucket: { bucket: 'b', status, objectsDeleted: 0 },
    });

    expect(destroyExitCode(bucket('kept'))).toBe(ExitCode.awsFailed);
    expect(destroyExitCode(bucket('failed'))).toBe(ExitCode.awsFailed);
    expect(destroyExitCode(bucket('deleted'))).toBe(ExitCode.ok);
    expect(destroyExitCode(bucket('absent'))).toBe(ExitCode.ok);
    expect(destroyExitCode({ bucket: undefined })).toBe(ExitCode.ok);
  });
});

describe('destroyJson', () => {
  it('prints null, rather than leave the key out, for a stack id or a bucket there is none of', () => {
    const json = destroyJson({
      outcome: 'destroyed',
      stackName: 'exposed-keys',
      status: 'nothing-to-delete',
      stackId: undefined,
      retained: [],
      bucket: undefined,
    });

    expect(JSON.parse(JSON.stringify(json))).toEqual({
      stackName: 'exposed-keys',
      status: 'nothing-to-delete',
      stackId: null,
      retained: [],
      bucket: null,
    });
  });
});
