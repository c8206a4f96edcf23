/** The size of `value` as JSON in UTF-8 bytes: what Step Functions, SNS and CloudWatch count. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
