import { InterruptedError } from '../../errors.js';

/**
 * A step of an organisation's deploy or destroy where Ctrl-C stops it: when `signal` has aborted,
 * throws what is `done`, and that running `command` again finishes it.
 *
 * @throws InterruptedError when the signal has aborted.
 */
export function stopPoint(signal: AbortSignal | undefined, done: string, command: string): void {
  if (signal?.aborted)
    throw new InterruptedError(`${done}; stopped there.`, { hint: `Run ${command} again to finish.` });
}
