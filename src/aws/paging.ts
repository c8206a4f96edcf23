/** Every item of a listing that comes in pages, each page fetched after the last (`marker` its token). */
export async function pages<T>(fetch: (marker?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    all.push(...page.items);
    marker = page.next;
  } while (marker);
  return all;
}

/** The token of the next page of an IAM listing, when there is one. */
export function nextMarker(page: { IsTruncated?: boolean; Marker?: string }): string | undefined {
  return page.IsTruncated ? page.Marker : undefined;
}
