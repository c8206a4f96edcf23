import type { ActivitySource } from '../../activity/activity-source.js';
import { accountBudget } from '../../activity/lookup-events/account-budget.js';
import { lookupEventsSource } from '../../activity/lookup-events/lookup-events-source.js';
import { invocationDeadline, withDeadline } from '../../aws/deadline.js';
import type { AthenaApi, CloudTrailApi, GlueApi, StsApi } from '../../aws/narrow-clients.js';
import { perRegion } from '../../aws/per-region.js';
import { regionsListedOnce } from '../../aws/regions-listed-once.js';
import { InvalidEventError, InvestigationError } from '../../errors.js';
import type { Incident } from '../../incident/incident.js';
import { parseIncident } from '../../incident/parse-incident.js';
import type { AccountClients } from '../../organization/account-clients.js';
import { incidentAccount, type OrganizationAccess } from '../../organization/organization-access.js';
import type { InvestigateConfig } from '../../settings/function-settings.js';
import { type InventoryDeps, inventoryOrError } from '../../steps/inventory/take-inventory.js';
import { type Investigation, investigateKey, windowEnding } from '../../steps/investigate.js';
import { isFollowUpEvent } from '../../steps/lifecycle/follow-up.js';
import type { VerificationResult } from '../../steps/lifecycle/follow-up-result.js';
import { verifyContainment } from '../../steps/lifecycle/verification.js';
import { fitInventory, fitInvestigation } from '../fit-state.js';
import { fitsOneLogEvent, fitVerification } from '../fit-verification.js';
import { eventOf, type WorkflowState } from '../workflow-state.js';
import {
  accountOf,
  followUpClients,
  followUpRequest,
  ownAccount,
  TASK_MARGIN_MS,
  type TaskContext,
  type TaskLogger,
} from './task-common.js';

/** The clients of the Athena source, loaded only when the stack has a table. */
export interface AthenaTaskClients {
  athena: AthenaApi;
  glue: GlueApi;
  sts: StsApi;
  /** The region they call, whose catalog holds the table. */
  region?: string;
}

/**
 * The source of the stack's investigation: LookupEvents, or, when the stack created an Athena
 * table, Athena within half the time left, then LookupEvents if Athena could not answer;
 * `listRegions` is the listing `lookup` uses, so that the account's regions are listed once.
 */
async function stackSource(
  lookup: ActivitySource,
  config: InvestigateConfig,
  athenaClients: (() => Promise<AthenaTaskClients>) | undefined,
  deadline: number | undefined,
  listRegions: (() => Promise<string[]>) | undefined,
): Promise<ActivitySource> {
  if (!config.athena || !athenaClients) return lookup;
  const [{ athenaSource }, { withFallback }, { keyAccounts }, clients] = await Promise.all([
    import('../../activity/athena/athena-source.js'),
    import('../../activity/fallback-source.js'),
    import('../../aws/key-accounts.js'),
    athenaClients(),
  ]);
  const athena = athenaSource(
    {
      athena: withDeadline(clients.athena, deadline),
      glue: withDeadline(clients.glue, deadline),
      accountsOf: keyAccounts(withDeadline(clients.sts, deadline)),
      listRegions,
    },
    {
      table: config.athena.table,
      tableFlag: 'ATHENA_TABLE',
      catalogRegion: clients.region,
      workgroup: config.athena.workgroup,
      regions: config.regions,
    },
  );
  return withFallback(athena, lookup);
}

/**
 * The inventory's clients, under the deadline: the function's own, or, in organisation mode, the
 * member's (through its responder role); Organizations stays the hub's, which knows the accounts.
 */
async function inventoryIn(
  own: Omit<InventoryDeps, 'accountId'>,
  member: AccountClients | undefined,
  deadline: number | undefined,
): Promise<Omit<InventoryDeps, 'accountId'>> {
  const clients = member && !member.own ? await memberInventory(member) : own;
  return {
    iam: withDeadline(clients.iam, deadline),
    ec2: async (region) => withDeadline(await clients.ec2(region), deadline),
    lambda: async (region) => withDeadline(await clients.lambda(region), deadline),
    organizations: own.organizations && withDeadline(own.organizations, deadline),
  };
}

/** IAM of the member, and its EC2 and Lambda of each region (one client per region, built on first use). */
async function memberInventory(member: AccountClients): Promise<Pick<InventoryDeps, 'iam' | 'ec2' | 'lambda'>> {
  const [{ EC2Client }, { LambdaClient }] = await Promise.all([
    import('@aws-sdk/client-ec2'),
    import('@aws-sdk/client-lambda'),
  ]);
  return {
    iam: member.iam(),
    ec2: perRegion((region) => new EC2Client(member.config(region))),
    lambda: perRegion((region) => new LambdaClient(member.config(region))),
  };
}

/**
 * Outside organisation mode the function reads its own account's CloudTrail only: a key of another
 * account is not searched there, where finding nothing would read as "no activity".
 *
 * @throws InvestigationError when the incident's account is not the function's (when that is known).
 */
function refuseOtherAccount(incident: Incident, own: string | undefined): void {
  if (own === undefined || incident.accountId === own) return;
  throw new InvestigationError(
    `${incident.accessKeyId} is a key of account ${incident.accountId}; this stack runs in ${own} and reads only its own CloudTrail, so what the key did was not searched. Investigate in that account: exposed-keys investigate --key ${incident.accessKeyId} --profile <a profile of ${incident.accountId}>.`,
  );
}

/**
 * Of the time the task has, the share the key's own read may take: a busy key's pages would
 * otherwise take it all, and leave none to the session keys it minted, where an attacker's
 * chained roles act.
 */
