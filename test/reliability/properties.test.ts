import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActivitySummary, CountEntry } from '../../src/activity/activity-summary.js';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';
import { ActivityAccumulator, type SummaryContext } from '../../src/activity/summarizer.js';
import { InvalidEventError } from '../../src/errors.js';
import { parseIncident } from '../../src/incident/parse-incident.js';
import { COUNT_LIST_FIELDS } from '../support/contract.js';
import { type EventFixture, loadEvent } from '../support/fixtures.js';
import { summarizeRecords } from '../support/summaries.js';

/*
 * Properties that must hold for any input, checked on generated ones: the incident parser either
 * reads a valid key or refuses with its typed error; the summarizer's counts add up, are sorted,
 * and do not depend on the order in which records (or whole log files) arrive.
 */

const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z2-7]{16}$/;

/** What parsing an event ended with; any exception but InvalidEventError fails the property. */
function parseOutcome(event: unknown): 'incident' | 'refused' {
  try {
    const incident = parseIncident(event);
    expect(incident.accessKeyId).toMatch(ACCESS_KEY_ID);
    return 'incident';
  } catch (error) {
    if (!(error instanceof InvalidEventError)) throw error;
    expect(error.field).not.toBe('');
    expect(error.message).not.toMatch(/[\r\n]/);
    return 'refused';
  }
}

const FIXTURES: EventFixture[] = [
  'trusted-advisor-exposed',
  'trusted-advisor-root',
  'trusted-advisor-suspected',
  'health-exposed-entities-only',
  'health-compromised-metadata',
];

type Path = (string | number)[];

/** The path of every value inside `value`, the containers included. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((item, index) => [index, item] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
}

/** What a mutation returns to remove the value altogether. */
const DELETE = Symbol('delete');

interface Mutation {
  name: string;
  apply: (value: unknown) => unknown;
}

const stringMutation = (name: string, change: (text: string) => string): Mutation => ({
  name,
  apply: (value) => (typeof value === 'string' ? change(value) : change(JSON.stringify(value) ?? '')),
});

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ name: 'delete', apply: () => DELETE }),
  fc.jsonValue().map((replacement): Mutation => ({ name: 'replace', apply: () => replacement })),
  fc.nat().map((cut) => stringMutation('truncate', (text) => text.slice(0, cut % (text.length + 1)))),
  fc
    .tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 4, unit: 'binary' }))
    .map(([at, inserted]) =>
      stringMutation(
        'insert',
        (text) => text.slice(0, at % (text.length + 1)) + inserted + text.slice(at % (text.length + 1)),
      ),
    ),
  fc.constant(stringMutation('lowercase', (text) => text.toLowerCase())),
  fc.constant(stringMutation('pad with spaces', (text) => ` ${text} `)),
  fc.constant(stringMutation('grow to 3,000 characters', (text) => (text || 'x').repeat(3_000).slice(0, 3_000))),
  fc.constantFrom<Mutation>(
    { name: 'wrap in an array', apply: (value) => [value] },
    { name: 'wrap in an object', apply: (value) => ({ value }) },
    { name: 'null', apply: () => null },
  ),
);

/** Applies `change` at `path` of `event` (the root itself when the path is empty). */
function mutate(event: Record<string, unknown>, path: Path, change: Mutation): unknown {
  if (path.length === 0) {
    const changed = change.apply(event);
    return changed === DELETE ? undefined : changed;
  }
  let parent: any = event;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path.at(-1) as string | number;
  const changed = change.apply(parent[last]);
  if (changed !== DELETE) parent[last] = changed;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return event;
}

const mutatedEvent = fc
  .constantFrom(...FIXTURES)
  .chain((fixture) =>
    fc.tuple(
      fc.constant(fixture),
      fc.constantFrom(...pathsOf(loadEvent(fixture))),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
    ),
  );

