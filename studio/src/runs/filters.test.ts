import { describe, expect, it } from 'vitest';
import { apiQuery, filtersFromSearch, filtersToSearch, hasFilters, inputsLine, NO_FILTERS } from './filters';

describe('run list filters', () => {
  it('keep what is set in the page address and read it back, dropping values the lists do not know', () => {
    const filters = { ...NO_FILTERS, q: ' red fox ', status: 'failed' as const, from: '2026-03-01' };
    expect(filtersToSearch(filters)).toBe('?q=red+fox&status=failed&from=2026-03-01');
    expect(filtersFromSearch('?q=red+fox&status=failed&from=2026-03-01')).toEqual({
      ...NO_FILTERS,
      q: 'red fox',
      status: 'failed',
      from: '2026-03-01',
    });
    expect(filtersFromSearch('?status=done&trigger=cron&from=yesterday&to=2026-3-1')).toEqual(NO_FILTERS);
    expect(filtersToSearch(NO_FILTERS)).toBe('');
  });

  it('ask the API for whole local days: from the start of the first to the start of the day after the last', () => {
    const query = new URLSearchParams(apiQuery({ ...NO_FILTERS, from: '2026-03-01', to: '2026-03-31' }, { limit: 50 }));
    expect(query.get('from')).toBe(new Date(2026, 2, 1).toISOString());
    expect(query.get('before')).toBe(new Date(2026, 3, 1).toISOString());
    expect(query.get('limit')).toBe('50');
    expect(query.has('q')).toBe(false);
    const paged = new URLSearchParams(apiQuery({ ...NO_FILTERS, q: ' whale ', trigger: 'api' }, { limit: 10, after: 'abc' }));
    expect(Object.fromEntries(paged)).toEqual({ limit: '10', q: 'whale', trigger: 'api', after: 'abc' });
  });

  it('tell whether anything narrows the list, apart from what a screen fixes itself', () => {
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, q: '  ' })).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, trigger: 'api' })).toBe(true);
    expect(hasFilters({ ...NO_FILTERS, trigger: 'api' }, ['trigger'])).toBe(false);
  });

  it("show a run's inputs in a line: a lone value as itself, several as name: value", () => {
    expect(inputsLine({ topic: 'a red fox' })).toBe('a red fox');
    expect(inputsLine({ topic: 'a red fox', words: 50 })).toBe('topic: a red fox · words: 50');
    expect(inputsLine({})).toBe('');
  });
});
