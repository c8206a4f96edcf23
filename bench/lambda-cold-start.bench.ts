import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HANDLERS } from '../src/deploy/bundle-handlers.js';
import { ensureArtifact } from '../src/deploy/package-artifact.js';
import { notMeasured, PROJECT_ROOT, quantile, spread, timedRun } from './bench-support.js';
import { type Benchmark, type BenchResult, median } from './harness.js';

/*
 * A Lambda cold start pays, before the first event, for loading the handler's module. Each handler
 * of the artifact is imported in a fresh Node process, timed inside it around the dynamic import
 * alone, against importing the four AWS SDK clients the handlers use from node_modules (what an
 * unbundled handler would load). The anchor is the original's Python: the whole
 * `python3 -c "import boto3; boto3.client('iam')"`, with `import boto3` and the client timed inside it too.
 */

const SDK_CLIENTS = ['@aws-sdk/client-iam', '@aws-sdk/client-cloudtrail', '@aws-sdk/client-ec2', '@aws-sdk/client-sns'];
/** The original's figure on these machines, used when python3 with boto3 is not here. */
const FALLBACK_ANCHOR_MS = 650;
/** Lambda's limit for a zip uploaded directly. */
const LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024;
const KB = 1024;

function importTimer(specifiers: readonly string[]): string {
  // Printed last on stdout: the milliseconds around the import(s) alone.
  return `const start = performance.now();
await Promise.all(${JSON.stringify(specifiers)}.map((specifier) => import(specifier)));
process.stdout.write('\\n' + String(performance.now() - start) + '\\n');`;
}

const PYTHON_TIMER = `import time
start = time.perf_counter()
import boto3
boto3.client('iam', region_name='us-east-1')
print()
print((time.perf_counter() - start) * 1000)`;

interface Sample {
  /** Inside the process, around the import. */
  ms: number;
  /** The whole process, spawn to exit. */
  wallMs: number;
}

function lastNumber(stdout: string): number {
  return Number(stdout.trim().split('\n').at(-1));
}

async function sample(command: string, args: string[], env: Record<string, string>): Promise<Sample> {
  // From the project root, so that bare specifiers in `-e` code resolve in its node_modules.
  const run = await timedRun(command, args, env, { cwd: PROJECT_ROOT });
  const ms = lastNumber(run.stdout);
  if (run.code !== 0 || !Number.isFinite(ms))
    throw new Error(`${command} ${args.join(' ')} failed (${run.code}): ${run.stderr.trim().slice(-600)}`);
  return { ms, wallMs: run.wallMs };
}

