/*
 * A profile given while the environment holds a key: the built CLI in a child process, with a
 * profile no config file holds, so that the credential chain fails before any call is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-runner.js';
import { type IsolatedCliEnv, isolatedCliEnv } from '../support/isolated-cli-env.js';

/** Nothing listens there: a call that were sent would fail at once. */
const NOWHERE = 'http://127.0.0.1:9';
const SDK_WARNING = 'Multiple credential sources detected';
const OUR_LINE =
  'warning: the profile incident (from --profile) is used; AWS_ACCESS_KEY_ID in the environment is ignored.\n';

let isolated: IsolatedCliEnv | undefined;
let env: Record<string, string>;

beforeAll(() => {
  isolated = isolatedCliEnv({ aws: NOWHERE, cloudTrail: NOWHERE }, 'exposed-keys-credential-sources-');
  env = isolated.env;
});
afterAll(() => isolated?.remove());

describe('a command given a profile while AWS_ACCESS_KEY_ID is set', () => {
  it("says in one line of stderr that the profile is used and the key ignored, instead of the SDK's warning", async () => {
    const run = await runCli(['status', '--profile', 'incident'], env);

    expect(run.stderr).not.toContain(SDK_WARNING);
    expect(run.stderr.startsWith(OUR_LINE)).toBe(true);
    expect(run.stderr.split(OUR_LINE)).toHaveLength(2);
    expect(run.code).toBe(3);
  });

  it('says it with --json too, on stderr only, for a profile from AWS_PROFILE', async () => {
    const run = await runCli(['investigate', '--key', 'AKIAIOSFODNN7EXAMPLE', '--json'], {
      ...env,
      AWS_PROFILE: 'incident',
    });

    expect(run.stderr).not.toContain(SDK_WARNING);
    expect(run.stderr).toContain(
      'warning: the profile incident (from AWS_PROFILE) is used; AWS_ACCESS_KEY_ID in the environment is ignored.\n',
    );
    expect(run.stdout).not.toContain('profile');
  });

  it('says nothing of it when no profile is given', async () => {
    const run = await runCli(['status', '--timeout', '1'], env);

    expect(run.stderr).not.toContain('profile incident');
    expect(run.stderr).not.toContain(SDK_WARNING);
  });
});
