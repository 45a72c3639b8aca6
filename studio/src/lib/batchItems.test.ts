import { describe, expect, it } from 'vitest';
import { csvCells, lineInput, parseBatchItems } from './batchItems';
import type { InputField } from './runInputs';

const field = (name: string, extra: Partial<InputField> = {}): InputField => ({
  id: name,
  name,
  kind: 'text',
  required: true,
  default: undefined,
  ...extra,
});

describe('batch items from a pasted list or CSV', () => {
  it('reads one item per non-empty line for a pipeline with one text input', () => {
    expect(parseBatchItems('otters\n\n  owls  \r\nfoxes\n', [field('topic')])).toEqual({
      items: [{ topic: 'otters' }, { topic: 'owls' }, { topic: 'foxes' }],
      columns: ['topic'],
    });
  });

  it('reads a CSV whose header names the inputs, with quoted cells, and JSON inputs parsed', () => {
    const fields = [field('topic'), field('style', { required: false, default: 'ink' }), field('data', { kind: 'json', required: false })];
    const csv = 'topic,style,data\n"otters, at sea",watercolor,"{""mood"":""calm""}"\nowls,,';
    expect(parseBatchItems(csv, fields)).toEqual({
      items: [{ topic: 'otters, at sea', style: 'watercolor', data: { mood: 'calm' } }, { topic: 'owls' }],
      columns: ['topic', 'style', 'data'],
    });
  });

  it('keeps a line break inside a quoted cell', () => {
    expect(parseBatchItems('topic\n"two\nlines"\none', [field('topic')])).toMatchObject({
      items: [{ topic: 'two\nlines' }, { topic: 'one' }],
    });
  });

  it('says what to do when the lines cannot be told apart or a row is short', () => {
    const two = [field('topic'), field('style')];
    expect(parseBatchItems('otters\nowls', two)).toEqual({
      error: 'This pipeline takes several inputs: paste a CSV whose first line names them, e.g. “topic,style”',
    });
    expect(parseBatchItems('topic,style\notters', two)).toEqual({ error: 'CSV row 2: 1 cells, but the header names 2 inputs' });
    expect(parseBatchItems('topic,topic\na,b', two)).toEqual({ error: 'The CSV header names an input twice' });
    expect(parseBatchItems('   \n', two)).toEqual({ items: [], columns: [] });
  });

  it('picks the line input: the only text input, else the only required one without a default', () => {
    expect(lineInput([field('topic'), field('data', { kind: 'json' })])?.name).toBe('topic');
    expect(lineInput([field('topic'), field('style', { required: false })])?.name).toBe('topic');
    expect(lineInput([field('a'), field('b')])).toBeUndefined();
  });

  it('splits CSV cells on commas outside quotes', () => {
    expect(csvCells('a, "b, c" ,"d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
  });
});
