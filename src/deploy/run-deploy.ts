import { callerAccount } from '../aws/caller-account.js';
import type { CloudFormationApi, S3Api, SignerApi, StsApi } from '../aws/narrow-clients.js';
import type { IoHost } from '../common/io-host.js';
import { DeploymentError, InterruptedError, InvalidInputError } from '../errors.js';
import {
  type ArtifactBucketDeps,
  artifactBucketName,
  ensureArtifactBucket,
  type UploadedArtifact,
  uploadArtifact,
} from './artifact-bucket.js';
import {
  type ChangeSetDeps,
  discardChangeSet,
  notExecutedSentence,
  type PreparedChangeSet,
  prepareChangeSet,
  type ResourceChange,
} from './change-set.js';
import { executeChangeSet } from './execute-change-set.js';
import { requireOwnStack } from './own-stack.js';
import { type Artifact, ensureArtifact } from './package-artifact.js';
import type { DeployProgress, PollOptions, StackEvent } from './progress.js';
import { type SignedArtifact, signArtifact } from './sign-artifact.js';
import {
  deployedArtifactBucket,
  describeStack,
  findStack,
  parametersOf,
  type StackResourceInfo,
} from './stack-description.js';
import { mustBeDeletedFirst, type StackState, stackState } from './stack-status.js';
import { compactTemplate, readTemplate } from './template.js';
import { type TemplateObject, templateObjectChanged, templateObjectIfTooLarge } from './template-object.js';
import { refuseUnusableStack } from './unusable-stack.js';

/** The template parameter that names the signing profile the functions' code must be signed by. */
const SIGNING_PROFILE_PARAMETER = 'CodeSigningProfileArn';

/** What a deployment tells its host as it goes. */
export type DeployMessage =
  | { kind: 'step'; text: string }
  | { kind: 'stack-event'; event: StackEvent }
  /** The change set is ready: what it would change, before the host is asked to execute it. */
  | { kind: 'change-set'; changeSet: PreparedChangeSet };

/** What {@link runDeploy} needs. */
export interface RunDeployDeps {
  sts: StsApi;
  s3: S3Api;
  cloudFormation: CloudFormationApi;
  io: IoHost<DeployMessage>;
  poll?: PollOptions;
  /** The Lambda artifact to deploy (default: built from the sources, or the one the package ships). */
  artifact?: () => Promise<Artifact>;
  /** The AWS Signer client, asked for only when the stack requires signed code. */
  signer?: () => Promise<SignerApi>;
  /**
   * True when `s3` reaches S3 over plain HTTP (an emulator on this machine): a new artifact bucket
   * then gets no TLS-only policy, which would refuse this deploy's own requests.
   */
  s3PlainHttp?: boolean;
}

/** What to deploy. */
export interface RunDeployInput {
  stackName: string;
  region: string;
  /** Stack parameters; the artifact's bucket and key are added. */
  parameters: Readonly<Record<string, string>>;
  /**
   * The artifact bucket (default: the one an updated stack was deployed from; for a new stack,
   * `exposed-keys-artifacts-<account>-<region>`, created if needed).
   */
  bucket?: string;
  /** False: make the change set and leave it for review. */
  execute: boolean;
}

/**
 * How a deployment ended: `no-changes` (the stack already matches), `review` (the change set is
 * left for review), `aborted` (the host said no; the change set was discarded) or `deployed`.
 */
export interface DeployReport {
  outcome: 'no-changes' | 'review' | 'aborted' | 'deployed';
  stackName: string;
  /** Null when the host declined before the artifact was uploaded (a stack a failed first deploy left). */
  artifact: {
    bucket: string;
    key: string;
    /** The object version the stack's functions load, when the bucket keeps versions. */
    versionId: string | undefined;
    upload: UploadedArtifact['status'];
    /** `none` unless the stack requires signed code: then the key and version are the signed zip's. */
    signing: SignedArtifact['status'] | 'none';
    source: Artifact['source'];
  } | null;
  /** True when a stack a failed first deploy left was deleted (asked), before the change set was made. */
  deletedFailedStack?: boolean;
  /** The stack's status at the end (`REVIEW` for a change set left for review). */
  status: string;
  state: StackState | undefined;
  stackId: string;
  changes: ResourceChange[];
  changeSetId: string | undefined;
  resources: StackResourceInfo[];
  outputs: Record<string, string>;
  /** The stack events of this deployment, oldest first. */
  events: readonly StackEvent[];
}

function progressOf(io: IoHost<DeployMessage>): DeployProgress {
  return {
    onStep: (text) => io.notify({ kind: 'step', text }),
    onStackEvent: (event) => io.notify({ kind: 'stack-event', event }),
  };
}

