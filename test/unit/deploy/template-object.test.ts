import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compactTemplate, MAX_TEMPLATE_BODY_BYTES, readTemplate } from '../../../src/deploy/template.js';
import { templateUrlIfTooLarge } from '../../../src/deploy/template-object.js';

const s3Mock = mockClient(S3Client);
const BUCKET = 'exposed-keys-artifacts-123456789012-us-east-1';

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
});

describe('the stack template sent by URL', () => {
  it('writes the stack template, over what CloudFormation takes inline, to the bucket with its SHA-256', async () => {
    const body = compactTemplate(await readTemplate());
    const sha256 = createHash('sha256').update(body).digest();

    const url = await templateUrlIfTooLarge(
      { s3: new S3Client({}) },
      { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body },
    );

    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_TEMPLATE_BODY_BYTES);
    const key = `templates/${sha256.toString('hex')}.json`;
    expect(url).toBe(`https://s3.us-east-1.amazonaws.com/${BUCKET}/${key}`);
    const input = s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Bucket: BUCKET,
      Key: key,
      ExpectedBucketOwner: '123456789012',
      ChecksumSHA256: sha256.toString('base64'),
      ServerSideEncryption: 'AES256',
    });
    expect(Buffer.from(input?.Body as Uint8Array).toString('utf8')).toBe(body);
  });

  it('writes nothing for a template that fits inline', async () => {
    const url = await templateUrlIfTooLarge(
      { s3: new S3Client({}) },
      { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body: '{"Resources":{}}' },
    );

    expect(url).toBeNull();
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('says which call S3 refused', async () => {
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    await expect(
      templateUrlIfTooLarge(
        { s3: new S3Client({}) },
        { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES + 1) },
      ),
    ).rejects.toThrow(/s3:PutObject.*Access Denied/);
  });
});
