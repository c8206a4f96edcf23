import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';

const root = new URL('../fixtures/', import.meta.url);

/** The names of the event fixtures under test/fixtures/events. */
export type EventFixture =
  | 'trusted-advisor-exposed'
  | 'trusted-advisor-root'
  | 'trusted-advisor-suspected'
  | 'health-exposed-entities-only'
  | 'health-compromised-metadata';

const events = new Map<string, unknown>();

/** A fresh copy of an event fixture, safe to change in a test. */
export function loadEvent(name: EventFixture): Record<string, any> {
  if (!events.has(name)) events.set(name, JSON.parse(readFileSync(new URL(`events/${name}.json`, root), 'utf8')));
  return structuredClone(events.get(name)) as Record<string, any>;
}

let invictus: CloudTrailRecord[] | undefined;

/** The attacker's key in the attack-simulation data set. */
export const INVICTUS_KEY = 'AKIATFQR7NSC8Q4X20BJ';
/** A window that holds the whole attack-simulation data set. */
export const INVICTUS_WINDOW = {
  start: new Date('2023-07-10T00:00:00Z'),
  end: new Date('2023-07-11T00:00:00Z'),
};

/** A fresh copy of the 2,900 records of the attack-simulation data set. */
export function loadInvictusRecords(): CloudTrailRecord[] {
  invictus ??= JSON.parse(
    gunzipSync(readFileSync(new URL('../../data/cloudtrail/stratus-invictus.json.gz', import.meta.url))).toString(
      'utf8',
    ),
  ).Records as CloudTrailRecord[];
  return structuredClone(invictus);
}
