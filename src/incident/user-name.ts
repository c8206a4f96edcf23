/** IAM user names: up to 64 of letters, digits and `+=,.@_-`. */
const IAM_USER_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

/** How Trusted Advisor and IAM name the root user. */
const ROOT_NAMES = new Set(['root', '<root_account>', '<root>']);

/** True when `name` is how AWS names the account's root user rather than an IAM user. */
export function isRootUserName(name: string): boolean {
  return ROOT_NAMES.has(name.toLowerCase());
}

/** Why `name` is not a valid IAM user name (or root), or null when it is one. */
export function userNameProblem(name: string): string | null {
  if (isRootUserName(name)) return null;
  if (name.length > 64) return `is ${name.length} characters long; IAM user names have at most 64`;
  if (!IAM_USER_NAME_PATTERN.test(name)) return 'is not a valid IAM user name (letters, digits and +=,.@_- only)';
  return null;
}
