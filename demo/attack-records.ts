import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { CloudTrailRecord } from '../src/activity/cloudtrail-record.js';
import { projectPaths } from '../src/common/project-root.js';

/**
 * The attacker's key, user and account in the recorded attack simulation: the account its records
 * name (the data set's file names were anonymised to another, 218007301253, which no record holds).
 */
export const RECORDED = { accessKeyId: 'AKIATFQR7NSC8Q4X20BJ', userName: 'bert-jan', accountId: '123837392027' };

/** The 2,900 CloudTrail records of a real attack simulation (Stratus Red Team; MIT, see data/cloudtrail). */
export async function recordedAttack(): Promise<CloudTrailRecord[]> {
  const text = (await promisify(gunzip)(await readFile(projectPaths().dataSet))).toString('utf8');
  return (JSON.parse(text) as { Records: CloudTrailRecord[] }).Records;
}

/**
 * The recorded attack, replayed as if `accessKeyId` of `userName` in `accountId` had done it,
 * ending at `endAt`: the demonstration serves it as the activity of a key it creates.
 */
export async function attackAs(target: {
  accessKeyId: string;
  userName: string;
  accountId: string;
  endAt: Date;
}): Promise<CloudTrailRecord[]> {
  const records = await recordedAttack();
  const last = Math.max(...records.map((record) => Date.parse(String(record.eventTime))));
  const shift = target.endAt.getTime() - last;
  const text = JSON.stringify(records)
    .replaceAll(RECORDED.accessKeyId, target.accessKeyId)
    .replaceAll(`"${RECORDED.userName}"`, JSON.stringify(target.userName))
    .replaceAll(`user/${RECORDED.userName}`, `user/${target.userName}`)
    .replaceAll(RECORDED.accountId, target.accountId);
  return (JSON.parse(text) as CloudTrailRecord[]).map((record) => ({
    ...record,
    eventTime: new Date(Date.parse(String(record.eventTime)) + shift).toISOString().replace('.000Z', 'Z'),
  }));
}
