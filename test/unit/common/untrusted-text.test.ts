import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  cutEnd,
  cutMiddle,
  inert,
  shownText,
  shownValue,
} from '../../../src/common/untrusted-text.js';
import { activeCharacters, wellFormed } from '../../support/well-formed.js';

describe('inert', () => {
  it('shows escape sequences, carriage returns, C1 controls and bidi overrides as visible escapes', () => {
    expect(inert('a\u001b[31mred\u001b[0m')).toBe('a\\x1B[31mred\\x1B[0m');
    expect(inert('\u001b]52;c;ZWNobyBoaQ==\u0007')).toBe('\\x1B]52;c;ZWNobyBoaQ==\\x07');
    expect(inert('line\r\nnext\u009b2J')).toBe('line\\x0D\\x0Anext\\x9B2J');
    expect(inert('user\u202etxt.exe')).toBe('user\\u202Etxt.exe');
  });

  it('shows the invisible format characters that hide text: soft hyphens and Unicode tag characters', () => {
    expect(inert('key is s\u00adafe')).toBe('key is s\\xADafe');
    expect(inert('ok\u{E0069}\u{E0067}')).toBe('ok\\u{E0069}\\u{E0067}');
    expect(inert('a\u2064b\u{1D173}c')).toBe('a\\u2064b\\u{1D173}c');
    expect(inert('x\u{E0100}\u{E01EF}')).toBe('x\\u{E0100}\\u{E01EF}');
    // The variation selector of emoji presentation shows as part of its emoji, and stays.
    expect(inert('\u2764\uFE0F')).toBe('\u2764\uFE0F');
  });

  it('shows the other invisible characters: variation selectors, fillers, blanks', () => {
    expect(inert('AKIA\uFE0FX\uFE00Y\uFE0EZ')).toBe('AKIA\\uFE0FX\\uFE00Y\\uFE0EZ');
    expect(inert('a\u034Fb\u115Fc\u1160d\u3164e\uFFA0f\u2800g')).toBe(
      'a\\u034Fb\\u115Fc\\u1160d\\u3164e\\uFFA0f\\u2800g',
    );
    expect(inert('m\u180Bn\u17B4o\u{E0FFF}')).toBe('m\\u180Bn\\u17B4o\\u{E0FFF}');
  });

  it('keeps one presentation selector after an emoji, and shows any more it carries', () => {
    expect(inert('\u{1F511}\uFE0F\uFE0F\uFE01')).toBe('\u{1F511}\uFE0F\\uFE0F\\uFE01');
    expect(inert('\u2764\uFE0E ok')).toBe('\u2764\uFE0E ok');
    // A joiner is a format character: an emoji sequence shows as its parts.
    expect(inert('\u{1F469}\u200D\u{1F4BB}')).toBe('\u{1F469}\\u200D\u{1F4BB}');
  });

  it('keeps printable text, accents and characters outside the BMP as they are', () => {
    expect(inert('café 🔑 日本 (ok)')).toBe('café 🔑 日本 (ok)');
  });

  it('shows a lone half of a surrogate pair instead of passing invalid text on', () => {
    expect(inert('x\ud83dy')).toBe('x\\uD83Dy');
    expect(inert('\udd11')).toBe('\\uDD11');
  });
});

describe('cutting by code point', () => {
  it('never splits a character outside the BMP at the cut', () => {
    const text = `${'a'.repeat(199)}🔑${'b'.repeat(50)}`;

    const cut = cutEnd(text, 200);

    expect(wellFormed(cut)).toBe(true);
    expect(cut.startsWith(`${'a'.repeat(199)}🔑…`)).toBe(true);
    expect(cut).toMatch(/\(50 more characters\)$/);
  });

  it('keeps the start and the end of a long value, so that values that differ at the end stay apart', () => {
    const agent = (version: string) =>
      `APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/${version}`;

    const one = cutMiddle(
      agent('3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.13'),
      60,
    );
    const two = cutMiddle(
      agent('3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.14'),
      60,
    );

    expect(codePointLength(one)).toBe(60);
    expect(one).not.toBe(two);
    expect(one.startsWith('APN/1.0 HashiCorp')).toBe(true);
    expect(one.endsWith('aws-sdk-go/1.44.13')).toBe(true);
  });

  it('leaves text within the cap alone', () => {
    expect(cutMiddle('short', 10)).toBe('short');
    expect(cutEnd('short', 10)).toBe('short');
  });
});

describe('shownValue and shownText, on any text', () => {
  it('give well-formed text, without an active character, within the cap', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const value = shownValue(text, max);
        const prose = shownText(text, max);
        expect(wellFormed(value)).toBe(true);
        expect(wellFormed(prose)).toBe(true);
        expect(activeCharacters(value, { lineFeeds: false })).toEqual([]);
        expect(activeCharacters(prose, { lineFeeds: false })).toEqual([]);
        expect(codePointLength(value)).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });
});
