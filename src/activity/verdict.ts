import { ownEntry } from '../common/own-entry.js';
import { shownValue } from '../common/untrusted-text.js';
import type { ActivitySummary, RiskyEvent } from './activity-summary.js';
import { RISK_CATEGORIES, type RiskCategory } from './risky-events.js';

/** One kind of risky act, said in a few words: what was done (or tried), how often, to what. */
export interface VerdictLine {
  category: RiskCategory;
  /** E.g. "created 2 users: backdoor-1, backdoor-2", "tried to stop logging 3 times, refused". */
  text: string;
  /** The same without names or error codes: "created 2 users", "tried to stop logging 3 times". */
  short: string;
  /** Calls of this kind that succeeded, and that were refused. */
  done: number;
  refused: number;
}

/** How to say a kind of call: a verb and its object, for a count; and the resources that name what it touched. */
interface Kind {
  /** "created 2 users", given the count. */
  did: (count: number) => string;
  /** "stop logging", for "tried to …". */
  tried: string;
  /** The resource types whose names say what the calls touched. */
  names: readonly string[];
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

const USER = 'AWS::IAM::User';
const ROLE = 'AWS::IAM::Role';
const GROUP = 'AWS::IAM::Group';
const POLICY = 'AWS::IAM::Policy';
const TRAIL = 'AWS::CloudTrail::Trail';

function kind(did: (count: number) => string, tried: string, names: readonly string[] = []): Kind {
  return { did, tried, names };
}

const KINDS: Record<string, Kind> = {
  CreateUser: kind((n) => `created ${plural(n, 'user')}`, 'create users', [USER]),
  CreateAccessKey: kind((n) => `created ${plural(n, 'access key')}`, 'create access keys', ['AWS::IAM::AccessKey']),
  CreateLoginProfile: kind((n) => `gave console passwords ${times(n)}`, 'give console passwords', [USER]),
  UpdateLoginProfile: kind((n) => `changed console passwords ${times(n)}`, 'change console passwords', [USER]),
  CreateRole: kind((n) => `created ${plural(n, 'role')}`, 'create roles', [ROLE]),
  UpdateAssumeRolePolicy: kind((n) => `changed who may assume roles ${times(n)}`, 'change who may assume roles', [
    ROLE,
  ]),
  AddUserToGroup: kind((n) => `added users to groups ${times(n)}`, 'add users to groups', [GROUP]),
  CreatePolicy: kind((n) => `created ${plural(n, 'policy', 'policies')}`, 'create policies', [POLICY]),
  CreatePolicyVersion: kind((n) => `changed policies ${times(n)}`, 'change policies', [POLICY]),
  SetDefaultPolicyVersion: kind((n) => `changed policies ${times(n)}`, 'change policies', [POLICY]),
  AssumeRole: kind((n) => `assumed roles ${times(n)}`, 'assume roles', [ROLE]),
  GetSessionToken: kind((n) => `minted ${plural(n, 'session token')}`, 'mint session tokens'),
  GetFederationToken: kind((n) => `minted ${plural(n, 'federation token')}`, 'mint federation tokens'),
  GetSigninToken: kind((n) => `made console sign-in links ${times(n)}`, 'make console sign-in links'),
  StopLogging: kind((n) => `stopped logging ${times(n)}`, 'stop logging', [TRAIL]),
  DeleteTrail: kind((n) => `deleted ${plural(n, 'trail')}`, 'delete trails', [TRAIL]),
  UpdateTrail: kind((n) => `changed ${plural(n, 'trail')}`, 'change trails', [TRAIL]),
  PutEventSelectors: kind((n) => `changed what trails record ${times(n)}`, 'change what trails record', [TRAIL]),
  DeleteDetector: kind((n) => `deleted ${plural(n, 'GuardDuty detector')}`, 'delete GuardDuty detectors'),
  DeleteFlowLogs: kind((n) => `deleted flow logs ${times(n)}`, 'delete flow logs'),
  DeleteLogGroup: kind((n) => `deleted ${plural(n, 'log group')}`, 'delete log groups'),
  LeaveOrganization: kind(() => 'left the organization', 'leave the organization'),
  GetSecretValue: kind((n) => `read secrets ${times(n)}`, 'read secrets', ['AWS::SecretsManager::Secret']),
  BatchGetSecretValue: kind((n) => `read secrets in bulk ${times(n)}`, 'read secrets in bulk'),
  GetParameter: kind((n) => `read parameters ${times(n)}`, 'read parameters', ['AWS::SSM::Parameter']),
  GetParameters: kind((n) => `read parameters ${times(n)}`, 'read parameters', ['AWS::SSM::Parameter']),
  GetParametersByPath: kind((n) => `read parameters by path ${times(n)}`, 'read parameters by path'),
  RunInstances: kind((n) => `launched instances ${times(n)}`, 'launch instances', ['AWS::EC2::Instance']),
  RequestSpotInstances: kind((n) => `requested spot instances ${times(n)}`, 'request spot instances'),
  CreateKeyPair: kind((n) => `created ${plural(n, 'EC2 key pair')}`, 'create EC2 key pairs', ['AWS::EC2::KeyPair']),
  ImportKeyPair: kind((n) => `imported ${plural(n, 'EC2 key pair')}`, 'import EC2 key pairs', ['AWS::EC2::KeyPair']),
  CreateFunction: kind((n) => `created ${plural(n, 'Lambda function')}`, 'create Lambda functions', [
    'AWS::Lambda::Function',
  ]),
};

/** IAM calls that grant permissions, said as one kind: to whom is what matters. */
const GRANT = kind((n) => `granted ${plural(n, 'policy', 'policies')}`, 'grant policies', [USER, ROLE, GROUP]);
const GRANT_CALL = /^(Attach|Put)\w*Policy$/;

/** Lambda and a few others suffix their event names with an API version (`CreateFunction20150331`). */
function bareName(eventName: string): string {
  return eventName.replace(/\d{8}(v\d+)?$/, '');
}

function kindOf(bare: string): Kind {
  return (
    ownEntry(KINDS, bare) ?? (GRANT_CALL.test(bare) ? GRANT : kind((n) => `called ${bare} ${times(n)}`, `call ${bare}`))
  );
}

/** A line lists the names it touched when there are at most this many. */
const NAMES_SHOWN = 3;

function namesOf(events: readonly RiskyEvent[], types: readonly string[]): string {
  const names = [
    ...new Set(events.flatMap((event) => event.resources.filter((r) => types.includes(r.type)).map((r) => r.name))),
  ];
  // Few names say what was touched; many would drown the line (the activity below lists them).
  if (names.length === 0 || names.length > NAMES_SHOWN) return '';
  return `: ${names.map((name) => shownValue(name, 60)).join(', ')}`;
}

function errorsOf(events: readonly RiskyEvent[]): string {
  const codes = [...new Set(events.map((event) => event.errorCode).filter((code): code is string => code !== null))];
  return codes.length === 0
    ? ''
    : ` (${codes
        .slice(0, 2)
        .map((code) => shownValue(code, 40))
        .join(', ')})`;
}

function lineOf(kindOfCalls: Kind, events: readonly RiskyEvent[], category: RiskCategory): VerdictLine {
  const done = events.filter((event) => event.errorCode === null);
  const refused = events.filter((event) => event.errorCode !== null);
  let text: string;
  let short: string;
  if (done.length === 0) {
    short = `tried to ${kindOfCalls.tried} ${times(refused.length)}`;
    text = `${short}, refused${errorsOf(refused)}`;
  } else {
    short = kindOfCalls.did(done.length);
    text = `${short}${namesOf(done, kindOfCalls.names)}`;
    if (refused.length > 0) text += ` (${plural(refused.length, 'more try', 'more tries')} refused)`;
  }
  return { category, text, short, done: done.length, refused: refused.length };
}

/**
 * What the key did that matters, as a short list: one line per kind of risky act, the most severe
 * categories first (defence evasion, persistence, credential minting, resource abuse), each with
 * its count and, when there are few, the names involved ("created 2 users: backdoor-1,
 * backdoor-2"). Acts that were only tried, and refused, are said as tried.
 */
export function verdictLines(summary: Pick<ActivitySummary, 'riskyEvents'>): VerdictLine[] {
  const groups = new Map<string, { kind: Kind; category: RiskCategory; events: RiskyEvent[] }>();
  for (const event of summary.riskyEvents) {
    const bare = bareName(event.eventName);
    const found = kindOf(bare);
    // Kinds said alike make one line: all grants; GetParameter and GetParameters ("read parameters").
    const key = `${event.category}\u0000${found.tried}`;
    const group = groups.get(key) ?? { kind: found, category: event.category, events: [] };
    group.events.push(event);
    groups.set(key, group);
  }
  const severity = (category: RiskCategory) => RISK_CATEGORIES.indexOf(category);
  return [...groups.values()]
    .map((group) => lineOf(group.kind, group.events, group.category))
    .sort(
      (a, b) =>
        severity(a.category) - severity(b.category) ||
        Number(b.done > 0) - Number(a.done > 0) ||
        b.done - a.done ||
        b.refused - a.refused ||
        (a.text < b.text ? -1 : a.text > b.text ? 1 : 0),
    );
}

/**
 * The activity in one short sentence: how many calls, from how many addresses, how many risky.
 * `cut`: the sizes before the summary was cut to fit the state machine's state, counted instead.
 */
export function activityInBrief(
  summary: ActivitySummary,
  cut?: { riskyEvents: number; distinct: { sourceIps: number } },
): string {
  if (summary.totalEvents === 0)
    return summary.truncated || summary.regions.failed.length > 0 || (summary.filesNotRead?.count ?? 0) > 0
      ? 'No activity of this key was found in what could be searched: the search was not complete (see below).'
      : 'No activity of this key was found in the window searched.';
  const addresses = cut?.distinct.sourceIps ?? summary.sourceIps.length;
  const calls = `${plural(summary.totalEvents, 'call')} from ${plural(addresses, 'address', 'addresses')}`;
  const risky = cut?.riskyEvents ?? summary.riskyEvents.length;
  return risky === 0 ? `${calls}; nothing risky among them.` : `${calls}, ${plural(risky, 'risky call')} among them.`;
}

/**
 * What a search did not read, in a few words ("2 region(s) NOT searched, search cut short"); null
 * when it read everything, so that nothing it did not find is taken for nothing done.
 */
export function searchGap(summary: Pick<ActivitySummary, 'regions' | 'truncated'>): string | null {
  const gaps = [
    ...(summary.regions.failed.length > 0 ? [`${summary.regions.failed.length} region(s) NOT searched`] : []),
    ...(summary.truncated ? ['search cut short (a limit on events or time was hit, or it was stopped)'] : []),
  ];
  return gaps.length === 0 ? null : gaps.join(', ');
}
