// Writes the licence of every package bundled into what the package ships (the CLI in dist/ and the
// Lambda artifact), found from the bundles' inputs: bundling copies their code, so their notices go with it.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package folder (`node_modules/a` or `node_modules/@s/a`, nested ones too) of a bundled input path. */
function packageFolder(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input.replaceAll('\\', '/'));
  return match?.[1];
}

function byText(a, b) {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Writes `outFile`: every package among `inputs` (paths relative to `root`) by name, version and
 * declared licence, with the text of its LICENSE and NOTICE files; packages whose texts are the same
 * (the AWS SDK's) share one copy. Returns the packages, as `name@version`.
 */
export function writeThirdPartyLicenses(root, inputs, outFile) {
  const packages = new Map();
  for (const folder of new Set(inputs.map(packageFolder).filter(Boolean))) {
    const manifest = JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8'));
    const notices = readdirSync(join(root, folder))
      .filter((name) => /^(licen[cs]e|notice|copying)/i.test(name))
      .sort()
      .map((name) => readFileSync(join(root, folder, name), 'utf8').trim())
      .join('\n\n');
    const license = typeof manifest.license === 'string' ? manifest.license : 'no licence declared';
    packages.set(`${manifest.name}@${manifest.version}`, {
      line: `${manifest.name} ${manifest.version} (${license})`,
      notices,
    });
  }
  const byNotice = new Map();
  for (const { line, notices } of packages.values()) byNotice.set(notices, [...(byNotice.get(notices) ?? []), line]);
  const sections = [...byNotice.entries()]
    .map(([notices, lines]) =>
      [lines.sort(byText).join('\n'), notices || '(no licence file in the package)'].join('\n\n'),
    )
    .sort(byText);
  const header =
    'exposed-keys bundles the following packages into its CLI (dist/) and its Lambda artifact (dist/artifact/).\n' +
    'Each is listed with its licence as its authors distribute it.';
  writeFileSync(outFile, `${[header, ...sections].join(`\n\n${'-'.repeat(78)}\n\n`)}\n`);
  return [...packages.keys()].sort(byText);
}
