// Bundles each bench/*.bench.ts with esbuild and runs it, then prints one table of ratios.
// Usage: npm run bench [-- name-filter]   (writes .bench/results.json as well)
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

// The SDK warns under Node 20 about releases to come; the lock file pins ours.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const filter = process.argv[2] ?? '';
const files = readdirSync('bench')
  .filter((name) => name.endsWith('.bench.ts') && name.includes(filter))
  .sort();
mkdirSync('.bench', { recursive: true });
const rows = [];
for (const file of files) {
  const outfile = join('.bench', file.replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [join('bench', file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  const { default: benchmark } = await import(pathToFileURL(outfile).href);
  console.error(`\n== ${benchmark.title}`);
  const results = await benchmark.run();
  for (const result of results) {
    console.error(
      `   ${result.name}: ${result.value.toFixed(1)} ${result.unit} vs ${result.baselineValue.toFixed(1)} ${result.unit} (${result.baseline})`,
    );
    rows.push({ benchmark: benchmark.title, ...result });
  }
}
writeFileSync('.bench/results.json', `${JSON.stringify(rows, null, 2)}\n`);
const table = [
  ['benchmark', 'against', 'ratio', 'goal', 'met'],
  ...rows.map((row) => [row.name, row.baseline, row.ratio.toFixed(2), row.goal, row.met ? 'yes' : 'NO']),
];
const widths = table[0].map((_, column) => Math.max(...table.map((row) => row[column].length)));
for (const row of table) console.log(row.map((cell, column) => cell.padEnd(widths[column])).join('  '));
