import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
} from '@aws-sdk/client-organizations';
import { toAwsCallError } from '../../aws/aws-errors.js';
import type { OrganizationsApi } from '../../aws/narrow-clients.js';
import { pages } from '../../aws/paging.js';

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw toAwsCallError(`organizations:${operation}`, error);
  }
}

/** An account StackSets deploy to: active (one suspended or closing gets no instance). */
function active(account: Account): boolean {
  const state = account.State ?? account.Status;
  return state === undefined || state === 'ACTIVE';
}

/** The accounts of a unit and of every unit under it, as a StackSet targeting it reaches them. */
async function accountsUnder(organizations: OrganizationsApi, parentId: string, into: Set<string>): Promise<void> {
  const accounts = await pages(async (NextToken) => {
    const page = await call('ListAccountsForParent', () =>
      organizations.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken })),
    );
    return { items: page?.Accounts ?? [], next: page?.NextToken };
  });
  for (const account of accounts) if (account.Id && active(account)) into.add(account.Id);
  const units = await pages(async (NextToken) => {
    const page = await call('ListOrganizationalUnitsForParent', () =>
      organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken })),
    );
    return { items: page?.OrganizationalUnits ?? [], next: page?.NextToken };
  });
  for (const unit of units) if (unit.Id) await accountsUnder(organizations, unit.Id, into);
}

/**
 * The active accounts a service-managed StackSet deployed to `targets` reaches: every account of
 * the organisation for a root, else those of each unit and of the units under it.
 *
 * @throws AwsCallError naming the Organizations call that failed.
 */
export async function targetAccounts(organizations: OrganizationsApi, targets: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  if (targets.some((target) => target.startsWith('r-'))) {
    const accounts = await pages(async (NextToken) => {
      const page = await call('ListAccounts', () => organizations.send(new ListAccountsCommand({ NextToken })));
      return { items: page?.Accounts ?? [], next: page?.NextToken };
    });
    for (const account of accounts) if (account.Id && active(account)) found.add(account.Id);
  } else for (const target of targets) await accountsUnder(organizations, target, found);
  return [...found].sort();
}
