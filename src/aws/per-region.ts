/** A client per region, built on first use of that region and kept: `perRegion((region) => new EC2Client(…))`. */
export function perRegion<T>(build: (region: string) => T): (region: string) => T {
  const kept = new Map<string, T>();
  return (region) => {
    let client = kept.get(region);
    if (client === undefined) {
      client = build(region);
      kept.set(region, client);
    }
    return client;
  };
}
