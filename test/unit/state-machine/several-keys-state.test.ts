import { IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { CLAIM_STEP, containTask } from '../../../src/state-machine/tasks/contain-task.js';
import { investigateTask } from '../../../src/state-machine/tasks/investigate-task.js';
import { incidentReportOf } from '../../../src/state-machine/workflow-state.js';
import { containConfig } from '../../support/contain-config.js';
import { loadEvent } from '../../support/fixtures.js';

/** Step Functions' limit on a state, input and output alike: past it, no Catch runs and nothing is notified. */
const MAX_STATE_BYTES = 262_144;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function keyId(n: number): string {
  let text = '';
  for (let i = 0, rest = n; i < 16; i += 1, rest = Math.floor(rest / 32)) text = BASE32[rest % 32] + text;
  return `AKIA${text}`;
}

/** The task's failure as a Catch puts it in the state: its error, and Lambda's JSON cause with the trace. */
async function caught(run: () => Promise<unknown>): Promise<{ Error: string; Cause: string }> {
  try {
    await run();
  } catch (error) {
    const failure = error as Error;
    const trace = (failure.stack ?? '').split('\n');
    return {
      Error: failure.name,
      Cause: JSON.stringify({ errorType: failure.name, errorMessage: failure.message, trace }),
    };
  }
  throw new Error('the task did not fail');
}

describe('an AWS Health event naming thousands of keys', () => {
  it('keeps the state within its limit through the three Catches, so that NotifySecurity runs and names the keys', async () => {
    const event = loadEvent('health-exposed-entities-only');
    const keys = Array.from({ length: 3_000 }, (_, index) => keyId(index + 1));
    event.detail.affectedEntities = keys.map((entityValue) => ({ entityValue }));
    event.resources = keys;
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(256_000);
    const contain = containTask({ iam: new IAMClient({ region: 'us-east-1' }) }, containConfig());
    const investigate = investigateTask(
      {
        cloudTrail: () => {
          throw new Error('not reached');
        },
      },
      { lookbackHours: 24 } as never,
    );
    const state: Record<string, unknown> = { event };

    state.signalError = await caught(() => contain({ event, step: CLAIM_STEP }));
    state.containmentError = await caught(() => contain(state));
    state.investigationError = await caught(() => investigate(state));

    expect(state.signalError).toMatchObject({ Error: 'SeveralKeysError' });
    expect(Buffer.byteLength(JSON.stringify(state))).toBeLessThanOrEqual(MAX_STATE_BYTES);
    // The message names them all, from the event itself.
    expect(incidentReportOf(state).eventKeys).toHaveLength(3_000);
  });
});
