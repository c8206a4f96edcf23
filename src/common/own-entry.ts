/**
 * The entry of `table` named `key`, only if the table itself holds it: a name from outside
 * (`constructor`, `toString`, `__proto__` in a CloudTrail record) must not find what every object
 * inherits from `Object.prototype`.
 */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
