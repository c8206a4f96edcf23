/** True when `text` holds no lone surrogate: it survives UTF-8 unchanged, as SNS and terminals need. */
export function wellFormed(text: string): boolean {
  return Buffer.from(text, 'utf8').toString('utf8') === text;
}
