import { describe, expect, it } from 'vitest';
import { AwsClients, s3OverPlainHttp } from '../../../src/aws/clients.js';

describe('s3OverPlainHttp', () => {
  it('is true only for an http: endpoint, the S3 one before the general one', () => {
    expect(s3OverPlainHttp({})).toBe(false);
    expect(s3OverPlainHttp({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' })).toBe(true);
    expect(s3OverPlainHttp({ AWS_ENDPOINT_URL: 'HTTP://localhost' })).toBe(true);
    expect(s3OverPlainHttp({ AWS_ENDPOINT_URL: 'https://s3.example.com' })).toBe(false);
    expect(
      s3OverPlainHttp({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000', AWS_ENDPOINT_URL_S3: 'https://s3.example.com' }),
    ).toBe(false);
    expect(s3OverPlainHttp({ AWS_ENDPOINT_URL: 'https://proxy', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9' })).toBe(
      true,
    );
  });
});

describe('AwsClients.logsS3', () => {
  it('follows S3 to the region of a log bucket elsewhere than the region the CLI calls', async () => {
    const clients = new AwsClients({ region: 'us-east-1' });

    const logs = await clients.logsS3();
    const other = await clients.s3();

    expect(logs.config.followRegionRedirects).toBe(true);
    expect(await clients.logsS3()).toBe(logs);
    // The client of the other commands is left as it was.
    expect(other.config.followRegionRedirects).toBeFalsy();
  });
});
