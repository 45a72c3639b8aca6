import { describe, expect, it } from 'vitest';
import { changeDetails, changeSummary } from './versionChanges';

const none = { added: [], removed: [], changed: [], moved: [] };

describe('changeSummary', () => {
  it('counts the nodes of the first version', () => {
    expect(changeSummary({ ...none, added: ['a', 'b'] }, true)).toBe('first version · 2 nodes');
    expect(changeSummary({ ...none, added: ['a'] }, true)).toBe('first version · 1 node');
  });

  it('counts added, removed and changed nodes, and says when only the layout changed', () => {
    expect(changeSummary({ added: ['v'], removed: [], changed: ['s', 't'], moved: ['x'] }, false)).toBe('1 added · 2 changed');
    expect(changeSummary({ ...none, removed: ['p'] }, false)).toBe('1 removed');
    expect(changeSummary({ ...none, moved: ['x'] }, false)).toBe('layout only');
    expect(changeSummary(none, false)).toBe('no changes');
  });

  it('names the nodes in the details', () => {
    expect(changeDetails({ added: ['voice'], removed: [], changed: ['story', 'note'], moved: [] })).toBe(
      'added: voice; changed: story, note',
    );
  });
});
