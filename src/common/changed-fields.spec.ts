import { copyChanges } from './changed-fields';

describe('copyChanges', () => {
  it('copies the set, different values onto the patch and names them in the order asked', () => {
    const current = { name: 'a', enabled: true, note: null as string | null };
    const patch: Partial<typeof current> = {};
    const changed = copyChanges(
      current,
      { note: 'n', enabled: true, name: 'b' },
      ['note', 'enabled', 'name'],
      patch,
    );
    expect(changed).toEqual(['note', 'name']);
    expect(patch).toEqual({ note: 'n', name: 'b' });
    expect(current).toEqual({ name: 'a', enabled: true, note: null });
  });

  it('skips what is absent, and by default changes the current object itself', () => {
    const current = { name: 'a', note: 'x' as string | null };
    expect(copyChanges(current, { note: null }, ['name', 'note'])).toEqual(['note']);
    expect(current).toEqual({ name: 'a', note: null });
  });
});
