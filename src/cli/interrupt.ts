import { setMaxListeners } from 'node:events';
import type { IoHost } from '../common/io-host.js';

/** A signal that aborts on the first Ctrl-C, and stops listening when disposed. */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Listens for the first Ctrl-C (SIGINT) so that a running step can stop what it started (an
 * Athena query, LookupEvents' pages) and report it. A second Ctrl-C ends the process as usual,
 * unless `onAgain` is given: then every later one calls it instead, for a run whose remaining work
 * must not be cut short (respond: containment under way, the notification).
 */
export function listenForInterrupt(onAgain?: () => void): Interrupt {
  const controller = sharedController();
  const onSigint = () => {
    if (controller.signal.aborted) onAgain?.();
    else controller.abort();
    // Without a listener, the next Ctrl-C ends the process as Node does by default.
    if (!onAgain) process.removeListener('SIGINT', onSigint);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}

/**
 * A controller whose signal every call of a run waits on at once: a search of every region has a
 * LookupEvents call (and a rate limiter's wait) of each in flight, so Node's limit of 10 listeners
 * would print a memory-leak warning on the responder's terminal for a signal working as meant.
 */
function sharedController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/**
 * Runs `body` with a signal that aborts on the first Ctrl-C, for a flow that stops at its next
 * step and says what it left (deploy, destroy); a second Ctrl-C ends the process as usual.
 */
export async function untilInterrupted<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const interrupt = listenForInterrupt();
  try {
    return await body(interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

/**
 * For a run that must not stop half way (a real key contained by a local run of the state machine,
 * whose steps cannot stop between containment and notification): the first Ctrl-C only calls
 * `warn`; a second ends the process as usual. Its signal never aborts.
 */
export function warnAtFirstInterrupt(warn: () => void): Interrupt {
  process.once('SIGINT', warn);
  return { signal: sharedController().signal, dispose: () => process.removeListener('SIGINT', warn) };
}

/**
 * `host`, with Ctrl-C guarded from the moment its question is answered yes: the change that
 * follows then runs to its end and its notification, the first Ctrl-C only calling `warn` (see
 * {@link warnAtFirstInterrupt}); before the answer, Ctrl-C is a no, as at any question. Dispose
 * of it once the flow has ended.
 */
export function guardedOnceConfirmed<Message>(
  host: IoHost<Message>,
  warn: () => void,
): IoHost<Message> & { dispose(): void } {
  let guard: Interrupt | null = null;
  return {
    notify: (message) => host.notify(message),
    async confirm(request) {
      const yes = await host.confirm(request);
      if (yes && !guard) guard = warnAtFirstInterrupt(warn);
      return yes;
    },
    dispose: () => guard?.dispose(),
  };
}
