import { h } from '../dom.js';

type Cell = Node | string | null | undefined | false;

/**
 * A table that becomes one card per row on a narrow screen (style.css `table.cards`): each cell
 * carries its column's name in `data-label`, shown before it when the header row is hidden.
 */
export function cardTable(
  id: string,
  columns: string[],
  caption: string,
): { table: HTMLTableElement; tbody: HTMLTableSectionElement } {
  const tbody = h('tbody');
  const table = h(
    'table',
    { id, class: 'cards' },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
    tbody,
  );
  return { table, tbody };
}

/** A row of `cardTable`: cells in column order, each labelled for the card layout. */
export function cardRow(
  attrs: Record<string, string>,
  columns: string[],
  cells: Array<Cell | Cell[]>,
  cellClasses: Record<number, string> = {},
): HTMLTableRowElement {
  return h(
    'tr',
    attrs,
    ...cells.map((c, i) =>
      h('td', { 'data-label': columns[i], class: cellClasses[i] }, ...(Array.isArray(c) ? c : [c])),
    ),
  );
}