/** The signing profile the stack will require: the one given, else the deployed stack's, else none. */
async function signingProfile(cloudFormation: CloudFormationApi, input: RunDeployInput): Promise<string | undefined> {
  const given = input.parameters[SIGNING_PROFILE_PARAMETER];
  if (given !== undefined) return given || undefined;
  const stack = await findStack(cloudFormation, input.stackName);
  return (stack && parametersOf(stack)[SIGNING_PROFILE_PARAMETER]) || undefined;
}

async function signerOf(deps: RunDeployDeps): Promise<SignerApi> {
  if (!deps.signer)
    throw new TypeError('runDeploy needs an AWS Signer client to deploy a stack that requires signed code');
  return deps.signer();
}

function failedStack(input: RunDeployInput, status: string): string {
  return `Stack ${input.stackName} was left in ${status} by a failed first deploy`;
}

/**
 * A stack a failed first deploy left (ROLLBACK_COMPLETE, or ROLLBACK_FAILED, which may still hold
 * resources) must be deleted before it is made again: not for a change set made for review only.
 *
 * @throws InvalidInputError with --no-execute, before anything is changed.
 */
function refuseFailedStackForReview(input: RunDeployInput, status: string): void {
  if (!mustBeDeletedFirst(status) || input.execute) return;
  throw new InvalidInputError(
    '--no-execute',
    `${failedStack(input, status)}: it must be deleted before a change set can be made; nothing was changed.`,
    {
      hint: 'Deploy without --no-execute to be asked whether to delete it, or delete it first with exposed-keys destroy.',
    },
  );
}

/** Whether the host lets a stack a failed first deploy left be deleted; true at once for any other stack. */
function mayDeleteFailedStack(io: RunDeployDeps['io'], input: RunDeployInput, status: string): Promise<boolean> {
  if (!mustBeDeletedFirst(status)) return Promise.resolve(true);
  return io.confirm({
    question: `${failedStack(input, status)}, and must be deleted before it is made again. Delete it, then deploy?`,
    consequence: 'deletes a stack a failed deploy left',
  });
}

/**
 * The change set is discarded, and the deploy refused, when the template sent by URL is not the one
 * written any more: CloudFormation may have read what someone else wrote at its key. This sees a
 * write that is still there; one undone before the check (a version deleted, the bytes written
 * back in a bucket without versions) is not seen: whoever may write the artifact bucket may change
 * what is deployed, and the bucket must be kept to the deployers.
 *
 * @throws DeploymentError when it changed.
 */
async function refuseChangedTemplate(
  deps: { s3: ArtifactBucketDeps; changeSetDeps: ChangeSetDeps },
  object: TemplateObject | null,
  owner: string,
  prepared: PreparedChangeSet,
): Promise<void> {
  // No change set made (the stack up to date): CloudFormation read nothing.
  const changed = object && prepared.changeSetId ? await templateObjectChanged(deps.s3, object, owner) : null;
  if (!changed) return;
  if (!prepared.noChanges) await discardChangeSet(deps.changeSetDeps, prepared);
  throw new DeploymentError(`The stack template changed in the bucket before it could be deployed: ${changed}.`, [], {
    hint: 'Someone else writes to the artifact bucket: find who (its CloudTrail data events), then deploy again.',
  });
}

/**
 * Deploys or updates the stack in one call: builds (or reuses) the Lambda artifact, checks the
 * credentials, makes sure of the artifact bucket (the caller's account must own it), verifies the
 * artifact already there or uploads it, signs it when the stack requires signed code (the
 * CodeSigningProfileArn given, or deployed), makes a change set naming the object version, asks
 * the host whether to execute it, and executes it while following the stack's events. A change set
 * the host declines, or refuses to be asked about, is discarded, so that no trace is left.
 *
 * @throws DeploymentError with each failing resource when the deploy fails or is rolled back.
 */