describe('parseIncident, for any input', () => {
  it('reads every fixture as an incident', () => {
    for (const fixture of FIXTURES) expect(parseOutcome(loadEvent(fixture))).toBe('incident');
  });

  it('returns a valid key or throws InvalidEventError, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        parseOutcome(value);
      }),
      { numRuns: 300 },
    );
  });

  it('returns a valid key or throws InvalidEventError, for any mutation of a real event', () => {
    const outcomes = { incident: 0, refused: 0 };

    fc.assert(
      fc.property(mutatedEvent, ([fixture, path, changes]) => {
        let event: unknown = loadEvent(fixture);
        for (const change of changes)
          event =
            typeof event === 'object' && event !== null
              ? mutate(event as Record<string, unknown>, path, change)
              : event;
        outcomes[parseOutcome(event)] += 1;
      }),
      { numRuns: 1_000 },
    );

    // Both ways out were taken, so neither check above held vacuously.
    expect(outcomes.incident).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('returns the key of any valid key id put in a Trusted Advisor or Health event', () => {
    fc.assert(
      fc.property(fc.stringMatching(ACCESS_KEY_ID), fc.boolean(), (key, fromHealth) => {
        const event = loadEvent(fromHealth ? 'health-exposed-entities-only' : 'trusted-advisor-exposed');
        if (fromHealth) event.detail.affectedEntities = [{ entityValue: key }];
        else event.detail['check-item-detail']['Access Key ID'] = key;

        expect(parseIncident(event).accessKeyId).toBe(key);
      }),
    );
  });

  it('refuses any key id that is not upper-case base 32 after AKIA or ASIA', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 24 }).filter((text) => !ACCESS_KEY_ID.test(text)),
        (key) => {
          const event = loadEvent('trusted-advisor-exposed');
          event.detail['check-item-detail']['Access Key ID'] = key;

          expect(() => parseIncident(event)).toThrow(InvalidEventError);
        },
      ),
    );
  });
});

