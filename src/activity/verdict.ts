import type { ActivitySummary, RiskyEvent } from './activity-summary.js';

/** How to say, in a few words, that a key made a risky call, or tried to and was refused. */
interface Phrase {
  verb: string;
  /** The object, given how many times it happened. */
  object: (count: number) => string;
  /** What it tried to do, as `tried to …`. */
  attempt: string;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

const PHRASES: Record<string, Phrase> = {
  CreateUser: { verb: 'created', object: (n) => plural(n, 'user'), attempt: 'create users' },
  CreateAccessKey: { verb: 'created', object: (n) => plural(n, 'access key'), attempt: 'create access keys' },
  CreateLoginProfile: {
    verb: 'created',
    object: (n) => plural(n, 'console password'),
    attempt: 'create console passwords',
  },
  UpdateLoginProfile: {
    verb: 'changed',
    object: (n) => plural(n, 'console password'),
    attempt: 'change console passwords',
  },
  CreateRole: { verb: 'created', object: (n) => plural(n, 'role'), attempt: 'create roles' },
  CreateKeyPair: {
    verb: 'created',
    object: (n) => plural(n, 'EC2 key pair'),
    attempt: 'create EC2 key pairs',
  },
  ImportKeyPair: {
    verb: 'imported',
    object: (n) => plural(n, 'EC2 key pair'),
    attempt: 'import EC2 key pairs',
  },
  AssumeRole: { verb: 'assumed', object: (n) => `roles ${times(n)}`, attempt: 'assume roles' },
  GetSessionToken: {
    verb: 'minted',
    object: (n) => plural(n, 'session token'),
    attempt: 'mint session tokens',
  },
  GetFederationToken: {
    verb: 'minted',
    object: (n) => plural(n, 'federation token'),
    attempt: 'mint federation tokens',
  },
  StopLogging: { verb: 'stopped', object: (n) => `logging ${times(n)}`, attempt: 'stop logging' },
  DeleteTrail: { verb: 'deleted', object: (n) => plural(n, 'trail'), attempt: 'delete trails' },
  UpdateTrail: { verb: 'changed', object: (n) => plural(n, 'trail'), attempt: 'change trails' },
  PutEventSelectors: {
    verb: 'changed',
    object: (n) => `event selectors ${times(n)}`,
    attempt: 'change event selectors',
  },
  DeleteDetector: {
    verb: 'deleted',
    object: (n) => plural(n, 'GuardDuty detector'),
    attempt: 'delete GuardDuty detectors',
  },
  DeleteFlowLogs: { verb: 'deleted', object: (n) => `flow logs ${times(n)}`, attempt: 'delete flow logs' },
  RunInstances: { verb: 'launched', object: (n) => `instances ${times(n)}`, attempt: 'launch instances' },
  RequestSpotInstances: {
    verb: 'requested',
    object: (n) => `spot instances ${times(n)}`,
    attempt: 'request spot instances',
  },
  CreateFunction: {
    verb: 'created',
    object: (n) => plural(n, 'Lambda function'),
    attempt: 'create Lambda functions',
  },
  CreatePolicy: { verb: 'created', object: (n) => plural(n, 'policy', 'policies'), attempt: 'create policies' },
  UpdateAssumeRolePolicy: {
    verb: 'changed',
    object: (n) => `who may assume roles ${times(n)}`,
    attempt: 'change who may assume roles',
  },
  DeleteLogGroup: { verb: 'deleted', object: (n) => plural(n, 'log group'), attempt: 'delete log groups' },
  LeaveOrganization: { verb: 'left', object: () => 'the organization', attempt: 'leave the organization' },
};

/** IAM calls that grant permissions, said as one. */
const GRANT: Phrase = { verb: 'granted', object: (n) => plural(n, 'policy', 'policies'), attempt: 'grant policies' };
const GRANT_CALL = /^(Attach|Put)\w*Policy$/;
/** Past this many kinds of call done, and of call tried, the verdict stops being short. */
const MAX_DONE = 6;
const MAX_TRIED = 4;

const generic = new Map<string, Phrase>();

/** The phrase of an event: the same object for the same kind of call, so that counts add up. */
function phraseOf(event: RiskyEvent): Phrase {
  const bare = event.eventName.replace(/\d{8}(v\d+)?$/, '');
  const known = PHRASES[bare] ?? (GRANT_CALL.test(bare) ? GRANT : generic.get(bare));
  if (known) return known;
  const phrase = { verb: 'called', object: (n: number) => `${bare} ${times(n)}`, attempt: `call ${bare}` };
  generic.set(bare, phrase);
  return phrase;
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** Most frequent first. */
function byCount(counts: ReadonlyMap<Phrase, number>): [Phrase, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/**
 * A short verdict in plain words, e.g. "Created 4 users and 2 access keys, tried to stop logging
 * 3 times". Successful risky calls are said as done, refused ones as tried; the most frequent
 * come first, and past a few kinds of call the rest are only counted.
 */
export function verdictOf(summary: ActivitySummary): string {
  if (summary.totalEvents === 0) return 'No activity of this key was found in the window searched.';
  const done = new Map<Phrase, number>();
  const tried = new Map<Phrase, number>();
  for (const event of summary.riskyEvents) {
    const phrase = phraseOf(event);
    const counts = event.errorCode === null ? done : tried;
    counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
  }
  const didShown = byCount(done).slice(0, MAX_DONE);
  const triedShown = byCount(tried).slice(0, MAX_TRIED);
  const omitted = done.size + tried.size - didShown.length - triedShown.length;
  const byVerb = new Map<string, string[]>();
  for (const [phrase, count] of didShown)
    byVerb.set(phrase.verb, [...(byVerb.get(phrase.verb) ?? []), phrase.object(count)]);
  const clauses = [...byVerb].map(([verb, objects]) => `${verb} ${joinWords(objects)}`);
  const attempts = triedShown.map(([phrase, count]) => `${phrase.attempt} ${times(count)}`);
  if (attempts.length > 0) clauses.push(`tried to ${joinWords(attempts)}`);
  if (omitted > 0) clauses.push(`and ${omitted} more kind${omitted === 1 ? '' : 's'} of risky call`);
  const calls = `${plural(summary.totalEvents, 'call')} from ${plural(summary.sourceIps.length, 'address', 'addresses')}`;
  if (clauses.length === 0) return `Made ${calls}; nothing risky among them.`;
  const text = clauses.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} (${calls}).`;
}
