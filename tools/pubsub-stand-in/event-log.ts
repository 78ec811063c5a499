// One org's events on one topic, in replay-id order, kept until expired: the stand-in's event bus.
import { randomInt } from 'node:crypto'

export interface StoredEvent {
  replayId: bigint
  /** The event's UUID: "the event id field contains the event UUID value" (Platform Events guide, event_uuid). */
  id: string
  schemaId: string
  payload: Buffer
}

// Replay ids are opaque bytes (Pub/Sub API guide, event-message-durability.html). They are served here as 8-byte
// big-endian integers, the form pozil's client writes back (subscribeFromReplayId); a real id may be longer.
const REPLAY_ID_BYTES = 8

export function encodeReplayId(replayId: bigint): Buffer {
  const buffer = Buffer.alloc(REPLAY_ID_BYTES)
  buffer.writeBigUInt64BE(replayId)
  return buffer
}

export function decodeReplayId(bytes: Buffer | Uint8Array | undefined): bigint | undefined {
  if (!bytes || bytes.length !== REPLAY_ID_BYTES) return undefined
  return Buffer.from(bytes).readBigUInt64BE()
}

export class EventLog {
  private events: StoredEvent[] = []
  private readonly listeners = new Set<() => void>()
  /** The latest replay id handed out; before any event, the position a LATEST subscriber starts from. */
  private tip = 1_000n

  get latest(): bigint {
    return this.tip
  }

  /** The position before the oldest retained event: where EARLIEST starts. */
  get earliest(): bigint {
    const [first] = this.events
    return first ? first.replayId - 1n : this.tip
  }

  append(event: Omit<StoredEvent, 'replayId'>): StoredEvent {
    // "Replay IDs … aren't guaranteed to be contiguous" (event-message-durability.html): steps of 1 to 3, so that a
    // client that computes ids instead of storing them is caught.
    this.tip += BigInt(randomInt(1, 4))
    const stored = { ...event, replayId: this.tip }
    this.events.push(stored)
    for (const listener of this.listeners) listener()
    return stored
  }

  /** Up to `limit` events after `position`, oldest first. */
  after(position: bigint, limit: number): StoredEvent[] {
    const start = this.events.findIndex((event) => event.replayId > position)
    return start < 0 ? [] : this.events.slice(start, start + limit)
  }

  /** A CUSTOM replay may start after a retained event, or after the latest id (what keepalives report). */
  isKnownPosition(replayId: bigint): boolean {
    return replayId === this.tip || this.events.some((event) => event.replayId === replayId)
  }

  /** Forgets the events before `replayId` (all of them when absent), as the 72-hour retention does; returns how many. */
  expireBefore(replayId?: bigint): number {
    const kept = replayId === undefined ? [] : this.events.filter((event) => event.replayId >= replayId)
    const expired = this.events.length - kept.length
    this.events = kept
    return expired
  }

  all(): StoredEvent[] {
    return [...this.events]
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
