import { describe, expect, it } from 'vitest';
import { credentialSourcesWarning } from '../../../src/cli/credential-sources.js';

const KEYS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };

describe('credentialSourcesWarning', () => {
  it('says that the profile of --profile is used and the key in the environment ignored', () => {
    const warning = credentialSourcesWarning('incident', KEYS);

    expect(warning).toBe(
      'the profile incident (from --profile) is used; AWS_ACCESS_KEY_ID in the environment is ignored.',
    );
  });

  it('names AWS_PROFILE when the profile comes from there, and --profile over it when both are set', () => {
    const fromEnvironment = credentialSourcesWarning(undefined, { ...KEYS, AWS_PROFILE: 'prod' });
    const fromFlag = credentialSourcesWarning('incident', { ...KEYS, AWS_PROFILE: 'prod' });

    expect(fromEnvironment).toBe(
      'the profile prod (from AWS_PROFILE) is used; AWS_ACCESS_KEY_ID in the environment is ignored.',
    );
    expect(fromFlag).toMatch(/^the profile incident \(from --profile\)/);
  });

  it('says nothing without a profile, or without both halves of the key in the environment', () => {
    const cases = [
      credentialSourcesWarning(undefined, KEYS),
      credentialSourcesWarning('', { ...KEYS, AWS_PROFILE: '' }),
      credentialSourcesWarning('incident', {}),
      credentialSourcesWarning('incident', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }),
      credentialSourcesWarning('incident', { ...KEYS, AWS_SECRET_ACCESS_KEY: '' }),
      credentialSourcesWarning(undefined, {
        AWS_PROFILE: 'prod',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_ACCESS_KEY_ID: '',
      }),
    ];

    expect(cases).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
  });
});
