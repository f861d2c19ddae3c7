/**
 * The on-demand loader of built-in step kinds (start-up, issue 7) knows every built-in kind, and
 * loads all of them for missions that dispatch to other kinds or name an unknown one.
 */
import { describe, expect, it } from 'vitest';
import { builtinStepKinds } from '../../engine/steps/builtin.js';
import { builtinStepKindNames, loadBuiltinStepKinds } from '../../engine/steps/builtin-loader.js';

describe('loadBuiltinStepKinds', () => {
  it('knows exactly the built-in kinds, in the same order (a kind added to builtin.ts must be added here)', () => {
    expect(builtinStepKindNames).toEqual(builtinStepKinds().map((kind) => kind.name));
  });

  it('loads the very same kind objects builtinStepKinds returns', async () => {
    const loaded = await loadBuiltinStepKinds(builtinStepKindNames);
    expect(loaded).toEqual(builtinStepKinds());
    loaded.forEach((kind, index) => expect(kind).toBe(builtinStepKinds()[index]));
  });

  it('loads only the kinds a file-only mission uses', async () => {
    expect((await loadBuiltinStepKinds(['create_file', 'read_file', 'create_file'])).map((kind) => kind.name)).toEqual(['create_file', 'read_file']);
  });

  it('loads every kind when one runs others by name, or is unknown (for did-you-mean)', async () => {
    for (const kinds of [['noop', 'agent'], ['tool'], ['chain'], ['creat_file']]) {
      expect((await loadBuiltinStepKinds(kinds)).length, kinds.join()).toBe(builtinStepKindNames.length);
    }
  });
});