const benchmark: Benchmark = {
  title: 'Lambda cold start: artifact size and handler import time',
  async run(): Promise<BenchResult[]> {
    const runs = Number(process.env.BENCH_COLD_RUNS ?? 30);
    const pythonRuns = Number(process.env.BENCH_PYTHON_RUNS ?? 10);
    const artifact = await ensureArtifact();
    const lambdaDir = artifact.lambdaDir;
    const baselineName = `import of the 4 SDK clients from node_modules (${SDK_CLIENTS.map((name) => name.replace('@aws-sdk/client-', '')).join(', ')})`;
    const home = await mkdtemp(join(tmpdir(), 'exposed-keys-bench-cold-'));
    try {
      const emptyAwsFile = join(home, 'empty');
      await writeFile(emptyAwsFile, '');
      // What the stack gives the functions, fake credentials, and nothing from this machine's AWS setup.
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: home,
        AWS_CONFIG_FILE: emptyAwsFile,
        AWS_SHARED_CREDENTIALS_FILE: emptyAwsFile,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIABENCHMARKEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'not-a-secret',
        AWS_EC2_METADATA_DISABLED: 'true',
        TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
        STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:exposed-keys',
        QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/exposed-keys-UndeliveredQueue-1',
        QUEUE_ARN: 'arn:aws:sqs:us-east-1:123456789012:exposed-keys-UndeliveredQueue-1',
        // Lambda runs a newer Node: the SDK's warning about Node 20 would not be printed there.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // The Python runs must not write bytecode into the machine's installation.
        PYTHONDONTWRITEBYTECODE: '1',
      };
      const nodeImport = (specifiers: readonly string[]) =>
        sample(process.execPath, ['--input-type=module', '-e', importTimer(specifiers)], env);
      const handlerUrl = (name: string) => pathToFileURL(join(lambdaDir ?? '', `${name}.mjs`)).href;

      let pythonProblem: string | undefined;
      const python: Sample[] = [];
      try {
        python.push(await sample('python3', ['-c', PYTHON_TIMER], env));
      } catch (error) {
        pythonProblem = String(error).split('\n')[0];
      }

      const handlerSamples = new Map<string, Sample[]>(HANDLERS.map((name) => [name, []]));
      const sdk: Sample[] = [];
      if (lambdaDir) {
        // Warm-up: every file in the page cache before the timed runs.
        for (const name of HANDLERS) await nodeImport([handlerUrl(name)]);
        await nodeImport(SDK_CLIENTS);
        for (let run = 0; run < runs; run += 1) {
          for (const name of HANDLERS) handlerSamples.get(name)?.push(await nodeImport([handlerUrl(name)]));
          sdk.push(await nodeImport(SDK_CLIENTS));
          if (
            !pythonProblem &&
            python.length < pythonRuns + 1 &&
            run % Math.max(1, Math.floor(runs / pythonRuns)) === 0
          )
            python.push(await sample('python3', ['-c', PYTHON_TIMER], env));
        }
      }
      // The first Python run was a warm-up.
      const pythonTimed = python.slice(1);
      const anchorMeasured = pythonTimed.length > 0;
      // The anchor is the whole command, as the original's figure was taken; inside it, the import alone.
      const anchorMs = anchorMeasured ? median(pythonTimed.map((entry) => entry.wallMs)) : FALLBACK_ANCHOR_MS;
      const importOnlyMs = anchorMeasured ? median(pythonTimed.map((entry) => entry.ms)) : Number.NaN;
      const limit = anchorMs / 4;
      const anchorText = anchorMeasured
        ? `anchor: the whole \`python3 -c "import boto3; boto3.client('iam', ...)"\`, median ${anchorMs.toFixed(0)} ms of ${pythonTimed.length} fresh processes (${spread(pythonTimed.map((entry) => entry.wallMs))} ms); inside it, import boto3 + client alone ${importOnlyMs.toFixed(0)} ms (${spread(pythonTimed.map((entry) => entry.ms))} ms)`
        : `anchor: ${FALLBACK_ANCHOR_MS} ms, the original's figure on these machines (python3 with boto3 not usable here: ${pythonProblem})`;

      const goal = `< anchor/4 (${limit.toFixed(0)} ms)`;
      const rows: BenchResult[] = [];
      const sizes = new Map<string, number>();
      for (const name of HANDLERS) sizes.set(name, lambdaDir ? (await stat(join(lambdaDir, `${name}.mjs`))).size : 0);
      const sdkMs = sdk.map((entry) => entry.ms);
      for (const name of HANDLERS) {
        const row = {
          name: `import ${name}.mjs (fresh process)`,
          baseline: baselineName,
          unit: 'ms',
          goal,
        };
        const samples = handlerSamples.get(name) ?? [];
        if (!lambdaDir || samples.length === 0) {
          rows.push(notMeasured(row, 'the artifact has no unzipped handlers (a prebuilt artifact)'));
          continue;
        }
        const ms = samples.map((entry) => entry.ms);
        const value = median(ms);
        const baselineValue = median(sdkMs);
        const likeForLike = anchorMeasured
          ? `; like for like (boto3's import alone, /4 = ${(importOnlyMs / 4).toFixed(0)} ms): ${value < importOnlyMs / 4 ? 'met' : 'not met'}`
          : '';
        rows.push({
          ...row,
          value,
          baselineValue,
          ratio: value / baselineValue,
          met: value < limit,
          note: `${(sizes.get(name) ?? 0).toLocaleString('en')} bytes unzipped; median of ${ms.length} fresh processes, timed inside around the dynamic import: ${spread(ms, 1)} ms (p25–p75 ${quantile(ms, 0.25).toFixed(1)}–${quantile(ms, 0.75).toFixed(1)}), whole process ${median(samples.map((entry) => entry.wallMs)).toFixed(0)} ms; SDK clients ${spread(sdkMs, 1)} ms; ${anchorText}${likeForLike}`,
        });
      }
      const zipBytes = artifact.bytes;
      const unzipped = [...sizes.values()].reduce((sum, size) => sum + size, 0);
      rows.push({
        name: 'Lambda artifact, zipped',
        baseline: "Lambda's 50 MB limit for a zip uploaded directly",
        value: zipBytes / KB,
        baselineValue: LAMBDA_ZIP_LIMIT / KB,
        unit: 'KB',
        ratio: zipBytes / LAMBDA_ZIP_LIMIT,
        goal: 'recorded; within the limit (< 1)',
        met: zipBytes < LAMBDA_ZIP_LIMIT,
        note: `${artifact.fileName} (${artifact.source}): ${zipBytes.toLocaleString('en')} bytes; the handlers ${(unzipped / KB).toFixed(0)} KB unzipped (${HANDLERS.map((name) => `${name} ${((sizes.get(name) ?? 0) / KB).toFixed(0)} KB`).join(', ')}), each a self-contained bundle with its SDK clients`,
      });
      return rows;
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  },
};

export default benchmark;
