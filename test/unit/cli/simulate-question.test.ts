import { describe, expect, it } from 'vitest';
import { eventProblem, realKeyOf, unreadableQuestion } from '../../../src/cli/run/simulate-question.js';
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

describe('the question simulate --event asks of an event it cannot read', () => {
  it('says nothing will be contained, only an alert that it could not be read, and why', () => {
    const problem = eventProblem({ detail: { 'check-name': 'Exposed Access Keys' } });

    expect(problem).toBe('Invalid event: source is missing');
    expect(
      unreadableQuestion('/tmp/odd\u001b[2J.json', problem as string, { local: true, stackName: 'exposed-keys' }),
    ).toBe(
      'The event in /tmp/odd\\x1B[2J.json cannot be read as an exposed-key event (Invalid event: source is missing): the steps run here will contain nothing, and only alert that it could not be read. Run them with this event?',
    );
    expect(unreadableQuestion('/tmp/odd.json', 'x', { local: false, stackName: 'exposed-keys' })).toMatch(
      /: the stack exposed-keys will contain nothing, and only alert that it could not be read\. Send it this event\?$/,
    );
  });

  it('finds no problem in an event the stack reads', () => {
    expect(eventProblem(loadEvent('trusted-advisor-exposed'))).toBeNull();
  });
});
