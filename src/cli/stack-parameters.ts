import { InvalidInputError } from '../errors.js';
import { parseMode, parseRegions } from './options.js';

/** The deploy flags that become stack parameters; each is optional (absent: keep or default). */
export interface StackParameterFlags {
  email?: string;
  mode?: string;
  lookbackHours?: string;
  regions?: string;
  revokeSessions?: string;
  logRetentionDays?: string;
}

/** The retention periods CloudWatch Logs accepts, in days. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Turns deploy flags into template parameters, refusing bad values before any call. A flag not
 * given is left out, so an update keeps the deployed value.
 */
export function stackParameters(flags: StackParameterFlags): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (flags.email !== undefined) {
    if (flags.email !== '' && !EMAIL.test(flags.email))
      throw new InvalidInputError(
        '--email',
        `--email ${JSON.stringify(flags.email.slice(0, 80))} is not an e-mail address (use "" for none).`,
      );
    parameters.NotificationEmail = flags.email;
  }
  if (flags.mode !== undefined) parameters.ContainmentMode = parseMode(flags.mode);
  if (flags.lookbackHours !== undefined) {
    const hours = Number(flags.lookbackHours);
    if (!Number.isInteger(hours) || hours < 1 || hours > 2160)
      throw new InvalidInputError(
        '--lookback-hours',
        '--lookback-hours must be a whole number from 1 to 2160 (90 days).',
      );
    parameters.LookbackHours = String(hours);
  }
  if (flags.regions !== undefined)
    parameters.InvestigateRegions = flags.regions === 'all' ? '' : (parseRegions(flags.regions) ?? []).join(',');
  if (flags.revokeSessions !== undefined) {
    if (flags.revokeSessions !== 'true' && flags.revokeSessions !== 'false')
      throw new InvalidInputError('--revoke-sessions', '--revoke-sessions must be true or false.');
    parameters.RevokeSessions = flags.revokeSessions;
  }
  if (flags.logRetentionDays !== undefined) {
    const days = Number(flags.logRetentionDays);
    if (!RETENTION_DAYS.includes(days))
      throw new InvalidInputError(
        '--log-retention-days',
        `--log-retention-days must be one of ${RETENTION_DAYS.join(', ')}.`,
      );
    parameters.LogRetentionDays = String(days);
  }
  return parameters;
}
