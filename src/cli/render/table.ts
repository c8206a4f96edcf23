import { visibleLength } from '../output.js';

/** A column of a terminal table. */
export interface TableColumn {
  header: string;
  right?: boolean;
}

function pad(text: string, width: number, right: boolean | undefined): string {
  const room = width - visibleLength(text);
  if (room <= 0) return text;
  return right ? ' '.repeat(room) + text : text + ' '.repeat(room);
}

/**
 * Lays out rows under headers, aligned, colour codes allowed in cells. Cells hold text already made
 * safe to show (see common/untrusted-text.ts): the renderer that knows what a value is cuts it.
 */
export function table(columns: readonly TableColumn[], rows: readonly (readonly string[])[], indent = '  '): string {
  const cells = rows.map((row) => columns.map((_, index) => row[index] ?? ''));

  const widths = columns.map((column, index) =>
    Math.max(visibleLength(column.header), ...cells.map((row) => visibleLength(row[index] ?? ''))),
  );
  const line = (row: readonly string[]) =>
    indent +
    row
      .map((cell, index) => pad(cell, widths[index] ?? 0, columns[index]?.right))
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...cells.map(line)].join('\n');
}
