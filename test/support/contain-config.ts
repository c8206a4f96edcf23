import type { ContainConfig } from '../../src/settings/function-settings.js';

/** The containment function's settings in task tests: delete, revoke, no verification, no schedules. */
export function containConfig(overrides: Partial<ContainConfig> = {}): ContainConfig {
  return {
    mode: 'delete',
    revokeSessions: true,
    deleteAfterDays: 7,
    verifyAfterMinutes: 0,
    schedule: null,
    ...overrides,
  };
}