export async function runDeploy(deps: RunDeployDeps, input: RunDeployInput): Promise<DeployReport> {
  const { io } = deps;
  const progress = progressOf(io);
  progress.onStep?.('Building the Lambda artifact…');
  const artifact = await (deps.artifact ?? ensureArtifact)();
  progress.onStep?.(`Artifact ${artifact.fileName} (${artifact.source}); checking credentials…`);
  const account = await callerAccount(deps.sts);
  // Before the bucket and the upload: a stack of that name exposed-keys did not make is left alone,
  // and one a failed first deploy left behind is deleted only when the host says so.
  const existing = await findStack(deps.cloudFormation, input.stackName);
  await requireOwnStack(deps.cloudFormation, existing, input.stackName, 'deploy');
  const existingStatus = existing?.StackStatus ?? '';
  refuseFailedStackForReview(input, existingStatus);
  refuseUnusableStack(input, existingStatus);
  // Asked before the bucket is made or the artifact uploaded: a no then changes nothing.
  if (!(await mayDeleteFailedStack(io, input, existingStatus)))
    return {
      outcome: 'aborted',
      stackName: input.stackName,
      artifact: null,
      changes: [],
      changeSetId: undefined,
      events: [],
      status: existingStatus,
      state: stackState(existingStatus),
      stackId: existing?.StackId ?? '',
      resources: [],
      outputs: {},
    };
  const ownBucket = artifactBucketName(account, input.region);
  // An update keeps the bucket the stack was deployed from (deploy --bucket), unless another is named.
  const bucket =
    input.bucket ?? (mustBeDeletedFirst(existingStatus) ? undefined : deployedArtifactBucket(existing)) ?? ownBucket;
  const s3 = { s3: deps.s3, progress };
  await ensureArtifactBucket(s3, {
    bucket,
    owner: account,
    region: input.region,
    tlsOnly: !deps.s3PlainHttp,
    ownName: input.bucket === undefined && bucket === ownBucket,
  });
  const uploaded = await uploadArtifact(s3, { bucket, owner: account, artifact });
  progress.onStep?.(`Artifact s3://${bucket}/${uploaded.key} (${uploaded.status}); preparing the change set…`);
  const profileArn = await signingProfile(deps.cloudFormation, input);
  const signed = profileArn
    ? await signArtifact(
        { s3: deps.s3, signer: await signerOf(deps), progress, poll: deps.poll },
        {
          bucket,
          owner: account,
          key: uploaded.key,
          versionId: uploaded.versionId,
          sha256: artifact.sha256,
          profileArn,
        },
      )
    : undefined;
  const code = signed ?? uploaded;
  if (!code.versionId)
    progress.onStep?.(
      `Warning: bucket ${bucket} keeps no object versions (versioning off or suspended), so the functions load whatever is at ${code.key} when they start, not the file checked now; turn on versioning to pin it.`,
    );

  if (deps.poll?.signal?.aborted)
    throw new InterruptedError(
      `Stopped before stack ${input.stackName} was changed; the artifact is at s3://${bucket}/${code.key}, where the next deploy finds it.`,
    );
  const artifactReport = {
    bucket,
    key: code.key,
    versionId: code.versionId,
    upload: uploaded.status,
    signing: signed?.status ?? ('none' as const),
    source: artifact.source,
  };
  const changeSetDeps = { cloudFormation: deps.cloudFormation, progress, poll: deps.poll };
  const templateBody = await readTemplate();
  const templateObject = await templateObjectIfTooLarge(s3, {
    bucket,
    owner: account,
    region: input.region,
    body: compactTemplate(templateBody),
  });
  const prepared = await prepareChangeSet(changeSetDeps, {
    stackName: input.stackName,
    // The host agreed above; a stack that failed since then is refused, not deleted unasked.
    deleteFailedStack: mustBeDeletedFirst(existingStatus),
    templateBody,
    ...(templateObject ? { templateUrl: templateObject.url } : {}),
    parameters: {
      ...input.parameters,
      ArtifactBucket: bucket,
      ArtifactKey: code.key,
      // The functions get the very version verified or uploaded now, whatever is written at the key later.
      ArtifactVersion: code.versionId ?? '',
    },
  });
  await refuseChangedTemplate({ s3, changeSetDeps }, templateObject, account, prepared);
  const base = {
    stackName: input.stackName,
    artifact: artifactReport,
    ...(mustBeDeletedFirst(existingStatus) ? { deletedFailedStack: true } : {}),
    changes: prepared.changes,
    changeSetId: prepared.changeSetId || undefined,
    events: [] as StackEvent[],
  };
  if (prepared.noChanges) {
    const stack = await describeStack(deps.cloudFormation, input.stackName);
    return {
      ...base,
      outcome: 'no-changes',
      status: stack?.status ?? 'unknown',
      state: stack?.state,
      stackId: stack?.stackId ?? '',
      resources: stack?.resources ?? [],
      outputs: stack?.outputs ?? {},
    };
  }
  io.notify({ kind: 'change-set', changeSet: prepared });
  const pending = {
    ...base,
    status: 'REVIEW',
    state: undefined,
    stackId: prepared.stackId,
    resources: [],
    outputs: {},
  };
  if (!input.execute) return { ...pending, outcome: 'review' };

  let confirmed: boolean;
  try {
    confirmed = await io.confirm({
      question: `Execute this change set on ${input.stackName}?`,
      consequence: 'changes the account',
    });
  } catch (error) {
    await discardChangeSet(changeSetDeps, prepared);
    throw error;
  }
  if (!confirmed) {
    await discardChangeSet(changeSetDeps, prepared);
    return { ...pending, outcome: 'aborted', changeSetId: undefined };
  }
  if (deps.poll?.signal?.aborted) {
    await discardChangeSet(changeSetDeps, prepared);
    throw new InterruptedError(`Stopped before the change set was executed. ${notExecutedSentence(prepared)}`);
  }
  const deployed = await executeChangeSet(changeSetDeps, prepared);
  return {
    ...base,
    outcome: 'deployed',
    status: deployed.status,
    state: deployed.state,
    stackId: deployed.stackId,
    resources: deployed.resources,
    outputs: deployed.outputs,
    events: deployed.events,
  };
}
