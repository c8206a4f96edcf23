/** `run`, called on first use only: every later call shares its promise, its answer or its failure. */
export function once<T>(run: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    started ??= run();
    return started;
  };
}
