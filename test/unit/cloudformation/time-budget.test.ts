import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaClientConfig } from '../../../src/aws/client-config.js';
import { type CloudFormationTemplate, loadTemplate } from '../../../src/deploy/template.js';
import { stateMachineDefinition } from '../../../src/state-machine/definition.js';
import { TASK_MARGIN_MS } from '../../../src/state-machine/tasks/task-common.js';

let template: CloudFormationTemplate;
beforeAll(async () => {
  template = await loadTemplate();
});

const TASKS = [
  { task: 'contain', function: 'ContainFunction', state: 'DeleteAccessKeyPair' },
  { task: 'investigate', function: 'InvestigateFunction', state: 'LookupCloudTrailEvents' },
  { task: 'notify', function: 'NotifyFunction', state: 'NotifySecurity' },
] as const;

/** The longest one call of a function's client may take: every attempt waiting out both timeouts. */
function worstCallMs(): number {
  const config = lambdaClientConfig('us-east-1');
  return config.maxAttempts * (config.requestHandler.connectionTimeout + config.requestHandler.requestTimeout);
}

describe("each function's time", () => {
  it('holds its margin and one whole call of its client, every retry waiting out its time-out', () => {
    for (const { task, function: name } of TASKS) {
      const timeoutMs = Number(template.Resources[name]?.Properties?.Timeout) * 1000;
      expect(timeoutMs - TASK_MARGIN_MS[task], name).toBeGreaterThanOrEqual(worstCallMs());
    }
  });

  it("gives the state machine's task a longer time than the function, so that a timed-out call ends in a Catch", () => {
    const states = stateMachineDefinition(template).States;
    for (const { function: name, state } of TASKS)
      expect(Number(states[state]?.TimeoutSeconds), state).toBeGreaterThan(
        Number(template.Resources[name]?.Properties?.Timeout),
      );
  });

  it('retries a notification that could not be sent, which the margin leaves time to report', () => {
    const retry = stateMachineDefinition(template).States.NotifySecurity?.Retry as { ErrorEquals: string[] }[];
    expect(retry.flatMap((rule) => rule.ErrorEquals)).toContain('NotificationError');
  });
});

describe("the functions' clients", () => {
  it('are each bounded as lambdaClientConfig bounds them, the enabled regions’ lookup included', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const folder = new URL('../../../src/lambda/', import.meta.url);
    for (const file of (await readdir(folder)).filter((name) => name.endsWith('.ts'))) {
      const source = await readFile(new URL(file, folder), 'utf8');
      for (const made of source.match(/new \w+Client\([^)]*\)/g) ?? [])
        expect(made, file).toMatch(/lambdaClientConfig\(/);
      for (const listed of source.match(/listEnabledRegions\([^)]*\)/g) ?? [])
        expect(listed, file).toMatch(/maxAttempts: 3, requestTimeoutMs: 10_000/);
    }
  });
});
