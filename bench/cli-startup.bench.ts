import {
  type CliSnapshot,
  cliIsBuilt,
  notMeasured,
  quantile,
  ratioGoal,
  snapshotCli,
  spread,
  succeeded,
  timedRun,
} from './bench-support.js';
import { type Benchmark, type BenchResult, median } from './harness.js';

/*
 * How long a responder waits before the CLI says anything: `--help` and `--version` in fresh
 * processes, against a bare `node -e 0` (the floor any Node CLI starts from), the CLI run from a
 * copy of the build (see snapshotCli). The three commands
 * run interleaved, so that a slow spell of a shared machine touches each alike; each time is the
 * wall time from spawn to exit as the parent sees it (the same spawn cost on every side).
 */

const GOAL = 1.3;

interface Contender {
  label: string;
  args: string[];
  samples: number[];
}

async function once(contender: Contender, env: Record<string, string>): Promise<number> {
  const run = succeeded(await timedRun(process.execPath, contender.args, env), contender.label);
  return run.wallMs;
}

const benchmark: Benchmark = {
  title: 'CLI start-up: --help and --version against a bare node -e 0',
  async run(): Promise<BenchResult[]> {
    const names = ['exposed-keys --help', 'exposed-keys --version'];
    const baselineName = 'node -e 0 (bare Node start-up)';
    if (!cliIsBuilt())
      return names.map((name) =>
        notMeasured(
          { name, baseline: baselineName, unit: 'ms', goal: ratioGoal(GOAL) },
          'the CLI is not built (run `npm run build`)',
        ),
      );
    const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 40);
    const env = Object.fromEntries(
      Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    let cli: CliSnapshot | undefined;
    try {
      cli = await snapshotCli();
      const bare: Contender = { label: 'node -e 0', args: ['-e', '0'], samples: [] };
      const help: Contender = { label: names[0] as string, args: [cli.bin, '--help'], samples: [] };
      const version: Contender = { label: names[1] as string, args: [cli.bin, '--version'], samples: [] };
      const contenders = [bare, help, version];
      // Warm-up: the files are in the page cache for every timed run.
      for (let index = 0; index < 3; index += 1) for (const contender of contenders) await once(contender, env);
      for (let run = 0; run < runs; run += 1) {
        // Rotate the order, so that none always runs first after a pause.
        for (let offset = 0; offset < contenders.length; offset += 1) {
          const contender = contenders[(run + offset) % contenders.length] as Contender;
          contender.samples.push(await once(contender, env));
        }
      }
      const floor = median(bare.samples);
      const describe = (samples: number[]) =>
        `median ${median(samples).toFixed(1)} ms, p25–p75 ${quantile(samples, 0.25).toFixed(1)}–${quantile(samples, 0.75).toFixed(1)} ms, min–max ${spread(samples, 1)} ms`;
      return [help, version].map((contender) => {
        const value = median(contender.samples);
        const ratio = value / floor;
        return {
          name: contender.label,
          baseline: baselineName,
          value,
          baselineValue: floor,
          unit: 'ms',
          ratio,
          goal: ratioGoal(GOAL),
          met: ratio <= GOAL,
          note: `${runs} runs each in fresh processes, interleaved, wall time spawn to exit; ours ${describe(contender.samples)}; node -e 0 ${describe(bare.samples)}; start-up added by the CLI ${(value - floor).toFixed(1)} ms`,
        };
      });
    } catch (error) {
      const reason = `a run failed: ${error instanceof Error ? error.message : String(error)}`;
      return names.map((name) =>
        notMeasured({ name, baseline: baselineName, unit: 'ms', goal: ratioGoal(GOAL) }, reason),
      );
    } finally {
      cli?.remove();
    }
  },
};

export default benchmark;
