/** Waits for a number of milliseconds; injectable so that tests run instantly. */
export type Sleep = (ms: number) => Promise<void>;

/** The real {@link Sleep}. */
export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
