import { toAwsCallError } from '../../aws/aws-errors.js';
import type { IamClient } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';
import type { Signal } from '../../incident/parse-incident.js';
import type { QuarantineSignal } from '../../incident/quarantine.js';
import { claimIncident, type IncidentRecord, joinUserIncidents, type RecordDeps } from './incident-record.js';
import { type KeyNow, keyNow } from './key-now.js';
import { type QuarantinedUser, quarantinedUser } from './quarantined-user.js';

/**
 * What became of a signal: the first about its key runs the whole response; a later one joins that
 * incident (one containment, one finding, a short follow-up); AWS quarantining a user contains
 * nothing, and reports the user's keys and the incidents it joined.
 */
export type SignalReceipt =
  | { role: 'first'; record: IncidentRecord | null }
  | {
      role: 'joined';
      record: IncidentRecord;
      keyNow: KeyNow;
      /**
       * The first response has recorded nothing for longer than a response takes: it died before
       * it could (a function timed out, crashed or was throttled past its retries).
       */
      overdue?: true;
    }
  | {
      role: 'quarantine';
      quarantine: QuarantineSignal;
      user: QuarantinedUser;
      /** The incidents open for the user's keys, which this signal joined. */
      incidents: IncidentRecord[];
      /** Why the incidents could not be looked up, when they could not. */
      recordError?: string;
    };

/** What {@link receiveSignal} needs: IAM to read keys, and the incident record (absent: every key signal is first). */
export interface ReceiveDeps {
  iam: IamClient;
  record?: RecordDeps;
  now?: () => Date;
}

/**
 * How long the first response may take to record its containment: containment runs first, within
 * its function's minute and the state machine's retries, so a quarter of an hour is ample.
 */
export const RESPONSE_OVERDUE_MS = 15 * 60_000;

/** True when a record's first response has recorded nothing for longer than {@link RESPONSE_OVERDUE_MS}. */
function overdue(record: IncidentRecord, now: Date): boolean {
  const opened = Date.parse(record.openedAt);
  return record.response === undefined && Number.isFinite(opened) && now.getTime() - opened > RESPONSE_OVERDUE_MS;
}

async function receiveQuarantine(deps: ReceiveDeps, quarantine: QuarantineSignal): Promise<SignalReceipt> {
  let incidents: IncidentRecord[] = [];
  let recordError: string | undefined;
  if (deps.record)
    try {
      incidents = await joinUserIncidents(deps.record, { ...quarantine, source: quarantine.source });
    } catch (error) {
      recordError = describeError(toAwsCallError('dynamodb:UpdateItem', error));
    }
  const user = await quarantinedUser(deps.iam, quarantine.userName);
  return { role: 'quarantine', quarantine, user, incidents, ...(recordError ? { recordError } : {}) };
}

/**
 * Receives a signal: claims the incident of its key (or joins the one a signal before it opened),
 * or, for a quarantined user, lists the user's keys and joins the user's open incidents. Changes no
 * key: containment is the first signal's alone.
 *
 * @throws AwsCallError when the incident record cannot be written: the caller then responds in
 * full rather than risk no response at all.
 */
export async function receiveSignal(deps: ReceiveDeps, signal: Signal): Promise<SignalReceipt> {
  if (signal.kind === 'user') return receiveQuarantine(deps, signal.quarantine);
  const { incident } = signal;
  if (!deps.record) return { role: 'first', record: null };
  let claim: Awaited<ReturnType<typeof claimIncident>>;
  try {
    claim = await claimIncident(deps.record, {
      accountId: incident.accountId,
      accessKeyId: incident.accessKeyId,
      eventId: incident.eventId,
      source: incident.source,
      userName: incident.userName,
    });
  } catch (error) {
    throw toAwsCallError('dynamodb:UpdateItem', error);
  }
  if (claim.role === 'first') return { role: 'first', record: claim.record };
  const now = (deps.now ?? (() => new Date()))();
  return {
    role: 'joined',
    record: claim.record,
    keyNow: await keyNow(deps.iam, incident.accessKeyId),
    ...(overdue(claim.record, now) ? { overdue: true as const } : {}),
  };
}