export const KEY_SHARE = 0.6;
/** The share the key's and its session keys' reads may take together: the rest is the inventory's. */
export const SEARCH_SHARE = 0.85;

/**
 * The deadlines of the investigation within the task's (`deadline`, epoch milliseconds): the key's
 * own read stops at {@link KEY_SHARE} of the time left, the session keys' at {@link SEARCH_SHARE}
 * when an inventory follows (at the task's deadline otherwise), and the inventory has the rest.
 */
export function searchDeadlines(
  deadline: number | undefined,
  inventory: boolean,
  now = Date.now(),
): { deadline?: number; keyDeadline?: number } {
  if (deadline === undefined) return {};
  const left = Math.max(0, deadline - now);
  return {
    keyDeadline: now + left * KEY_SHARE,
    deadline: inventory ? now + left * SEARCH_SHARE : deadline,
  };
}

/** `LookupCloudTrailEvents`: summarises what the key did, in every region, and what its session keys did. */
export function investigateTask(
  deps: {
    cloudTrail: (region: string) => CloudTrailApi;
    listRegions?: () => Promise<string[]>;
    /** The Athena source's clients, for a stack with an Athena table. */
    athenaClients?: () => Promise<AthenaTaskClients>;
    /** The clients of the inventory of what the attacker left; without them, none is taken. */
    inventory?: Omit<InventoryDeps, 'accountId'>;
    /** Organisation mode: the hub reads the account an incident names, through its responder role. */
    organization?: OrganizationAccess;
    /** The account whose CloudTrail this reads (default: the function's, from its ARN). */
    accountId?: string;
    logger?: TaskLogger;
    now?: () => Date;
  },
  config: InvestigateConfig,
) {
  return async (state: WorkflowState, context?: TaskContext): Promise<Investigation | VerificationResult> => {
    const deadline = invocationDeadline(context, TASK_MARGIN_MS.investigate);
    const event = eventOf(state);
    const followUp = isFollowUpEvent(event) ? followUpRequest(state, 'verification') : undefined;
    const incident = followUp ? undefined : parseIncident(event);
    const own = ownAccount(deps.organization, deps.accountId, context);
    if (incident && !deps.organization) refuseOtherAccount(incident, own);
    const accountId = followUp ? followUp.accountId : (incident?.accountId ?? null);
    // Organisation mode: the CloudTrail of the key's account (an account outside it throws, for the Catch).
    const member =
      deps.organization && incident
        ? (await incidentAccount(deps.organization, incident)).clients
        : followUp && (await followUpClients(deps.organization, followUp, own));
    const cloudTrail = member ? member.cloudTrail : deps.cloudTrail;
    // One listing for Athena and the LookupEvents it falls back to; kept per investigation, not
    // per container, so that a region enabled since is searched by the next one.
    const listing = member ? member.listRegions : deps.listRegions;
    const listRegions = listing && regionsListedOnce(listing);
    const lookup = lookupEventsSource(
      {
        cloudTrail: (region) => withDeadline(cloudTrail(region), deadline),
        listRegions,
        // Investigations of one account share its LookupEvents budget.
        ...(accountId ? { limiter: accountBudget(accountId) } : {}),
      },
      // The task's own clock: the 90 days LookupEvents holds are counted from the window's "now".
      // The account read is the key's (another's was refused above, or is read through its role).
      {
        regions: config.regions,
        ...(deps.now ? { clock: deps.now } : {}),
        ...(accountId ? { account: accountId } : {}),
      },
    );
    if (followUp) {
      // The verification reads LookupEvents, which has a call minutes after it is made; a trail's
      // files reach S3 (and Athena) later than that.
      deps.logger?.appendKeys({ accessKeyId: followUp.accessKeyId, followUp: followUp.kind });
      const verified = await verifyContainment({ source: lookup, now: deps.now }, followUp, {
        lookbackHours: config.lookbackHours,
        deadline,
      });
      const fitted = fitVerification(verified);
      // The whole result when it fits one CloudWatch event, as the state carries it otherwise.
      deps.logger?.info('Verification finished', {
        verification: fitted === verified || !fitsOneLogEvent(verified) ? fitted : verified,
      });
      return fitted;
    }
    if (!incident) throw new InvalidEventError('detail', 'names no incident');
    const source = await stackSource(lookup, config, deps.athenaClients, deadline, listRegions);
    deps.logger?.appendKeys({ accessKeyId: incident.accessKeyId, eventId: incident.eventId });
    const owner = state.containment?.userName ?? incident.userName;
    const investigation = await investigateKey(
      { source },
      {
        accessKeyId: incident.accessKeyId,
        userName: owner,
        window: windowEnding((deps.now ?? (() => new Date()))(), config.lookbackHours),
        ...searchDeadlines(deadline, deps.inventory !== undefined),
        ...(deps.now ? { now: deps.now } : {}),
      },
    );
    const fitted: Investigation = fitInvestigation(investigation);
    if (deps.inventory) {
      const inventoryDeps = await inventoryIn(deps.inventory, member, deadline);
      const inventory = await inventoryOrError(
        {
          ...inventoryDeps,
          accountId: member?.accountId ?? accountOf(context?.invokedFunctionArn) ?? incident.accountId,
        },
        [investigation.activity, ...investigation.sessionActivity],
        owner,
      );
      fitted.inventory = fitInventory(inventory);
    }
    // The summary as the state carries it, in one entry within CloudWatch's 256 KB event size.
    deps.logger?.info('Investigation finished', { investigation: fitted });
    return fitted;
  };
}
