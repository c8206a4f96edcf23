import { GLOBAL_EVENTS_REGION } from '../constants.js';

/** Regions of partitions other than AWS's commercial one (China, GovCloud, ISO), where us-east-1 is not. */
const OTHER_PARTITION = /^(cn|us-gov|us-iso[a-z]*|eu-isoe)-/;

/**
 * The regions given, with us-east-1 added: CloudTrail records IAM's calls and STS's global
 * endpoint's only there, so a list without it would silently miss the very calls (a user created,
 * a session minted) an investigation is for. A list naming a region of another partition is left
 * as given: us-east-1 is not of its partition. Every source that searches named regions
 * (LookupEvents, Athena) takes them through this.
 */
export function withGlobalEventsRegion(regions: readonly string[]): readonly string[] {
  if (regions.includes(GLOBAL_EVENTS_REGION) || regions.some((region) => OTHER_PARTITION.test(region))) return regions;
  return [...regions, GLOBAL_EVENTS_REGION];
}
