import { describe, expect, it } from 'vitest';
import type { SimulateResult, TestUserReport } from '../../../../src/cli/run/simulate.js';
import { simulationExitCode } from '../../../../src/cli/run/simulate-command.js';
import { ExitCode } from '../../../../src/errors.js';

/** A simulation with a test user whose execution succeeded, its key gone, then `testUser` as given. */
function simulation(testUser: Partial<TestUserReport>): SimulateResult {
  return {
    mode: 'remote',
    event: {},
    execution: { status: 'SUCCEEDED', durationMs: 1, transitions: [] },
    output: null,
    testUser: {
      userName: 'exposed-keys-test-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      keyStatusAfter: null,
      removed: true,
      ...testUser,
    },
  };
}

describe('the exit code of simulate --create-test-user', () => {
  it('is 0 when the user was removed and its follow-ups cancelled', () => {
    expect(simulationExitCode(simulation({ followUpsCancelled: 2 }), true)).toBe(ExitCode.ok);
  });

  it('is 3 when the test user was left, or its follow-ups, which would alert on a key gone', () => {
    expect(simulationExitCode(simulation({ removed: false, removalError: 'AccessDenied' }), true)).toBe(
      ExitCode.awsFailed,
    );
    expect(simulationExitCode(simulation({ followUpsError: 'AccessDenied' }), true)).toBe(ExitCode.awsFailed);
  });

  it('is 4 when the test key is still active, whatever else', () => {
    expect(simulationExitCode(simulation({ keyStatusAfter: 'Active', removed: false }), true)).toBe(
      ExitCode.needsHuman,
    );
  });
});
