/**
 * How a step ended, as the next step sees it: its result, or the failure that stopped it, or the
 * reason it did not run. Plain data, so it crosses Step Functions states and JSON output.
 */
export type StepReport<T> =
  | { status: 'done'; result: T }
  | { status: 'failed'; error: string }
  | { status: 'skipped'; reason: string };

/** Runs a step and reports how it ended, without throwing. */
export async function report<T>(run: () => Promise<T>, describe: (error: unknown) => string): Promise<StepReport<T>> {
  try {
    return { status: 'done', result: await run() };
  } catch (error) {
    return { status: 'failed', error: describe(error) };
  }
}
