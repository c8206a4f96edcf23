/**
 * The deploy library behind `exposed-keys deploy`, `destroy` and `status`: package the Lambda
 * artifact, upload it, deploy the stack through a change set, follow it, describe it and remove it.
 * It never prints: {@link runDeploy} and {@link runDestroy} are whole flows in one call, telling and
 * asking through an I/O host; the smaller pieces report through {@link DeployProgress}.
 */

export {
  type ArtifactBucketDeps,
  artifactBucketName,
  artifactKey,
  ensureArtifactBucket,
  type UploadedArtifact,
  uploadArtifact,
} from './artifact-bucket.js';
export { type Bundle, bundleHandlers, HANDLERS, type HandlerName } from './bundle-handlers.js';
export {
  type ChangeSetDeps,
  type ChangeSetInput,
  discardChangeSet,
  type PreparedChangeSet,
  prepareChangeSet,
  type ResourceChange,
} from './change-set.js';
export { type DeletedBucket, deleteArtifactBucket } from './delete-bucket.js';
export type { DeletedStack } from './delete-stack.js';
export { ArtifactUnavailableError, BundleError, StackBusyError, StackTimeoutError } from './deploy-errors.js';
export { type DestroyDeps, type DestroyInput, type DestroyResult, destroyStack } from './destroy.js';
export { type DeployResult, executeChangeSet } from './execute-change-set.js';
export { type Artifact, type ArtifactOptions, buildArtifact, ensureArtifact } from './package-artifact.js';
export type { DeployProgress, PollOptions, ProgressDeps, StackEvent } from './progress.js';
export {
  type DeployMessage,
  type DeployReport,
  type RunDeployDeps,
  type RunDeployInput,
  runDeploy,
} from './run-deploy.js';
export {
  type DestroyMessage,
  type DestroyReport,
  type RunDestroyDeps,
  type RunDestroyInput,
  runDestroy,
} from './run-destroy.js';
export {
  describeStack,
  findStack,
  type StackDescription,
  type StackResourceInfo,
  stackResources,
} from './stack-description.js';
export type { ResourceFailure } from './stack-events.js';
export { isFinal, isSuccess, type StackState, stackState } from './stack-status.js';
export {
  declaredParameters,
  MAX_TEMPLATE_BODY_BYTES,
  type ParameterValues,
  readTemplate,
  toCfnParameters,
} from './template.js';
