import { Type } from 'typebox'
import { StringEnum } from './schemas.js'

export const Health = Type.Object(
  {
    status: StringEnum(['ok', 'degraded', 'unavailable'], {
      description:
        'ok: the service takes requests; degraded: it does, but a stock event has waited more than 5 minutes to ' +
        'reach Salesforce; unavailable: the database does not answer.',
    }),
    database: StringEnum(['ok', 'unreachable'], { description: 'Whether the database answered.' }),
    salesforce: Type.Object({
      configured: Type.Boolean({ description: 'false: no SF_* variables, so stock sync and events are off.' }),
      pendingEvents: Type.Integer({
        description: 'Stock events waiting to be published, counted up to 10000 (a larger backlog shows 10000).',
      }),
      oldestPendingSeconds: Type.Optional(Type.Integer({ description: 'How long the oldest of them has waited.' })),
      lastPublishedAt: Type.Optional(Type.String({ format: 'date-time' })),
      lastError: Type.Optional(
        Type.String({
          description: 'Stable code of the last publish failure, e.g. SALESFORCE_AUTH; details are in the log.',
        }),
      ),
    }),
  },
  { description: 'Liveness of the service and its dependencies (not part of the Flow contract).' },
)
