import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Creates the incident table as the template declares it (partition key `pk`, on demand); returns its name. */
export async function createIncidentTable(db: DynamoDBClient, name = 'exposed-keys-incidents'): Promise<string> {
  await db.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}
