import { cutEnd } from '../common/untrusted-text.js';
import { InvalidEventError } from '../errors.js';
import { HEALTH_SOURCE, parseHealthEvent } from './health.js';
import type { Incident } from './incident.js';
import { IAM_SOURCE, parseQuarantineEvent, type QuarantineSignal } from './quarantine.js';
import { parseTrustedAdvisorEvent, TRUSTED_ADVISOR_SOURCE } from './trusted-advisor.js';

/**
 * What an event reports: an exposed key (Trusted Advisor, AWS Health), or a user AWS quarantined
 * (its CloudTrail record), which names no key.
 */
export type Signal = { kind: 'key'; incident: Incident } | { kind: 'user'; quarantine: QuarantineSignal };

function sourceOf(event: unknown): unknown {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    throw new InvalidEventError('(event)', 'must be a JSON object');
  return (event as { source?: unknown }).source;
}

function unknownSource(source: unknown, expected: string): InvalidEventError {
  if (source === undefined) return new InvalidEventError('source', 'is missing');
  return new InvalidEventError('source', `is ${JSON.stringify(cutEnd(String(source), 40))}; expected ${expected}`);
}

/**
 * Reads an EventBridge event from Trusted Advisor or AWS Health as one {@link Incident}.
 *
 * @throws InvalidEventError naming the first field that is missing or invalid; a quarantine event
 * is refused too, since it names no key (read it with {@link parseSignal}).
 */
export function parseIncident(event: unknown): Incident {
  const source = sourceOf(event);
  if (source === TRUSTED_ADVISOR_SOURCE) return parseTrustedAdvisorEvent(event);
  if (source === HEALTH_SOURCE) return parseHealthEvent(event);
  throw unknownSource(source, `${TRUSTED_ADVISOR_SOURCE} or ${HEALTH_SOURCE}`);
}

/**
 * Reads any event the stack reacts to: an exposed key, or AWS quarantining a user.
 *
 * @throws InvalidEventError naming the first field that is missing or invalid.
 */
export function parseSignal(event: unknown): Signal {
  const source = sourceOf(event);
  if (source === IAM_SOURCE) return { kind: 'user', quarantine: parseQuarantineEvent(event) };
  if (source === TRUSTED_ADVISOR_SOURCE || source === HEALTH_SOURCE)
    return { kind: 'key', incident: parseIncident(event) };
  throw unknownSource(source, `${TRUSTED_ADVISOR_SOURCE}, ${HEALTH_SOURCE} or ${IAM_SOURCE}`);
}
