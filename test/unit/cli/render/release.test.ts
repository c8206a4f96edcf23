import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { renderRelease } from '../../../../src/cli/render/release.js';
import type { ReleaseCommandResult } from '../../../../src/cli/run/release.js';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function failedRelease(reactivate: boolean): ReleaseCommandResult {
  return {
    plan: {
      accessKeyId: KEY,
      userName: 'alice',
      status: 'Inactive',
      evidence: [],
      schedules: [],
      containedAt: '2026-11-27T03:00:00.000Z',
      warnings: [],
    },
    release: { status: 'failed', error: 'iam:UpdateAccessKey failed: AccessDenied' },
    notification: { status: 'printed', reason: 'no topic', subject: 's', message: 'm' },
    accountId: '123456789012',
    warnings: [],
    reactivate,
  };
}

describe('the terminal after a release that failed', () => {
  it('says to release again with --reactivate when that was asked, as the message does', () => {
    const shown = renderRelease(failedRelease(true), paletteOf(false));

    expect(shown).toContain(`exposed-keys release --key ${KEY} --reactivate`);
    expect(renderRelease(failedRelease(false), paletteOf(false))).not.toContain('--reactivate');
  });
});
