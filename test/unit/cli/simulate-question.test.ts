import { describe, expect, it } from 'vitest';
import { realKeyOf } from '../../../src/cli/run/simulate-question.js';
import { loadEvent } from '../../support/fixtures.js';
import { activeCharacters } from '../../support/well-formed.js';

const request = (eventFile: string) => ({ eventFile, createTestUser: false });

describe('the question simulate --event asks before containing a real key', () => {
  it('names the key and its user the event names, and the file inert', () => {
    const file = '/tmp/ev\u001b]0;PWNED\u0007.json';

    const named = realKeyOf(request(file), loadEvent('trusted-advisor-exposed'));

    expect(named).toMatch(/^AKIAIOSFODNN7EXAMPLE of \S+ \(named by the event in \/tmp\/ev\\x1B\]0;PWNED\\x07\.json\)$/);
    expect(activeCharacters(named ?? '')).toEqual([]);
  });

  it('still names the file when the event cannot be read (the run then says why)', () => {
    expect(realKeyOf(request('/tmp/odd.json'), { source: 'aws.ec2' })).toBe('the key the event in /tmp/odd.json names');
  });
});
