import { describe, expect, it } from 'vitest';
import { simulationExitCode } from '../../../../src/cli/run/simulate-command.js';
import { ExitCode } from '../../../../src/errors.js';
import { testUserSimulation } from '../../../support/simulations.js';

describe('the exit code of simulate --create-test-user', () => {
  it('is 0 when the user was removed and its follow-ups cancelled', () => {
    expect(simulationExitCode(testUserSimulation({ followUpsCancelled: 2 }), true)).toBe(ExitCode.ok);
  });

  it('is 3 when the test user was left, or its follow-ups, which would alert on a key gone', () => {
    expect(simulationExitCode(testUserSimulation({ removed: false, removalError: 'AccessDenied' }), true)).toBe(
      ExitCode.awsFailed,
    );
    expect(simulationExitCode(testUserSimulation({ followUpsError: 'AccessDenied' }), true)).toBe(ExitCode.awsFailed);
  });

  it('is 4 when the test key is still active, whatever else', () => {
    expect(simulationExitCode(testUserSimulation({ keyStatusAfter: 'Active', removed: false }), true)).toBe(
      ExitCode.needsHuman,
    );
  });
});
