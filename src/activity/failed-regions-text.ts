import type { FailedRegion } from './activity-summary.js';

/**
 * The regions not searched, as one line: each reason once, after the regions that failed for it
 * (`eu-west-1, us-east-1: AccessDenied…; me-south-1: ExpiredToken`), reasons in the order their
 * first region came. A refusal or an outage fails every enabled region alike, and said once a
 * region it buried the reason under 17 copies of itself.
 */
export function failedRegionsText(failed: readonly FailedRegion[]): string {
  const regionsByError = new Map<string, string[]>();
  for (const { region, error } of failed) {
    const regions = regionsByError.get(error);
    if (regions) regions.push(region);
    else regionsByError.set(error, [region]);
  }
  return [...regionsByError].map(([error, regions]) => `${regions.join(', ')}: ${error}`).join('; ');
}