const KEY = 'AKIAIOSFODNN7EXAMPLE';
const WINDOW = { start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') };
const CONTEXT: SummaryContext = { source: 'cloudtrail-logs', regionsSearched: ['us-east-1', 'eu-west-1'] };

/** API calls, by source and name: some of them risky, some not, and some with neither field. */
const call = fc.constantFrom(
  { eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' },
  { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' },
  { eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' },
  { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' },
  { eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' },
  { eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' },
  { eventSource: 'iam.amazonaws.com', eventName: '' },
  {},
);

/** CloudTrail records as they come, some made with other keys, outside the window, or missing fields. */
const record: fc.Arbitrary<CloudTrailRecord> = fc
  .tuple(
    call,
    fc.record(
      {
        eventTime: fc.oneof(
          // Whole hours, from before the window to after it: events often share a time, as busy keys' do.
          fc
            .integer({ min: -2, max: 26 })
            .map((hour) => new Date(WINDOW.start.getTime() + hour * 3_600_000).toISOString()),
          fc.constantFrom('not a date', ''),
        ),
        awsRegion: fc.oneof(
          fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1', ''),
          fc.constant(42 as unknown as string),
        ),
        sourceIPAddress: fc.constantFrom('203.0.113.7', '198.51.100.1', 'iam.amazonaws.com'),
        userAgent: fc.constantFrom('aws-cli/2.15.0', 'Boto3/1.34.0', 'curl/8.4.0'),
        errorCode: fc.constantFrom('AccessDenied', 'Client.UnauthorizedOperation', ''),
        userIdentity: fc.oneof(
          { weight: 6, arbitrary: fc.constant({ type: 'IAMUser', accessKeyId: KEY, userName: 'alice' }) },
          {
            weight: 1,
            arbitrary: fc.constant({ type: 'IAMUser', accessKeyId: 'AKIAOTHERKEYEXAMPLE2', userName: 'bob' }),
          },
          { weight: 1, arbitrary: fc.constantFrom(null, { type: 'AWSService' }) },
        ),
        responseElements: fc.record({
          credentials: fc.record({ accessKeyId: fc.constantFrom('ASIAEXAMPLESESSION01', 'ASIAEXAMPLESESSION02') }),
        }),
        requestParameters: fc.record(
          { userName: fc.constantFrom('mallory', 'eve'), bucketName: fc.constantFrom('logs', 'data') },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([api, fields]) => ({ ...api, ...fields }));

/** Records with event ids (some without), and some delivered twice, as CloudTrail does. */
const records: fc.Arbitrary<CloudTrailRecord[]> = fc
  .tuple(
    fc.array(fc.tuple(record, fc.boolean()), { maxLength: 60, size: 'medium' }),
    fc.array(fc.nat(), { maxLength: 8 }),
  )
  .map(([generated, repeats]) => {
    const unique = generated.map(([fields, hasId], index) =>
      hasId ? { ...fields, eventID: `event-${index}` } : fields,
    );
    const again =
      unique.length === 0 ? [] : repeats.map((at) => structuredClone(unique[at % unique.length] as CloudTrailRecord));
    return [...unique, ...again];
  });

/** A permutation of `items`. */
function permutationOf<T>(items: T[]): fc.Arbitrary<T[]> {
  return fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });
}

const COUNT_LISTS = COUNT_LIST_FIELDS;

function total(entries: readonly CountEntry[]): number {
  return entries.reduce((sum, entry) => sum + entry.count, 0);
}

function summarize(input: Iterable<CloudTrailRecord>): ActivitySummary {
  return summarizeRecords(input, KEY, WINDOW, CONTEXT);
}

describe('the summarizer, for any records', () => {
  it('counts every event once in eventNames, eventSources and awsRegions', () => {
    fc.assert(
      fc.property(records, (input) => {
        const summary = summarize(input);

        expect(total(summary.eventNames)).toBe(summary.totalEvents);
        expect(total(summary.eventSources)).toBe(summary.totalEvents);
        expect(total(summary.awsRegions)).toBe(summary.totalEvents);
        expect(total(summary.sourceIps)).toBe(summary.totalEvents);
        expect(total(summary.userAgents)).toBe(summary.totalEvents);
      }),
    );
  });

  it('sorts every count list by count descending, then name ascending, each name once', () => {
    fc.assert(
      fc.property(records, (input) => {
        const summary = summarize(input);

        for (const list of COUNT_LISTS) {
          const entries = summary[list];
          for (let index = 1; index < entries.length; index += 1) {
            const [before, after] = [entries[index - 1] as CountEntry, entries[index] as CountEntry];
            const inOrder = before.count > after.count || (before.count === after.count && before.name < after.name);
            expect(inOrder, `${list}: ${JSON.stringify(before)} before ${JSON.stringify(after)}`).toBe(true);
          }
        }
      }),
    );
  });

  it('gives the same summary whatever the order of the records', () => {
    fc.assert(
      fc.property(
        records.chain((input) => fc.tuple(fc.constant(input), permutationOf(input))),
        ([input, shuffled]) => {
          expect(summarize(shuffled)).toEqual(summarize(input));
        },
      ),
    );
  });

  it('gives the same summary whatever the order in which log files are read', () => {
    const files = records.chain((input) =>
      fc.array(fc.nat({ max: input.length }), { maxLength: 6 }).chain((cuts) => {
        const bounds = [0, ...[...new Set(cuts)].sort((a, b) => a - b), input.length];
        const chunks = bounds.slice(1).map((end, index) => input.slice(bounds[index], end));
        return fc.tuple(fc.constant(input), permutationOf(chunks));
      }),
    );

    fc.assert(
      fc.property(files, ([input, chunks]) => {
        const accumulator = new ActivityAccumulator(KEY, WINDOW);
        for (const chunk of chunks) for (const item of chunk) accumulator.add(item);

        expect(accumulator.summary(CONTEXT)).toEqual(summarize(input));
      }),
    );
  });
});
