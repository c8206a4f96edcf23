import type { AthenaClient } from '@aws-sdk/client-athena';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { STSClient } from '@aws-sdk/client-sts';
import { lambdaClientConfig } from './client-config.js';

/** The clients the Athena source needs in a Lambda function. */
export interface AthenaClients {
  athena: AthenaClient;
  glue: GlueClient;
  sts: STSClient;
  /** The region they call, whose catalog holds the table. */
  region: string;
}

/**
 * A function that builds the Athena source's clients for `region` on its first call and gives the
 * same ones after: a function whose stack has no Athena table never loads them.
 */
export function lambdaAthenaClients(region: string): () => Promise<AthenaClients> {
  let clients: Promise<AthenaClients> | undefined;
  return () => {
    clients ??= Promise.all([
      import('@aws-sdk/client-athena'),
      import('@aws-sdk/client-glue'),
      import('@aws-sdk/client-sts'),
    ]).then(([{ AthenaClient }, { GlueClient }, { STSClient }]) => ({
      athena: new AthenaClient(lambdaClientConfig(region)),
      glue: new GlueClient(lambdaClientConfig(region)),
      sts: new STSClient(lambdaClientConfig(region)),
      region,
    }));
    return clients;
  };
}
