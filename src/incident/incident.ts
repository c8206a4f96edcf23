/** Where the exposure was reported: by AWS, or by a person running `exposed-keys respond`. */
export type IncidentSource = 'trusted-advisor' | 'health' | 'manual';

/** How sure AWS is that the key leaked, as Trusted Advisor words it. */
export type FraudType = 'Exposed' | 'Potentially compromised' | 'Suspected';

/**
 * One exposed-key incident, whichever AWS service reported it. This is the shape every step
 * receives; it is validated when it is built, so steps can trust it.
 */
export interface Incident {
  source: IncidentSource;
  /** The 12-digit account the key belongs to. */
  accountId: string;
  /** `AKIA…` (long-term) or `ASIA…` (temporary). */
  accessKeyId: string;
  /** The IAM user named by the event, `root` for the root user, or null when the event names none. */
  userName: string | null;
  /** Where the key was found (a URL, usually), when AWS says. */
  location: string | null;
  fraudType: FraudType | null;
  /** The Trusted Advisor case id, or the AWS Health event ARN. */
  caseId: string | null;
  /** When AWS detected or last updated the finding, ISO 8601. */
  detectedAt: string;
  /** The EventBridge event id. */
  eventId: string;
  /**
   * The account that received the event, when it is not the key's: an organisation's management or
   * delegated-administrator account, which receives AWS Health events for every member.
   */
  receivedBy?: string;
  /** What the event held that could not be used, said so that nothing is dropped silently. */
  notes?: string[];
}
