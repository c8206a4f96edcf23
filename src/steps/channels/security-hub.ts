import { type AwsSecurityFinding, BatchImportFindingsCommand, GetFindingsCommand } from '@aws-sdk/client-securityhub';
import { awsErrorCode, isAwsError, toAwsCallError } from '../../aws/aws-errors.js';
import type { SecurityHubApi } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import { keyNowOf } from '../../message/finding.js';

/**
 * How importing the finding went; a failure is reported here, never thrown. `created` is null when
 * the finding already there could not be read: a full finding was imported anyway, over any earlier.
 */
export type FindingOutcome =
  | {
      status: 'imported';
      findingId: string;
      created: boolean | null;
      updatedAt: string;
      warnings: string[];
      /** True when the finding was RESOLVED and this news made it NEW again (archived, then active). */
      reopened?: true;
    }
  | { status: 'not-enabled'; findingId: string; detail: string }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; findingId: string; error: string };

/** What {@link importFinding} needs. */
export interface FindingDeps {
  securityHub: SecurityHubApi;
  /** The account this runs in: with the default product ARN, only the key's own account may import its finding. */
  accountId?: string;
  now?: () => Date;
}

/**
 * `full`: the finding of a response replaces the content (keeping when it was first created);
 * `follow-up`: a later report updates the report count and times; `lifecycle`: what came after the
 * containment (the scheduled deletion, the verification, a release) updates the outcome. Both keep
 * what the response wrote (what the attacker did, what is left to do, its severity) but say what
 * the key is now (its status, and the description's key now), unless the follow-up needs a human
 * and is at least as severe: then its title, description, severity and remediation replace the
 * response's, whose fields stay.
 */
export type FindingUpdate = 'full' | 'follow-up' | 'lifecycle';

const SEVERITY_ORDER = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

function severityRank(finding: AwsSecurityFinding): number {
  return SEVERITY_ORDER.indexOf(finding.Severity?.Label ?? 'INFORMATIONAL');
}

const MAX_PAGES = 10;

/** Security Hub answers this way when it is not enabled in the account and region. */
function notEnabled(error: unknown): boolean {
  return isAwsError(error, 'InvalidAccessException', 'InvalidAccess');
}

/** The finding with this id and product, if Security Hub has it (filtered here too: moto ignores filters). */
async function existingFinding(hub: SecurityHubApi, finding: AwsSecurityFinding): Promise<AwsSecurityFinding | null> {
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await hub.send(
      new GetFindingsCommand({
        Filters: {
          Id: [{ Value: finding.Id, Comparison: 'EQUALS' }],
          ProductArn: [{ Value: finding.ProductArn, Comparison: 'EQUALS' }],
        },
        MaxResults: 100,
        NextToken: token,
      }),
    );
    const found = answer.Findings?.find((each) => each.Id === finding.Id && each.ProductArn === finding.ProductArn);
    if (found) return found;
    token = answer.NextToken;
    if (!token) return null;
  }
  return null;
}

/** A time strictly after `previous` and not before `now`: Security Hub ignores an update that is not later. */
function laterThan(previous: string | undefined, now: Date): string {
  const before = previous ? Date.parse(previous) : Number.NaN;
  return new Date(Number.isNaN(before) ? now.getTime() : Math.max(now.getTime(), before + 1)).toISOString();
}

function ownFields(fields: Record<string, string> | undefined): Record<string, string> {
  // Security Hub adds fields of its own (aws/securityhub/...): only ours are sent back.
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([name]) => name.startsWith('exposed-keys/')));
}

const FOLLOW_UP_FIELDS = ['exposed-keys/signals', 'exposed-keys/signalSources', 'exposed-keys/keyNow'];
/** What a lifecycle follow-up says of the key now; the response's other fields (what the attacker did) stay. */
const LIFECYCLE_FIELDS = ['exposed-keys/outcome', 'exposed-keys/urgent', 'exposed-keys/keyNow'];
/** What a later report that escalates says besides: its outcome and urgency are then the finding's. */
const ESCALATION_FIELDS = ['exposed-keys/outcome', 'exposed-keys/urgent'];

function picked(fields: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.filter((name) => fields[name]).map((name) => [name, fields[name] as string]));
}

/**
 * Whether a follow-up replaces the response's title, severity and remediation: when it needs a
 * human and is at least as severe (activity after containment after a response already CRITICAL is
 * news, not a repeat; a key found active again by a later report is news too).
 */
function escalates(fresh: AwsSecurityFinding, existing: AwsSecurityFinding): boolean {
  return fresh.ProductFields?.['exposed-keys/urgent'] === 'true' && severityRank(fresh) >= severityRank(existing);
}

/** The finding to import, given the one Security Hub holds (if any). */
export function mergeFinding(
  fresh: AwsSecurityFinding,
  existing: AwsSecurityFinding | null,
  update: FindingUpdate,
  now: Date,
): AwsSecurityFinding {
  if (!existing) return fresh;
  const kept = {
    CreatedAt: existing.CreatedAt ?? fresh.CreatedAt,
    FirstObservedAt: existing.FirstObservedAt ?? fresh.FirstObservedAt,
    UpdatedAt: laterThan(existing.UpdatedAt, now),
    LastObservedAt: now.toISOString(),
  };
  if (update === 'full') return { ...fresh, ...kept };
  const escalated = escalates(fresh, existing);
  const freshFields = ownFields(fresh.ProductFields);
  const names =
    update === 'lifecycle' ? LIFECYCLE_FIELDS : [...FOLLOW_UP_FIELDS, ...(escalated ? ESCALATION_FIELDS : [])];
  const productFields = {
    ...ownFields(existing.ProductFields),
    ...picked(freshFields, names),
    'exposed-keys/lastReport': `${freshFields['exposed-keys/source'] ?? 'unknown'} at ${now.toISOString()}`,
  };
  if (escalated) return { ...fresh, ProductFields: productFields, ...kept };
  return {
    SchemaVersion: existing.SchemaVersion,
    Id: existing.Id,
    ProductArn: existing.ProductArn,
    GeneratorId: existing.GeneratorId,
    AwsAccountId: existing.AwsAccountId,
    Types: existing.Types,
    Severity: existing.Severity,
    FindingProviderFields: existing.FindingProviderFields,
    Title: existing.Title,
    Remediation: existing.Remediation,
    ...keyNowOf(existing, fresh),
    RecordState: 'ACTIVE',
    ProductFields: productFields,
    ...kept,
  };
}

