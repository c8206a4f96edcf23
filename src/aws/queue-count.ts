/**
 * A count SQS gave in a queue's attributes (`ApproximateNumberOfMessages`…); an answer without one
 * is no answer, never zero: an empty queue must be shown, not assumed.
 *
 * @throws Error when the attribute is missing or not a count.
 */
export function queueCount(attribute: string | undefined): number {
  const count = attribute === undefined || attribute.trim() === '' ? Number.NaN : Number(attribute);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new Error(`SQS gave no count of the queue's events: ${attribute === undefined ? 'none' : `"${attribute}"`}`);
  return count;
}
