import type { SimulateResult, TestUserReport } from '../../src/cli/run/simulate.js';

/** A simulation with a test user whose execution succeeded, its key gone and the user removed, then `testUser` as given. */
export function testUserSimulation(testUser: Partial<TestUserReport> = {}): SimulateResult {
  return {
    mode: 'local',
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
