import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { postWebhook, webhookUrl } from '../../../../src/steps/channels/webhook.js';

const secretsMock = mockClient(SecretsManagerClient);
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:exposed-keys-webhook-AbCdEf';
const URL_TEXT = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';

function deps(fetchImpl: typeof fetch) {
  return { secrets: new SecretsManagerClient({ region: 'us-east-1' }), fetch: fetchImpl };
}

beforeEach(() => {
  secretsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: URL_TEXT });
});

describe('postWebhook', () => {
  it('posts the payload as JSON to the URL the secret holds, read from that secret only', async () => {
    const fetchMock = vi.fn(async () => new Response('ok', { status: 200 }));

    const outcome = await postWebhook(deps(fetchMock), SECRET, { text: 'hello' });

    expect(outcome).toEqual({ status: 'sent', httpStatus: 200 });
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [URL, RequestInit];
    expect(url.href).toBe(URL_TEXT);
    expect(init).toMatchObject({ method: 'POST', body: '{"text":"hello"}' });
  });

  it('reports a refusal or a network failure without the URL, never throwing', async () => {
    const refused = await postWebhook(
      deps(async () => new Response('no', { status: 403 })),
      SECRET,
      {},
    );
    const broken = await postWebhook(
      deps(async () => {
        throw new TypeError(`fetch failed for ${URL_TEXT}`);
      }),
      SECRET,
      {},
    );

    expect(refused).toEqual({ status: 'failed', error: 'The webhook answered HTTP 403.' });
    expect(broken.status).toBe('failed');
    expect(JSON.stringify(broken)).not.toContain('XXXXSECRET');
  });

  it('reports a secret it cannot read', async () => {
    secretsMock.on(GetSecretValueCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));

    expect(await postWebhook(deps(vi.fn()), SECRET, {})).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('GetSecretValue'),
    });
  });
});

describe('webhookUrl', () => {
  it('reads the URL, or JSON with a url; https only, but for a loopback receiver', () => {
    expect(webhookUrl(` ${URL_TEXT} `)?.href).toBe(URL_TEXT);
    expect(webhookUrl(JSON.stringify({ url: URL_TEXT }))?.href).toBe(URL_TEXT);
    expect(webhookUrl('http://127.0.0.1:8080/hook')?.port).toBe('8080');
    expect(webhookUrl('http://hooks.example.com/x')).toBeNull();
    expect(webhookUrl('file:///etc/passwd')).toBeNull();
    expect(webhookUrl('{not json')).toBeNull();
  });
});
