import { Type } from '@sinclair/typebox'
import { StringEnum } from './common.js'

export const Health = Type.Object(
  {
    status: StringEnum(['ok', 'unavailable'], { description: 'ok when the service can take requests.' }),
    database: StringEnum(['ok', 'unreachable'], { description: 'Whether the database answered.' }),
    salesforce: Type.Object({
      configured: Type.Boolean({ description: 'false: no SF_* variables, so stock sync and events are off.' }),
      pendingEvents: Type.Integer({ description: 'Stock events waiting to be published.' }),
      lastPublishedAt: Type.Optional(Type.String({ format: 'date-time' })),
      lastError: Type.Optional(Type.String({ description: 'The last publish failure, without secrets.' })),
    }),
  },
  { description: 'Liveness of the service and its dependencies (not part of the Flow contract).' },
)
