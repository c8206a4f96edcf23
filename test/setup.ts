// aws-local-stepfunctions uses Promise.withResolvers, which Node 20 lacks.
import '../src/state-machine/promise-with-resolvers.js';
import 'aws-sdk-client-mock-vitest/extend';
