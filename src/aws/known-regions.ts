import { partition } from '@aws-sdk/core/client';
import { isRegionName } from './aws-names.js';

/**
 * True when `name` is a region of one of AWS's partitions as the AWS SDK bundled here knows them
 * (the partitions table of `@aws-sdk/core`, which every SDK client depends on and each release
 * updates). A region AWS opened after this version is not known.
 */
export function isKnownRegion(name: string): boolean {
  // partition() answers any name: with the region's own entry, which holds its description, only
  // for a region its table lists; for any other name, with the partition's defaults alone.
  return isRegionName(name) && 'description' in partition(name);
}
