import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { zipReproducibly } from '../../../src/deploy/reproducible-zip.js';

const files = (names: string[]) =>
  new Map(names.map((name) => [name, new TextEncoder().encode(`export const name = '${name}';`)]));
const originalTimeZone = process.env.TZ;

afterEach(() => {
  process.env.TZ = originalTimeZone;
});

describe('zipReproducibly', () => {
  it('writes the same bytes whatever the order the files come in', () => {
    const one = zipReproducibly(files(['notify.mjs', 'contain.mjs', 'investigate.mjs']));
    const two = zipReproducibly(files(['investigate.mjs', 'notify.mjs', 'contain.mjs']));

    expect(Buffer.compare(Buffer.from(one), Buffer.from(two))).toBe(0);
    expect(Object.keys(unzipSync(one))).toEqual(['contain.mjs', 'investigate.mjs', 'notify.mjs']);
  });

  it('writes the same bytes in every time zone', () => {
    process.env.TZ = 'America/Los_Angeles';
    const west = zipReproducibly(files(['contain.mjs']));
    process.env.TZ = 'Asia/Tokyo';
    const east = zipReproducibly(files(['contain.mjs']));

    expect(Buffer.compare(Buffer.from(west), Buffer.from(east))).toBe(0);
  });

  it('stores the files as regular files readable by all (rw-r--r--)', () => {
    const zip = Buffer.from(zipReproducibly(files(['contain.mjs'])));
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));

    expect(zip.readUInt8(central + 5)).toBe(3); // made by: Unix
    expect(zip.readUInt32LE(central + 38) >>> 16).toBe(0o100644);
  });
});
