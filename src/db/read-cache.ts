// Answers repeated reads from memory until the database may have changed.

const MAX_ENTRIES = 100

/**
 * `version` must change whenever the data may have changed. It is read before the database is, and an answer is
 * kept under that version: a change that lands while the read is in flight makes it stale at once, never fresh.
 */
export function readCache<T>(version: () => string) {
  let cachedVersion = ''
  const answers = new Map<string, T>()
  return async (key: string, read: () => Promise<T>): Promise<T> => {
    const current = version()
    if (current !== cachedVersion) {
      answers.clear()
      cachedVersion = current
    }
    const cached = answers.get(key)
    if (cached !== undefined) return cached
    const answer = await read()
    if (cachedVersion === current && answers.size < MAX_ENTRIES) answers.set(key, answer)
    return answer
  }
}
