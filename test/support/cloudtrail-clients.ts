import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';

/** A per-region CloudTrail client factory aimed at a loopback endpoint. */
export function cloudTrailAt(
  endpoint: string,
  options: { maxAttempts?: number; requestTimeout?: number; accessKeyId?: string } = {},
) {
  const clients = new Map<string, CloudTrailClient>();
  return (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new CloudTrailClient({
        region,
        endpoint,
        credentials: { accessKeyId: options.accessKeyId ?? 'testing', secretAccessKey: 'testing' },
        maxAttempts: options.maxAttempts ?? 1,
        requestHandler: { requestTimeout: options.requestTimeout ?? 10_000, throwOnRequestTimeout: true },
      });
      clients.set(region, client);
    }
    return client;
  };
}
