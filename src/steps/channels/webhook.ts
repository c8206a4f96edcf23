import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { SecretsApi } from '../../aws/narrow-clients.js';
import { describeError } from '../../errors.js';

/** How a webhook delivery went; a failure is reported, never thrown. The URL is never in it. */
export type WebhookOutcome = { status: 'sent'; httpStatus: number } | { status: 'failed'; error: string };

/** What {@link postWebhook} needs: Secrets Manager (the URL is a secret) and a fetch. */
export interface WebhookDeps {
  secrets: SecretsApi;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * The webhook URL the secret holds: the URL itself, or JSON with a `url` field. HTTPS only, but for
 * a loopback address (a test's receiver).
 */
export function webhookUrl(secret: string): URL | null {
  let value = secret.trim();
  if (value.startsWith('{')) {
    try {
      const url = (JSON.parse(value) as { url?: unknown }).url;
      value = typeof url === 'string' ? url.trim() : '';
    } catch {
      return null;
    }
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol === 'https:') return url;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) ? url : null;
}

/** An error's text with the URL (a secret: whoever holds it can post) taken out. */
function withoutUrl(text: string, url: URL | null): string {
  return url ? text.replaceAll(url.href, '<webhook URL>').replaceAll(url.origin, '<webhook URL>') : text;
}

/**
 * Posts the payload to the incoming webhook whose URL the secret holds. The URL lives only in
 * Secrets Manager: never in a parameter, the code, a log or a report.
 */
export async function postWebhook(deps: WebhookDeps, secretArn: string, payload: unknown): Promise<WebhookOutcome> {
  let secret: string;
  try {
    secret = (await deps.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString ?? '';
  } catch (error) {
    return { status: 'failed', error: describeError(toAwsCallError('secretsmanager:GetSecretValue', error)) };
  }
  const url = webhookUrl(secret);
  if (!url)
    return { status: 'failed', error: `The secret ${secretArn} holds no https URL (the URL, or JSON with "url").` };
  try {
    const answer = await (deps.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    await answer.arrayBuffer().catch(() => undefined);
    if (!answer.ok) return { status: 'failed', error: `The webhook answered HTTP ${answer.status}.` };
    return { status: 'sent', httpStatus: answer.status };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return {
      status: 'failed',
      error: withoutUrl(`Could not post to the webhook: ${describeError(error)}${cause}`, url),
    };
  }
}
