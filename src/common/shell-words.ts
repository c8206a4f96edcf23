/**
 * Characters a shell word may hold bare: none of them is special to sh, bash or zsh, but that zsh
 * expands a word beginning with `=` to a command's path (and `%` begins a job there): such a word
 * is quoted.
 */
const BARE = /^[A-Za-z0-9_.:/+@,-][A-Za-z0-9_.:/=+@%,-]*$/;

/**
 * `value` as one shell word: bare when it holds only characters no shell gives a meaning, else in
 * single quotes (a quote inside written `'\''`). Names in a command a responder copies come from
 * what an attacker created or wrote into a request: `/x;curl … | sh` must stay one argument.
 */
export function shellWord(value: string): string {
  return BARE.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A command line whose interpolated values are each made one shell word (see {@link shellWord}). */
export function shellCommand(
  parts: TemplateStringsArray,
  ...values: readonly (string | number | null | undefined)[]
): string {
  return parts.reduce((line, part, index) => {
    if (index === 0) return part;
    return `${line}${shellWord(String(values[index - 1] ?? ''))}${part}`;
  }, '');
}
