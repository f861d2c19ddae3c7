/** A damaged store file is reported as damaged, with a typed error, not as a bad path or as intact. */
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditStore } from '../../engine/store/index.js';
import { buildStore, tamper, temporaryFolder } from './helpers.js';

let temporary: ReturnType<typeof temporaryFolder>;
beforeEach(() => {
  temporary = temporaryFolder();
  // Enough rows for the file to span many pages.
  buildStore(temporary.file, ['alpha', 'beta'], 400);
});
afterEach(() => temporary.remove());

/** Opens and verifies; returns the error thrown, if any. */
function openAndVerify(): unknown {
  try {
    const store = AuditStore.open(temporary.file);
    try {
      store.verify();
    } finally {
      store.close();
    }
  } catch (error) {
    return error;
  }
  return undefined;
}

const damaged = expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE_DAMAGED', message: expect.stringContaining('is damaged') });

describe('a damaged store', () => {
  it('a truncated database file', () => {
    truncateSync(temporary.file, Math.floor(statSync(temporary.file).size / 2));
    expect(openAndVerify()).toEqual(damaged);
  });

  it('a file overwritten with something that is not a database', () => {
    writeFileSync(temporary.file, 'x'.repeat(8192));
    expect(openAndVerify()).toEqual(damaged);
  });

  it.each(['events', 'runs', 'payloads', 'run_index', 'store_head'])('a dropped %s table', (table) => {
    tamper(temporary.file, (database) => database.exec(`DROP TABLE ${table}`));
    expect(openAndVerify()).toEqual(expect.objectContaining({ code: 'MISSION_ERR_AUDIT_STORE_DAMAGED', message: expect.stringContaining(`the ${table} table is missing`) }));
  });

  it('a dropped column', () => {
    tamper(temporary.file, (database) => database.exec('ALTER TABLE runs DROP COLUMN owner'));
    expect(openAndVerify()).toEqual(expect.objectContaining({ message: expect.stringContaining('lacks owner') }));
  });

  it('corrupted pages in the middle of the file', () => {
    const bytes = readFileSync(temporary.file);
    bytes.fill(0xa5, 8192, 8192 + 4096 * 4);
    writeFileSync(temporary.file, bytes);
    expect(openAndVerify()).toEqual(damaged);
  });

  it('an intact store is not reported damaged', () => {
    expect(openAndVerify()).toBeUndefined();
  });
});
