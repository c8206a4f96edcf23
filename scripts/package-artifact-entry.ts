// What scripts/build.mjs needs of the deploy library to build the Lambda artifact and ship it.
export { ensureArtifact } from '../src/deploy/package-artifact.js';
export { writePrebuiltArtifact } from '../src/deploy/prebuilt-artifact.js';
