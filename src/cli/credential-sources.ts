/**
 * The warning of a run given a profile (--profile, else AWS_PROFILE) while the environment also
 * holds a key (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): the SDK then signs with the profile
 * and ignores the key, which a person may not expect. Undefined when they are not both set.
 */
export function credentialSourcesWarning(
  profileFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  // As the SDK decides: an empty value is no value.
  const profile = profileFlag || env.AWS_PROFILE;
  if (!profile || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) return undefined;
  const source = profileFlag ? '--profile' : 'AWS_PROFILE';
  return `the profile ${profile} (from ${source}) is used; AWS_ACCESS_KEY_ID in the environment is ignored.`;
}
