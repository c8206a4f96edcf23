import { describe, expect, it } from 'vitest';
import { fitBytes } from '../../../src/message/fit.js';

describe('fitBytes', () => {
  it('keeps a text that fits whole, without the note', () => {
    expect(fitBytes('abc🔑', 7, '!')).toBe('abc🔑');
  });

  it('cuts before a character that would not fit whole, and adds the note within the limit', () => {
    expect(fitBytes('ab🔑🔑', 7, '!')).toBe('ab🔑!');
    expect(fitBytes('ab🔑🔑', 6, '!')).toBe('ab!');
    expect(fitBytes('aé', 2, '!')).toBe('a!');
  });
});
