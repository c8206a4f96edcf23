import type { CloudTrailRecord } from './cloudtrail-record.js';

/** A resource an API call named or touched. */
export interface TouchedResource {
  type: string;
  name: string;
}

/**
 * Request parameters that name a resource, with its CloudFormation-style type. CloudTrail records
 * list `resources` for few calls; these fill in the ones that matter when a key leaks (which
 * users, roles, keys and trails the attacker touched).
 */
export const NAMING_PARAMETERS: readonly (readonly [string, string])[] = [
  ['userName', 'AWS::IAM::User'],
  ['roleName', 'AWS::IAM::Role'],
  ['roleArn', 'AWS::IAM::Role'],
  ['groupName', 'AWS::IAM::Group'],
  ['policyArn', 'AWS::IAM::Policy'],
  ['bucketName', 'AWS::S3::Bucket'],
  ['functionName', 'AWS::Lambda::Function'],
  ['keyName', 'AWS::EC2::KeyPair'],
  ['detectorId', 'AWS::GuardDuty::Detector'],
  ['secretId', 'AWS::SecretsManager::Secret'],
  ['trailName', 'AWS::CloudTrail::Trail'],
];

/**
 * Request parameters that name a resource only in one service's calls (`versionId` is an S3 object's
 * version elsewhere): its event source, the parameter, and the type.
 */
export const SOURCE_NAMING_PARAMETERS: readonly (readonly [string, string, string])[] = [
  ['iam.amazonaws.com', 'versionId', 'AWS::IAM::PolicyVersion'],
  ['iam.amazonaws.com', 'serialNumber', 'AWS::IAM::MFADevice'],
];

/**
 * What a call's response names that it made, and the inventory checks: the event source, the path
 * under `responseElements` (a response element, then perhaps one field of it), and the type. EC2
 * records of the newer fleet calls wrap their response in one more element (`CreateFleetResponse`).
 */
export const NAMING_RESPONSE_ELEMENTS: readonly (readonly [string, readonly [string, string?], string])[] = [
  ['iam.amazonaws.com', ['policy', 'arn'], 'AWS::IAM::Policy'],
  ['iam.amazonaws.com', ['policyVersion', 'versionId'], 'AWS::IAM::PolicyVersion'],
  ['iam.amazonaws.com', ['sSHPublicKey', 'sSHPublicKeyId'], 'AWS::IAM::SSHPublicKey'],
  [
    'iam.amazonaws.com',
    ['serviceSpecificCredential', 'serviceSpecificCredentialId'],
    'AWS::IAM::ServiceSpecificCredential',
  ],
  ['iam.amazonaws.com', ['virtualMFADevice', 'serialNumber'], 'AWS::IAM::MFADevice'],
  ['iam.amazonaws.com', ['sAMLProviderArn'], 'AWS::IAM::SAMLProvider'],
  ['iam.amazonaws.com', ['openIDConnectProviderArn'], 'AWS::IAM::OIDCProvider'],
  ['ec2.amazonaws.com', ['spotFleetRequestId'], 'AWS::EC2::SpotFleet'],
  ['ec2.amazonaws.com', ['RequestSpotFleetResponse', 'spotFleetRequestId'], 'AWS::EC2::SpotFleet'],
  ['ec2.amazonaws.com', ['fleetId'], 'AWS::EC2::EC2Fleet'],
  ['ec2.amazonaws.com', ['CreateFleetResponse', 'fleetId'], 'AWS::EC2::EC2Fleet'],
];

/**
 * Every name under `requestParameters` that {@link resourcesOf} reads: a record whose request
 * holds none of them names no resource there, and need not have its request parsed.
 */
export const REQUEST_PARAMETERS_READ: readonly string[] = [
  ...NAMING_PARAMETERS.map(([parameter]) => parameter),
  ...SOURCE_NAMING_PARAMETERS.map(([, parameter]) => parameter),
  'name',
  'names',
  'instancesSet',
];

