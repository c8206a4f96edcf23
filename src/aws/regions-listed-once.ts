/**
 * `list` (the account's enabled regions) asked on the first call only, its answer, or its failure,
 * given to every call after: the stack's Athena source and the LookupEvents it falls back to each
 * list the regions, and within one investigation one `ec2:DescribeRegions` answers both. Each
 * caller gets a copy of the list.
 */
export function regionsListedOnce(list: () => Promise<string[]>): () => Promise<string[]> {
  let listed: Promise<string[]> | undefined;
  return async () => {
    listed ??= list();
    return [...(await listed)];
  };
}
