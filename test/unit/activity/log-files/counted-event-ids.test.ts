import { describe, expect, it } from 'vitest';
import { CountedEventIds } from '../../../../src/activity/log-files/counted-event-ids.js';

function idBytes(id: string): [Buffer, number, number] {
  const bytes = Buffer.from(`"eventID":"${id}"`);
  return [bytes, 11, 11 + id.length];
}

describe('CountedEventIds', () => {
  it('answers exactly while it looks ids up', () => {
    const counted = new Set(['a', 'c']);
    const ids = new CountedEventIds((id) => counted.has(id));

    expect(['a', 'b', 'c', 'd'].map((id) => ids.has(...idBytes(id)))).toEqual([true, false, true, false]);
  });

  it('pauses its lookups when a probe finds almost none counted, and looks again later', () => {
    let lookups = 0;
    const ids = new CountedEventIds(() => {
      lookups += 1;
      return false;
    });

    for (let index = 0; index < 16 * 1024; index += 1) ids.has(...idBytes(`id-${index}`));
    const probed = lookups;
    for (let index = 0; index < 16 * 1024; index += 1) ids.has(...idBytes(`again-${index}`));
    const paused = lookups - probed;
    ids.has(...idBytes('later'));

    expect(probed).toBe(16 * 1024);
    expect(paused).toBe(0);
    expect(lookups).toBe(probed + 1);
  });

  it('keeps looking ids up while they are found', () => {
    let lookups = 0;
    const ids = new CountedEventIds(() => {
      lookups += 1;
      return lookups % 100 === 0;
    });

    for (let index = 0; index < 64 * 1024; index += 1) ids.has(...idBytes(`id-${index}`));

    expect(lookups).toBe(64 * 1024);
  });
});
