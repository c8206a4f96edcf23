import { describe, expect, it } from 'vitest';
import { ownEntry } from '../../../src/common/own-entry.js';

describe('ownEntry', () => {
  it("gives the table's own entries, and nothing every object inherits", () => {
    const table = { CreateUser: 'persistence' };

    expect(ownEntry(table, 'CreateUser')).toBe('persistence');
    expect(ownEntry(table, 'ListUsers')).toBeUndefined();
    for (const inherited of ['constructor', '__proto__', 'toString', 'hasOwnProperty'])
      expect(ownEntry(table, inherited), inherited).toBeUndefined();
  });
});
