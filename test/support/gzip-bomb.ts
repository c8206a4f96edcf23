import { constants, createGzip } from 'node:zlib';
import type { CloudTrailRecord } from '../../src/activity/cloudtrail-record.js';

const MIB = 1024 * 1024;

/**
 * A CloudTrail delivery that inflates to `spacesMib` MiB of whitespace around one record,
 * `{"Records":[` + spaces + record + `]}`, gzipped as a stream so that the spaces are never held
 * whole: a few hundred KB, as a test stays small in memory, that inflate to hundreds of MiB.
 */
export async function gzipBomb(spacesMib: number, record: CloudTrailRecord): Promise<Buffer> {
  const gzip = createGzip({ strategy: constants.Z_RLE });
  const parts: Buffer[] = [];
  gzip.on('data', (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve, reject) => gzip.on('end', resolve).on('error', reject));
  const spaces = Buffer.alloc(MIB, 0x20);
  gzip.write('{"Records":[');
  for (let written = 0; written < spacesMib; written += 1)
    if (!gzip.write(spaces)) await new Promise((resolve) => gzip.once('drain', resolve));
  gzip.end(`${JSON.stringify(record)}]}`);
  await ended;
  return Buffer.concat(parts);
}
