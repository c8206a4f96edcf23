import { inventoryLines } from '../../message/leftovers.js';
import type { Inventory } from '../../steps/inventory/inventory-types.js';
import type { Palette } from '../output.js';

/** What the attacker left, for a terminal: the same lines as the message, what still exists in red. */
export function renderInventory(inventory: Inventory, palette: Palette): string {
  const [brief, ...items] = inventoryLines(inventory);
  return [
    palette.bold('What the attacker left (checked now; nothing was removed)'),
    `  ${brief}`,
    ...items.map(
      (line) =>
        `  ${/^(NOT CHECKED|secret read|parameter read|read in bulk)/.test(line) ? palette.yellow('•') : palette.red('•')} ${line}`,
    ),
  ].join('\n');
}
