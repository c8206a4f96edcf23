import { HEALTH_DETAIL_TYPE, HEALTH_RISK_CODES, HEALTH_SOURCE } from './health.js';
import { EXPOSED_KEYS_CHECK_NAME, TRUSTED_ADVISOR_DETAIL_TYPE, TRUSTED_ADVISOR_SOURCE } from './trusted-advisor.js';

/*
 * The EventBridge patterns of the events exposed-keys acts on, built from the same constants the
 * parsers check. The stack's rules (cloudformation/exposed-keys.yaml, on the default bus and, in
 * organisation mode, on the hub's bus) and the member accounts' forwarding rules
 * (cloudformation/member.yaml) repeat them in YAML; a test checks that every one of them equals
 * these, so that the hub, the members and the parsers cannot drift apart.
 */

/** Trusted Advisor's "Exposed Access Keys" check, red (exposed) or yellow (suspected). */
export const TRUSTED_ADVISOR_PATTERN = {
  source: [TRUSTED_ADVISOR_SOURCE],
  'detail-type': [TRUSTED_ADVISOR_DETAIL_TYPE],
  detail: { status: ['ERROR', 'WARN'], 'check-name': [EXPOSED_KEYS_CHECK_NAME] },
} as const;

/** AWS Health `RISK` events about exposed, compromised or quarantined credentials. */
export const HEALTH_RISK_PATTERN = {
  source: [HEALTH_SOURCE],
  'detail-type': [HEALTH_DETAIL_TYPE],
  detail: { service: ['RISK'], eventTypeCode: Object.keys(HEALTH_RISK_CODES) },
} as const;

/** Both patterns, by the name their rules carry in the templates. */
export const EVENT_PATTERNS = {
  trustedAdvisor: TRUSTED_ADVISOR_PATTERN,
  healthRisk: HEALTH_RISK_PATTERN,
} as const;
