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
};

function phraseOf(event: RiskyEvent): Phrase {
  const bare = event.eventName.replace(/\d{8}(v\d+)?$/, '');
  const known = PHRASES[bare];
  if (known) return known;
  if (/^(Attach|Put)\w*Policy$/.test(bare))
    return { verb: 'granted', object: (n) => plural(n, 'policy', 'policies'), attempt: 'grant policies' };
  return { verb: 'called', object: (n) => `${bare} ${times(n)}`, attempt: `call ${bare}` };
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * A short verdict in plain words, e.g. "created 4 users and 2 access keys, tried to stop logging
 * 3 times". Successful risky calls are said as done, refused ones as tried.
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
  const byVerb = new Map<string, string[]>();
  for (const [phrase, count] of done)
    byVerb.set(phrase.verb, [...(byVerb.get(phrase.verb) ?? []), phrase.object(count)]);
  const clauses = [...byVerb].map(([verb, objects]) => `${verb} ${joinWords(objects)}`);
  for (const [phrase, count] of tried) clauses.push(`tried to ${phrase.attempt} ${times(count)}`);
  const calls = `${plural(summary.totalEvents, 'call')} from ${plural(summary.sourceIps.length, 'address', 'addresses')}`;
  if (clauses.length === 0) return `Made ${calls}; nothing risky among them.`;
  const text = clauses.join(', ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} (${calls}).`;
}
