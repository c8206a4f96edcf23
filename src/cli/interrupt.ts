/** A signal that aborts on the first Ctrl-C, and stops listening when disposed. */
export interface Interrupt {
  signal: AbortSignal;
  dispose(): void;
}

/**
 * Listens for the first Ctrl-C (SIGINT) so that a running step can stop what it started in AWS
 * (an Athena query) and report it; a second Ctrl-C ends the process as usual.
 */
export function listenForInterrupt(): Interrupt {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.removeListener('SIGINT', onSigint) };
}
