/**
 * What every benchmark reports: a measurement against a named baseline measured in the same run,
 * as a ratio, and whether it meets its goal. `npm run bench` prints them as one table.
 */
export interface BenchResult {
  /** What was measured, e.g. "investigate --logs (100k events)". */
  name: string;
  /** The baseline it is compared with, e.g. "jq per-key count". */
  baseline: string;
  /** Measured value of exposed-keys, in `unit`. */
  value: number;
  /** Measured value of the baseline, in `unit`. */
  baselineValue: number;
  unit: string;
  /** value / baselineValue (lower is better unless said otherwise). */
  ratio: number;
  /** The goal in words, e.g. "<= 0.33 (3x faster)". */
  goal: string;
  met: boolean;
  /** Anything a reader needs to trust the figure (sizes, runs, spread). */
  note?: string;
}

/** A benchmark module: `run` measures and returns its rows; it never asserts. */
export interface Benchmark {
  title: string;
  run(): Promise<BenchResult[]>;
}

/** The median of samples (robust to a slow outlier on a shared machine). */
export function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Times `task` `runs` times (after one warm-up when `warmUp`), returning milliseconds per run. */
export async function timeRuns(task: () => Promise<unknown> | unknown, runs: number, warmUp = true): Promise<number[]> {
  if (warmUp) await task();
  const samples: number[] = [];
  for (let index = 0; index < runs; index += 1) {
    const start = performance.now();
    await task();
    samples.push(performance.now() - start);
  }
  return samples;
}
