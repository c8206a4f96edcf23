// Derives the CloudTrail test fixture from the shared attack-simulation data set, so that the
// tests run where the data set is absent. Run again only if the data set changes.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const source = process.argv[2] ?? '../shared/datasets/cloudtrail-stratus-invictus';
const target = 'data/cloudtrail';
const files = readdirSync(source)
  .filter((name) => name.endsWith('.json'))
  .sort();
const records = files.flatMap((name) => JSON.parse(readFileSync(join(source, name), 'utf8')).Records);
// mtime 0 and no file name in the gzip header: the same data set gives the same bytes.
writeFileSync(join(target, 'stratus-invictus.json.gz'), gzipSync(JSON.stringify({ Records: records }), { level: 9 }));
copyFileSync(join(source, 'LICENSE'), join(target, 'LICENSE'));
console.log(`${records.length} records from ${files.length} files`);
