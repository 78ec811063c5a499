import { Type } from 'typebox'
import { StringEnum } from './schemas.js'

export const Health = Type.Object(
  {
    status: StringEnum(['ok', 'degraded', 'unavailable'], {
      description:
        'ok: the service takes requests; degraded: it does, but a stock event has waited more than 5 minutes to ' +
        "reach Salesforce, or an org's change-event subscription is failing; unavailable: the database does not answer.",
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
    catalogSync: Type.Optional(
      Type.Object(
        {
          orgs: Type.Array(
            Type.Object({
              org: Type.String({ description: "The org's 18-character Id, or default (the SF_* org)." }),
              master: Type.Boolean({ description: "Whether this org's products are the catalog." }),
              state: StringEnum(['live', 'connecting', 'retrying', 'standby', 'stopped'], {
                description:
                  'live: a process streams its change events; connecting, retrying: a process is (re)subscribing; ' +
                  'standby: no process holds the subscription (starting, or taken over within 30 s); stopped.',
              }),
              lastError: Type.Optional(
                Type.String({
                  description: 'Stable code of the last stream error (the Pub/Sub error-code or gRPC status).',
                }),
              ),
              lastAppliedAt: Type.Optional(
                Type.String({ format: 'date-time', description: 'When a change was last applied.' }),
              ),
              delaySeconds: Type.Optional(
                Type.Number({ description: "From that change's commit in Salesforce to its application here." }),
              ),
            }),
          ),
        },
        { description: 'Present when the catalog follows Salesforce (SF_CATALOG_FROM_SALESFORCE=true).' },
      ),
    ),
  },
  { description: 'Liveness of the service and its dependencies (not part of the Flow contract).' },
)