/** Every name under `responseElements` that {@link resourcesOf} and the summary's minted keys read. */
export const RESPONSE_ELEMENTS_READ: readonly string[] = [
  ...new Set([
    'accessKey',
    'instancesSet',
    'credentials',
    'spotInstanceRequestSet',
    ...NAMING_RESPONSE_ELEMENTS.map(([, [element]]) => element),
  ]),
];

/** Past this many resources in one record, those seen are looked up rather than scanned for. */
const LINEAR_CHECK_MAX = 16;

/** The names seen of `type`, made empty on first use. */
function namesOf(seen: Map<string, Set<string>>, type: string): Set<string> {
  let names = seen.get(type);
  if (!names) {
    names = new Set();
    seen.set(type, names);
  }
  return names;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function field(object: unknown, name: string): unknown {
  return typeof object === 'object' && object !== null ? (object as Record<string, unknown>)[name] : undefined;
}

/**
 * The resources a record names, each once: its `resources` list, the request parameters in
 * {@link NAMING_PARAMETERS} (and {@link SOURCE_NAMING_PARAMETERS} in their service's calls), trail names of
 * CloudTrail calls, parameter names of SSM calls, instance ids, the access keys a `CreateAccessKey`
 * returned, the spot instance requests a `RequestSpotInstances` returned, and what
 * {@link NAMING_RESPONSE_ELEMENTS} names. A pure function of the record, so every source derives the same.
 */
export function resourcesOf(record: CloudTrailRecord): TouchedResource[] {
  const found: TouchedResource[] = [];
  // A record names a handful of resources: a linear check beats a map on this hot path. One record
  // may name any number (a crafted one, 80,000 instances): past a few, names seen are kept by type,
  // so that the check stays linear in the record's size, not quadratic.
  let seen: Map<string, Set<string>> | undefined;
  const add = (type: string | undefined, name: string | undefined) => {
    if (!type || !name) return;
    if (seen) {
      const names = namesOf(seen, type);
      if (names.has(name)) return;
      names.add(name);
    } else {
      for (const resource of found) if (resource.type === type && resource.name === name) return;
      if (found.length === LINEAR_CHECK_MAX) {
        seen = new Map();
        for (const resource of found) namesOf(seen, resource.type).add(resource.name);
        namesOf(seen, type).add(name);
      }
    }
    found.push({ type, name });
  };
  if (Array.isArray(record.resources))
    for (const resource of record.resources) add(text(field(resource, 'type')), text(field(resource, 'ARN')));

  const request = record.requestParameters;
  if (request && typeof request === 'object') {
    for (const [parameter, type] of NAMING_PARAMETERS) add(type, text(request[parameter]));
    if (record.eventSource === 'cloudtrail.amazonaws.com') add('AWS::CloudTrail::Trail', text(request.name));
    if (record.eventSource === 'ssm.amazonaws.com') {
      add('AWS::SSM::Parameter', text(request.name));
      if (Array.isArray(request.names)) for (const name of request.names) add('AWS::SSM::Parameter', text(name));
    }
    for (const [source, parameter, type] of SOURCE_NAMING_PARAMETERS)
      if (record.eventSource === source) add(type, text(request[parameter]));
    const items = field(request.instancesSet, 'items');
    if (Array.isArray(items)) for (const item of items) add('AWS::EC2::Instance', text(field(item, 'instanceId')));
  }
  const response = record.responseElements;
  if (response && typeof response === 'object') {
    add('AWS::IAM::AccessKey', text(field(response.accessKey, 'accessKeyId')));
    const items = field(response.instancesSet, 'items');
    if (Array.isArray(items)) for (const item of items) add('AWS::EC2::Instance', text(field(item, 'instanceId')));
    const requests = field(response.spotInstanceRequestSet, 'items');
    if (Array.isArray(requests))
      for (const item of requests) add('AWS::EC2::SpotInstanceRequest', text(field(item, 'spotInstanceRequestId')));
    for (const [source, [element, name], type] of NAMING_RESPONSE_ELEMENTS)
      if (record.eventSource === source) add(type, text(name ? field(response[element], name) : response[element]));
  }
  return found;
}
