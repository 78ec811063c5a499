import { Type } from '@sinclair/typebox'
import { StringEnum } from './common.js'

export const Health = Type.Object(
  {
    status: StringEnum(['ok', 'unavailable'], { description: 'ok when the service can take requests.' }),
    database: StringEnum(['ok', 'unreachable'], { description: 'Whether the database answered.' }),
  },
  { description: 'Liveness of the service and its dependencies (not part of the Flow contract).' },
)
