/** A client as the steps use it: only `send`, which takes an abort signal among its options. */
type Sender = { send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown> };

/**
 * A client whose every call is abandoned at `deadline` (epoch milliseconds), retries included, so
 * that a function's AWS calls together end before its timeout and it can still report what
 * happened (a hung call ends in the step's typed error, which the state machine retries or
 * catches, rather than in a timeout). Without a deadline, the client itself.
 */
export function withDeadline<Client extends Sender>(client: Client, deadline: number | undefined): Client {
  if (deadline === undefined) return client;
  const send = (command: never, options?: { abortSignal?: AbortSignal }) => {
    const left = AbortSignal.timeout(Math.max(1, Math.ceil(deadline - Date.now())));
    const abortSignal = options?.abortSignal ? AbortSignal.any([options.abortSignal, left]) : left;
    return client.send(command, { ...options, abortSignal });
  };
  return { send } as unknown as Client;
}

/** The deadline of a Lambda invocation: its remaining time less `marginMs`, at least one second ahead. */
export function invocationDeadline(
  context: { getRemainingTimeInMillis(): number } | undefined,
  marginMs: number,
  now = Date.now(),
): number | undefined {
  if (!context) return undefined;
  return now + Math.max(context.getRemainingTimeInMillis() - marginMs, 1_000);
}
