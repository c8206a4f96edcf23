/** True when `text` holds no lone surrogate: it survives UTF-8 unchanged, as SNS and terminals need. */
export function wellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}

/**
 * The characters of `text` that would act on a terminal or in a message rather than show: C0
 * controls but the line feed (unless `lineFeeds` is false), DEL, C1 controls, bidirectional
 * controls, zero-width characters, the soft hyphen, interlinear annotations and tag characters. Written by code point, apart from the product's own rule.
 */
export function activeCharacters(text: string, options: { lineFeeds?: boolean } = {}): string[] {
  const found: string[] = [];
  for (const character of text) {
    const code = character.codePointAt(0) as number;
    if (code === 0x0a && options.lineFeeds !== false) continue;
    if (
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x061c ||
      (code >= 0x200b && code <= 0x200f) ||
      (code >= 0x2028 && code <= 0x202e) ||
      (code >= 0x2060 && code <= 0x2069) ||
      code === 0xfeff ||
      code === 0x00ad ||
      code === 0x180e ||
      (code >= 0xfff9 && code <= 0xfffb) ||
      (code >= 0xe0000 && code <= 0xe007f)
    )
      found.push(`U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  return found;
}
