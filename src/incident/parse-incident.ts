import { cutEnd } from '../common/untrusted-text.js';
import { InvalidEventError } from '../errors.js';
import { HEALTH_SOURCE, parseHealthEvent } from './health.js';
import type { Incident } from './incident.js';
import { parseTrustedAdvisorEvent, TRUSTED_ADVISOR_SOURCE } from './trusted-advisor.js';

/**
 * Reads an EventBridge event from Trusted Advisor or AWS Health as one {@link Incident}.
 *
 * @throws InvalidEventError naming the first field that is missing or invalid.
 */
export function parseIncident(event: unknown): Incident {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new InvalidEventError('(event)', 'must be a JSON object');
  const source = (event as { source?: unknown }).source;
  if (source === TRUSTED_ADVISOR_SOURCE) return parseTrustedAdvisorEvent(event);
  if (source === HEALTH_SOURCE) return parseHealthEvent(event);
  if (source === undefined) throw new InvalidEventError('source', 'is missing');
  throw new InvalidEventError(
    'source',
    `is ${JSON.stringify(cutEnd(String(source), 40))}; expected ${TRUSTED_ADVISOR_SOURCE} or ${HEALTH_SOURCE}`,
  );
}
