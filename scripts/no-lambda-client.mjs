// Stands in for @aws-sdk/client-lambda and @aws-sdk/credential-providers in the bundled
// aws-local-stepfunctions: `simulate --local` runs every task with a handler in this process, so the
// runner never invokes a Lambda function. Were it ever asked to, it fails here, saying why.
const WHY = 'The local state machine runs every task in this process; it has no Lambda client to invoke a function.';

export class LambdaClient {
  constructor() {
    throw new Error(WHY);
  }
}

export class InvokeCommand {
  constructor() {
    throw new Error(WHY);
  }
}

export function fromCognitoIdentityPool() {
  throw new Error(WHY);
}
