import type { IoHost } from '../common/io-host.js';
import { InvalidInputError } from '../errors.js';
import type { Output } from './output.js';

/** How a command's host behaves. */
export interface CliHostOptions<Message> {
  /** The command, as a refusal names it: `deploy`. */
  command: string;
  /** --yes: go ahead without asking. */
  yes?: boolean;
  /** Shows what the library tells. */
  show(message: Message): void;
}

/**
 * The refusal of a command that would ask with no terminal to ask at: the flag to add instead
 * (`alternative`: another way, such as --no-execute).
 */
export function cannotAsk(command: string, consequence: string, alternative?: string): InvalidInputError {
  return new InvalidInputError(
    '--yes',
    `${command} ${consequence}: add --yes${alternative ? ` (or ${alternative})` : ''} to confirm when not at a terminal.`,
  );
}

/**
 * The I/O host a command gives a library flow: it shows what the flow tells, and answers its
 * questions. With --yes it says yes; at a terminal it asks; without one it refuses with the flag
 * to add, rather than guess. This is the one place where a command confirms or refuses.
 */
export function cliHost<Message>(output: Output, options: CliHostOptions<Message>): IoHost<Message> {
  return {
    notify: (message) => options.show(message),
    async confirm(request) {
      if (options.yes) return true;
      if (!output.canAsk) throw cannotAsk(options.command, request.consequence);
      return output.confirm(request.question);
    },
  };
}
