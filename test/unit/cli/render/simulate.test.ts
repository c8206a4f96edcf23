import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { renderSimulation, renderTransition } from '../../../../src/cli/render/simulate.js';
import { testUserSimulation } from '../../../support/simulations.js';
import { activeCharacters } from '../../../support/well-formed.js';

describe('renderSimulation', () => {
  it('shows why the test user could not be removed inert, as AWS said it', () => {
    const result = testUserSimulation({ removed: false, removalError: 'AccessDenied: \u001b]0;owned\u0007\u001b[2J' });

    const text = renderSimulation(result, paletteOf(false));

    expect(activeCharacters(text)).toEqual([]);
    expect(text).toContain(
      'exposed-keys-test-1 NOT removed: AccessDenied: \\x1B]0;owned\\x07\\x1B[2J; delete it by hand',
    );
  });
});

describe('renderTransition of a state that failed', () => {
  const failed = { stateType: 'Task', phase: 'failed', timestamp: 0, elapsedMs: 10 } as const;

  it.each([
    [
      'a task, whose cause is what its function threw',
      {
        state: 'LookupCloudTrailEvents',
        error: 'InvestigationError',
        cause: '{"errorType":"InvestigationError","errorMessage":"No region could be searched"}',
      },
      'LookupCloudTrailEvents failed: InvestigationError: No region could be searched',
    ],
    [
      'a Fail state, whose cause is text',
      { state: 'KeyNotContained', error: 'KeyNotContained', cause: 'The exposed key was not contained.' },
      'KeyNotContained failed: KeyNotContained: The exposed key was not contained.',
    ],
    [
      'a state with no cause',
      { state: 'NotifySecurity', error: 'States.Timeout' },
      'NotifySecurity failed: States.Timeout',
    ],
  ])('names the error once: %s', (_, transition, line) => {
    expect(renderTransition({ ...failed, ...transition }, paletteOf(false))).toBe(`✖ ${line}`);
  });
});
