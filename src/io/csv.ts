// CSV text of a header and rows, through csv-stringify (quoting as RFC 4180); null and undefined are empty
// cells, booleans are written as true/false.
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | boolean | null | undefined;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return stringify([[...header], ...rows.map((r) => [...r])], { cast: { boolean: (v) => String(v) } });
}
