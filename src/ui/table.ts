export interface Column<Row> {
  header: string;
  value: (row: Row) => string;
  /** The one column that gives up width when the table is wider than the terminal. */
  shrink?: boolean;
}

/** A plain, aligned text table. `width` is the terminal's; the shrinkable column is cut with an ellipsis. */
export function renderTable<Row>(rows: Row[], columns: Column<Row>[], width = Number.POSITIVE_INFINITY): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((line) => line[index]!.length)));
  const gap = 2;
  const total = widths.reduce((sum, w) => sum + w, 0) + gap * (columns.length - 1);
  const shrinkIndex = columns.findIndex((column) => column.shrink);
  if (total > width && shrinkIndex >= 0) {
    widths[shrinkIndex] = Math.max(columns[shrinkIndex]!.header.length, widths[shrinkIndex]! - (total - width));
  }
  const line = (values: string[]) =>
    values
      .map((value, index) => fit(value, widths[index]!))
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...cells.map(line)].join('\n');
}

function fit(value: string, width: number): string {
  if (value.length <= width) return value.padEnd(width);
  return `${value.slice(0, Math.max(0, width - 1))}…`;
}
