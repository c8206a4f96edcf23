import type { AwsIamAccessKeyStatus, AwsSecurityFinding, Resource, SeverityLabel } from '@aws-sdk/client-securityhub';
import { searchGap } from '../activity/verdict.js';
import {
  type FollowUpReport,
  type IncidentOutcome,
  type IncidentReport,
  notInThisAccount,
} from '../steps/incident-outcome.js';
import { fitWithin } from './fit.js';
import type { IncidentMessage } from './incident-message.js';

/*
 * The incident as a Security Hub finding (ASFF), rendered from the same message as the e-mail. One
 * finding per key, whose id is derived from the account and the key, so that every later report
 * of the key updates it rather than adding a second one.
 */

/** ASFF limits (Security Hub's guide to mapping findings): the finding is cut to them, never refused. */
export const ASFF_LIMITS = {
  title: 256,
  description: 1024,
  recommendation: 512,
  productFieldKey: 128,
  productFieldValue: 2048,
  productFields: 50,
} as const;

/** The generator of every finding exposed-keys imports. */
export const GENERATOR_ID = 'exposed-keys';

/** The finding's id: one per key (or per quarantined user, when the signal names no key). */
export function findingId(accountId: string, subject: { accessKeyId: string } | { userName: string }): string {
  return 'accessKeyId' in subject
    ? `exposed-keys/${accountId}/${subject.accessKeyId}`
    : `exposed-keys/${accountId}/user/${subject.userName}`;
}

