/** A column of a plain-text table. */
export interface Column {
  header: string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** Lays out rows as a fixed-width plain-text table (for e-mail and non-TTY output). */
export function plainTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, index) => {
        const width = widths[index] ?? 0;
        return columns[index]?.right ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)];
}

/** Thousands separators, so that counts read at a glance. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
