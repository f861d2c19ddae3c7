/**
 * Flushes open audit stores when the process exits. Appends are batched until the next turn of
 * the event loop; a `process.exit()` in the same turn would otherwise drop them. SQLite writes
 * are synchronous, so they can run inside the `exit` listener. One listener serves every store.
 */

/** Something with pending writes to flush at exit. */
export interface ExitFlushable {
  flushAtExit(): void;
}

const openStores = new Set<ExitFlushable>();
let listening = false;

function flushAll(): void {
  for (const store of openStores) {
    // Nothing can report an error this late; each store's flush is attempted independently.
    try {
      store.flushAtExit();
    } catch {
      /* the pending batch is lost, as it would be after a crash; the chain on disk stays valid */
    }
  }
}

/** Registers a store to be flushed at process exit. */
export function registerForExitFlush(store: ExitFlushable): void {
  openStores.add(store);
  if (!listening) {
    process.on('exit', flushAll);
    listening = true;
  }
}

/** Unregisters a store (on close); removes the listener when no store is left. */
export function unregisterForExitFlush(store: ExitFlushable): void {
  openStores.delete(store);
  if (openStores.size === 0 && listening) {
    process.off('exit', flushAll);
    listening = false;
  }
}