/** The product ARN of findings a customer imports into its own account (the default product). */
export function defaultProductArn(region: string, accountId: string): string {
  return `arn:aws:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

const CONTAINED: readonly IncidentOutcome[] = ['deleted', 'deactivated', 'already-contained'];

/**
 * What the investigation did not read, as a sentence of the description: part of the key's own
 * search, or all of it when the investigation of a response failed or did not run. A later report,
 * a quarantine and a follow-up investigate nothing by design: none of them has a gap.
 */
function gapOf(message: IncidentMessage, report: IncidentReport): string | null {
  const summary = message.activity[0]?.summary;
  if (summary) {
    const gap = searchGap(summary);
    return gap ? `The investigation was NOT complete: ${gap}.` : null;
  }
  if (report.followUp || report.signal?.role === 'joined' || report.signal?.role === 'quarantine') return null;
  if (report.investigation.status === 'failed') return 'The investigation FAILED: what the key did is not known.';
  if (report.investigation.status === 'skipped') return 'The investigation did not run: what the key did is not known.';
  return null;
}

/**
 * How severe the incident is: a human must act (critical); the attacker did risky things, or the
 * search for what it did was not complete, failed or did not run (high); else medium.
 */
export function severityOf(message: IncidentMessage, report: IncidentReport): SeverityLabel {
  if (message.urgent) return 'CRITICAL';
  const own = message.activity[0];
  // Counted before a cut to fit the state machine's state, when there was one.
  const risky = own?.cut?.riskyEvents ?? own?.summary.riskyEvents.length ?? 0;
  // Regions not searched, a search cut short or none at all may hide risky acts: "medium, nothing
  // risky" would be a claim the search cannot make. Not critical: the key is contained, and
  // investigating again is among the steps.
  if (message.outcome === 'joined' || message.outcome === 'user-quarantined' || risky > 0 || gapOf(message, report))
    return 'HIGH';
  return 'MEDIUM';
}

type KeyStatus = 'Active' | 'Inactive' | undefined;

/** The key's status after a follow-up: what IAM or the step showed, unsaid when it showed nothing. */
function followUpKeyStatus(followUp: FollowUpReport): KeyStatus {
  if (followUp.step.status !== 'done') return undefined;
  const result = followUp.step.result;
  if (result.kind === 'release') return result.status;
  if (result.kind === 'scheduled-deletion') return result.outcome === 'refused' ? undefined : 'Inactive';
  // Calls after containment may mean the key works again: only a quiet key is known to be contained.
  return result.quiet ? 'Inactive' : undefined;
}

/** The key's status as ASFF has it: inactive once contained (or gone), active while usable, unsaid when unknown. */
function keyStatus(message: IncidentMessage, report: IncidentReport): KeyStatus {
  const signal = report.signal;
  if (signal?.role === 'joined') {
    if (signal.keyNow.status === 'active') return 'Active';
    if (signal.keyNow.status === 'inactive') return 'Inactive';
    return signal.keyNow.status === 'gone' && !notInThisAccount(signal) ? 'Inactive' : undefined;
  }
  if (report.followUp) return followUpKeyStatus(report.followUp);
  if (CONTAINED.includes(message.outcome)) return 'Inactive';
  if (['notify-only', 'manual-action-required', 'owner-mismatch', 'containment-failed'].includes(message.outcome))
    return 'Active';
  return undefined;
}

function resources(message: IncidentMessage, region: string, accountId: string, status: KeyStatus): Resource[] {
  const user = message.userName;
  const userResource: Resource[] =
    user && /^[\w+=,.@-]{1,64}$/.test(user)
      ? [{ Type: 'AwsIamUser', Id: `arn:aws:iam::${accountId}:user/${user}`, Partition: 'aws', Region: region }]
      : [];
  if (!message.accessKeyId) return userResource;
  return [
    {
      Type: 'AwsIamAccessKey',
      Id: message.accessKeyId,
      Partition: 'aws',
      Region: region,
      Details: {
        AwsIamAccessKey: {
          AccessKeyId: message.accessKeyId,
          AccountId: accountId,
          ...(user ? { PrincipalName: user, PrincipalType: 'IAMUser' } : {}),
          ...(status ? { Status: status } : {}),
        },
      },
    },
    ...userResource,
  ];
}

/** A summary of the incident as product fields: short values, at most 50, each cut to ASFF's limits. */
function productFields(message: IncidentMessage, report: IncidentReport): Record<string, string> {
  const activity = message.activity[0]?.summary;
  const cut = message.activity[0]?.cut;
  const record =
    report.signal && report.signal.role !== 'quarantine' && report.signal.record ? report.signal.record : null;
  const fields: Record<string, string | number | undefined | null> = {
    outcome: message.outcome,
    urgent: String(message.urgent),
    source: message.source,
    keyNow: message.keyNow,
    signals: record?.signals,
    signalSources: record?.sources.join(','),
    openedAt: record?.openedAt,
    totalEvents: activity?.totalEvents,
    riskyEvents: cut?.riskyEvents ?? activity?.riskyEvents.length,
    regionsSearched: activity?.regions.searched.length,
    regionsFailed: activity?.regions.failed.map((failed) => failed.region).join(','),
    sessionKeys: cut?.sessionKeys ?? activity?.sessionKeys.length,
    firstSeen: activity?.firstSeen,
    lastSeen: activity?.lastSeen,
    attackerDid: message.attackerDid.join(' | '),
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter(
        (entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== null && entry[1] !== '',
      )
      .slice(0, ASFF_LIMITS.productFields)
      .map(([name, value]) => [`exposed-keys/${name}`, fitWithin(String(value), ASFF_LIMITS.productFieldValue)]),
  );
}

const KEY_NOW = ' Key now: ';

function description(happened: string, keyNow: string): string {
  return fitWithin(`${happened}${KEY_NOW}${keyNow}`, ASFF_LIMITS.description);
}

/** `resources` with the key's status set to `status`, or without one when `status` is not known. */
function withKeyStatus(
  resources: Resource[] | undefined,
  status: AwsIamAccessKeyStatus | undefined,
): Resource[] | undefined {
  return resources?.map((resource) => {
    const key = resource.Details?.AwsIamAccessKey;
    if (resource.Type !== 'AwsIamAccessKey' || !key) return resource;
    const { Status: _stale, ...rest } = key;
    return {
      ...resource,
      Details: { ...resource.Details, AwsIamAccessKey: status ? { ...rest, Status: status } : rest },
    };
  });
}

/**
 * The description and resources of `existing` (a finding built here) saying what `fresh`, a later
 * one of the same key, says of the key now: what happened, as `existing` tells it, stays.
 */
export function keyNowOf(
  existing: AwsSecurityFinding,
  fresh: AwsSecurityFinding,
): Pick<AwsSecurityFinding, 'Description' | 'Resources'> {
  const status = fresh.Resources?.find((resource) => resource.Type === 'AwsIamAccessKey')?.Details?.AwsIamAccessKey
    ?.Status;
  const resources = withKeyStatus(existing.Resources, status);
  const text = existing.Description;
  const keyNow = fresh.ProductFields?.['exposed-keys/keyNow'];
  if (text === undefined || keyNow === undefined) return { Description: text, Resources: resources };
  // The key-now field says exactly where the description's key now starts, unless the description
  // was cut; then its first mark does, and a description cut before it has none to replace.
  const before = existing.ProductFields?.['exposed-keys/keyNow'];
  const start =
    before !== undefined && text.endsWith(`${KEY_NOW}${before}`)
      ? text.length - KEY_NOW.length - before.length
      : text.indexOf(KEY_NOW);
  return { Description: start < 0 ? text : description(text.slice(0, start), keyNow), Resources: resources };
}

/** Where and when the finding is imported. */
export interface FindingContext {
  region: string;
  now: Date;
}

/**
 * The finding of an incident, or null when there is nothing to put in Security Hub (an event that
 * could not be read, a dry run). Text from outside is already inert in the message; here it is
 * only cut to ASFF's limits. `CreatedAt` is when the incident opened (else now); the import keeps
 * that of a finding already there.
 */
export function buildFinding(
  report: IncidentReport,
  message: IncidentMessage,
  context: FindingContext,
): AwsSecurityFinding | null {
  const accountId = message.accountId;
  if (accountId === null || !/^\d{12}$/.test(accountId) || message.outcome === 'planned') return null;
  const subject = message.accessKeyId
    ? { accessKeyId: message.accessKeyId }
    : message.userName
      ? { userName: message.userName }
      : null;
  if (subject === null) return null;
  const found = resources(message, context.region, accountId, keyStatus(message, report));
  // ASFF needs at least one resource: a user name IAM would not accept names none.
  if (found.length === 0) return null;
  const steps = message.doNow.map((step, index) => `${index + 1}. ${step}`).join(' ');
  const now = context.now.toISOString();
  // Every report of the key names the moment its incident opened: concurrent imports agree on it.
  const record = report.signal && report.signal.role !== 'quarantine' ? report.signal.record : null;
  const openedAt = record?.openedAt && record.openedAt <= now ? record.openedAt : now;
  const severity = severityOf(message, report);
  const gap = gapOf(message, report);
  const happened = gap ? `${message.happened} ${gap}` : message.happened;
  const types = ['TTPs/Credential Access/Exposed IAM access key'];
  return {
    SchemaVersion: '2018-10-08',
    Id: findingId(accountId, subject),
    ProductArn: defaultProductArn(context.region, accountId),
    GeneratorId: GENERATOR_ID,
    AwsAccountId: accountId,
    Types: types,
    CreatedAt: openedAt,
    UpdatedAt: now,
    FirstObservedAt: openedAt,
    LastObservedAt: now,
    Severity: { Label: severity },
    FindingProviderFields: { Severity: { Label: severity, Original: severity }, Types: types },
    Title: fitWithin(
      `${message.headline}: ${message.accessKeyId ?? message.userName}${message.accessKeyId && message.userName ? ` (${message.userName})` : ''}`,
      ASFF_LIMITS.title,
    ),
    Description: description(happened, message.keyNow),
    ...(steps ? { Remediation: { Recommendation: { Text: fitWithin(steps, ASFF_LIMITS.recommendation) } } } : {}),
    ProductFields: productFields(message, report),
    Resources: found,
    RecordState: 'ACTIVE',
  };
}