/**
 * Puts the incident's finding into Security Hub, from the account that owns the key: creates it, or
 * updates the one a report before created (same id), keeping when it was first created. When that
 * one cannot be read, only a full finding is imported; a follow-up's fails, as it would replace it.
 * Security Hub not enabled is noted, not an error; nothing here throws, so that the run goes on.
 */
export async function importFinding(
  deps: FindingDeps,
  fresh: AwsSecurityFinding | null,
  update: FindingUpdate,
): Promise<FindingOutcome> {
  if (fresh === null) return { status: 'skipped', reason: 'nothing to report in Security Hub' };
  const findingId = fresh.Id as string;
  if (deps.accountId !== undefined && fresh.AwsAccountId !== deps.accountId)
    return {
      status: 'skipped',
      reason: `the key belongs to account ${fresh.AwsAccountId}: only that account may import its finding (deploy exposed-keys there)`,
    };
  const now = (deps.now ?? (() => new Date()))();
  const warnings: string[] = [];
  let existing: AwsSecurityFinding | null = null;
  let unread = false;
  try {
    existing = await existingFinding(deps.securityHub, fresh);
  } catch (error) {
    if (notEnabled(error)) return { status: 'not-enabled', findingId, detail: describeError(error) };
    const reason = describeError(toAwsCallError('securityhub:GetFindings', error));
    // A follow-up's finding is only a part: imported unmerged under the same id, it would replace the
    // response's (its severity, what the attacker did, its remediation).
    if (update !== 'full')
      return {
        status: 'failed',
        findingId,
        error: `Could not read the finding already there, so this ${update} was not imported (it would have replaced the response's finding): ${reason}`,
      };
    unread = true;
    warnings.push(`Could not read the finding already there (imported over it): ${reason}`);
  }
  // News (a new response, or a follow-up that needs a human) on a finding someone closed: Security
  // Hub makes a RESOLVED finding NEW again only when it goes from ARCHIVED to ACTIVE, and no longer
  // updates a SUPPRESSED one at all.
  const news = update === 'full' || fresh.ProductFields?.['exposed-keys/urgent'] === 'true';
  const workflow = existing?.Workflow?.Status;
  if (news && workflow === 'SUPPRESSED')
    return {
      status: 'failed',
      findingId,
      error: `The finding is SUPPRESSED in Security Hub, which no longer updates it, so this incident is not there: set it NEW to see it again (aws securityhub batch-update-findings --finding-identifiers Id=${findingId},ProductArn=${fresh.ProductArn} --workflow Status=NEW); the notification holds it all.`,
    };
  let finding = mergeFinding(fresh, existing, update, now);
  let reopened = false;
  if (news && workflow === 'RESOLVED' && existing?.RecordState !== 'ARCHIVED') {
    const archived = await imported(deps.securityHub, { ...finding, RecordState: 'ARCHIVED' }, findingId);
    if (archived === null) {
      reopened = true;
      finding = { ...finding, UpdatedAt: laterThan(finding.UpdatedAt, now) };
    } else warnings.push(`Could not reopen the RESOLVED finding (it stays RESOLVED): ${describeOutcome(archived)}`);
  }
  const failed = await imported(deps.securityHub, finding, findingId);
  if (failed !== null)
    return reopened && failed.status === 'failed'
      ? { ...failed, error: `${failed.error} The finding was left ARCHIVED: run the response again to bring it back.` }
      : failed;
  return {
    status: 'imported',
    findingId,
    created: unread ? null : existing === null,
    updatedAt: finding.UpdatedAt as string,
    warnings,
    ...(reopened ? { reopened: true as const } : {}),
  };
}

type ImportFailure = Extract<FindingOutcome, { status: 'not-enabled' | 'failed' }>;

function describeOutcome(failure: ImportFailure): string {
  return failure.status === 'failed' ? failure.error : failure.detail;
}

/** Imports one finding: null once Security Hub took it, else why not. */
async function imported(
  hub: SecurityHubApi,
  finding: AwsSecurityFinding,
  findingId: string,
): Promise<ImportFailure | null> {
  try {
    const answer = await hub.send(new BatchImportFindingsCommand({ Findings: [finding] }));
    const failed = answer.FailedFindings?.[0];
    if (!failed) return null;
    // Security Hub not enabled (or the product not subscribed) comes back here, not as an exception.
    if (failed.ErrorCode === 'InvalidAccess')
      return { status: 'not-enabled', findingId, detail: `${failed.ErrorCode}: ${failed.ErrorMessage ?? ''}` };
    return { status: 'failed', findingId, error: `${failed.ErrorCode ?? 'Failed'}: ${failed.ErrorMessage ?? ''}` };
  } catch (error) {
    if (notEnabled(error))
      return { status: 'not-enabled', findingId, detail: `${awsErrorCode(error)}: ${describeError(error)}` };
    return {
      status: 'failed',
      findingId,
      error: describeError(toAwsCallError('securityhub:BatchImportFindings', error)),
    };
  }
}
