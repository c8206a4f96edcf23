import { describe, expect, it } from 'vitest';
import { paletteOf } from '../../../../src/cli/output.js';
import { renderSimulation } from '../../../../src/cli/render/simulate.js';
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
