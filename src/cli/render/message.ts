import type { IncidentMessage } from '../../message/incident-message.js';
import type { Palette } from '../output.js';

function field(label: string, lines: readonly string[], palette: Palette): string[] {
  const pad = ' '.repeat(15);
  return lines.map((line, index) => `${index === 0 ? palette.bold(label.padEnd(15)) : pad}${line}`);
}

/**
 * The head of an incident's message for a terminal: the same facts, in the same order, as the
 * e-mail's head (what happened, the key now, what the attacker did, what to do now).
 */
export function renderMessageHead(message: IncidentMessage, palette: Palette): string {
  const headline = message.urgent
    ? palette.red(palette.bold(message.headline))
    : palette.green(palette.bold(message.headline));
  const keyNow = /^(STILL ACTIVE|MAY STILL BE ACTIVE|UNKNOWN|NOT CONTAINED)/.test(message.keyNow)
    ? palette.red(message.keyNow)
    : message.keyNow;
  return [
    `Account ${message.account}`,
    headline,
    ...field('What happened', [message.happened], palette),
    ...field('Key now', [keyNow], palette),
    ...field(
      'Attacker did',
      message.attackerDid.map((act) => `- ${act}`),
      palette,
    ),
    ...field(
      'Do now',
      message.doNow.map((step, index) => `${index + 1}. ${step}`),
      palette,
    ),
  ].join('\n');
}
