import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compactTemplate, MAX_TEMPLATE_BODY_BYTES, readTemplate } from '../../../src/deploy/template.js';
import { templateObjectChanged, templateObjectIfTooLarge } from '../../../src/deploy/template-object.js';

const s3Mock = mockClient(S3Client);
const BUCKET = 'exposed-keys-artifacts-123456789012-us-east-1';

beforeEach(() => {
  s3Mock.reset();
  s3Mock.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

describe('the stack template sent by URL', () => {
  it('writes the stack template, over what CloudFormation takes inline, to the bucket with its SHA-256', async () => {
    const body = compactTemplate(await readTemplate());
    const sha256 = createHash('sha256').update(body).digest();

    const object = await templateObjectIfTooLarge(
      { s3: new S3Client({}) },
      { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body },
    );

    expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_TEMPLATE_BODY_BYTES);
    const key = `templates/${sha256.toString('hex')}.json`;
    expect(object).toEqual({
      url: `https://s3.us-east-1.amazonaws.com/${BUCKET}/${key}`,
      bucket: BUCKET,
      key,
      checksum: sha256.toString('base64'),
      versionId: 'v1',
    });
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
    const object = await templateObjectIfTooLarge(
      { s3: new S3Client({}) },
      { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body: '{"Resources":{}}' },
    );

    expect(object).toBeNull();
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('says which call S3 refused', async () => {
    s3Mock.on(PutObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));

    await expect(
      templateObjectIfTooLarge(
        { s3: new S3Client({}) },
        { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body: 'x'.repeat(MAX_TEMPLATE_BODY_BYTES + 1) },
      ),
    ).rejects.toThrow(/s3:PutObject.*Access Denied/);
  });

  it('tells a template object written again, or replaced, from the one written', async () => {
    const object = { url: 'u', bucket: BUCKET, key: 'templates/x.json', checksum: 'c1', versionId: 'v1' };
    const changed = (head: object) => {
      s3Mock.on(HeadObjectCommand).resolves(head);
      return templateObjectChanged({ s3: new S3Client({}) }, object, '123456789012');
    };

    expect(await changed({ ChecksumSHA256: 'c1', VersionId: 'v1' })).toBeNull();
    expect(await changed({ ChecksumSHA256: 'c2', VersionId: 'v2' })).toMatch(/no longer holds the template written/);
    expect(await changed({ ChecksumSHA256: 'c1', VersionId: 'v2' })).toMatch(/was written again .*version v2, not v1/);
    expect(s3Mock).toHaveReceivedCommandWith(HeadObjectCommand, {
      Bucket: BUCKET,
      Key: 'templates/x.json',
      ExpectedBucketOwner: '123456789012',
      ChecksumMode: 'ENABLED',
    });
  });

  it("writes nothing when the object there holds the template already, by S3's checksum", async () => {
    const body = compactTemplate(await readTemplate());
    const checksum = createHash('sha256').update(body).digest('base64');
    s3Mock.on(HeadObjectCommand).resolves({ ChecksumSHA256: checksum, VersionId: 'v7' });

    const object = await templateObjectIfTooLarge(
      { s3: new S3Client({}) },
      { bucket: BUCKET, owner: '123456789012', region: 'us-east-1', body },
    );

    expect(object).toMatchObject({ checksum, versionId: 'v7' });
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('says a template object is gone', async () => {
    s3Mock.on(HeadObjectCommand).rejects(Object.assign(new Error('Not Found'), { name: 'NotFound' }));
    const object = { url: 'u', bucket: BUCKET, key: 'templates/x.json', checksum: 'c1' };

    expect(await templateObjectChanged({ s3: new S3Client({}) }, object, '123456789012')).toMatch(/is gone/);
  });
});
