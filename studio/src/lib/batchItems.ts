import type { RunInputs } from '../../../workflows/pipeline';
import type { InputField } from './runInputs';

export type BatchItems = { items: RunInputs[]; columns: string[] } | { error: string };

/** The cells of one CSV record (RFC 4180: commas, "quoted" cells, "" for a quote inside one). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(quoted ? cell : cell.trim());
  return cells;
}

/** CSV records: lines, except where a quoted cell holds a line break. */
function csvRecords(text: string): string[] {
  const records: string[] = [];
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    current = current === '' ? line : `${current}\n${line}`;
    if ((current.match(/"/g)?.length ?? 0) % 2 === 0) {
      records.push(current);
      current = '';
    }
  }
  if (current !== '') records.push(current);
  return records.filter((r) => r.trim() !== '');
}

/** The input one value per line fills: the only text input, or the only required one. */
export function lineInput(fields: InputField[]): InputField | undefined {
  const text = fields.filter((f) => f.kind === 'text');
  if (text.length === 1) return text[0];
  const required = text.filter((f) => f.required && f.default === undefined);
  return required.length === 1 ? required[0] : undefined;
}

const valueOf = (field: InputField, raw: string): unknown => (field.kind === 'json' ? JSON.parse(raw) : raw);

/**
 * The items a pasted list says: a CSV whose first line names pipeline inputs (one item per row, each column
 * its input; inputs not named keep their defaults), or else one value per line for the pipeline's text input.
 */
export function parseBatchItems(text: string, fields: InputField[]): BatchItems {
  const records = csvRecords(text);
  if (records.length === 0) return { items: [], columns: [] };
  const byName = new Map(fields.map((f) => [f.name, f]));
  const header = csvCells(records[0]);
  if (header.length > 0 && header.every((name) => byName.has(name))) {
    if (new Set(header).size !== header.length) return { error: 'The CSV header names an input twice' };
    const items: RunInputs[] = [];
    for (const [row, record] of records.slice(1).entries()) {
      const cells = csvCells(record);
      if (cells.length !== header.length)
        return { error: `CSV row ${row + 2}: ${cells.length} cells, but the header names ${header.length} inputs` };
      const item: RunInputs = {};
      for (const [i, name] of header.entries()) {
        const field = byName.get(name)!;
        if (cells[i] === '' && !field.required) continue;
        try {
          item[name] = valueOf(field, cells[i]);
        } catch {
          return { error: `CSV row ${row + 2}: ${name} is not valid JSON` };
        }
      }
      items.push(item);
    }
    return { items, columns: header };
  }
  const field = lineInput(fields);
  if (!field) {
    const names = fields.map((f) => f.name).join(',');
    return {
      error: fields.length
        ? `This pipeline takes several inputs: paste a CSV whose first line names them, e.g. “${names}”`
        : 'This pipeline takes no inputs: run it with variations instead',
    };
  }
  return { items: records.map((line) => ({ [field.name]: line.trim() })), columns: [field.name] };
}
