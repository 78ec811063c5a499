// The shape of GET /admin/orgs. Not part of either contract document (the route is hidden from them), so no $id: it
// is no shared schema. As every response schema, it also filters what is serialised.
import { type TSchema, Type } from 'typebox'
import { StringEnum } from '../string-enum.js'

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()])
const Time = (description: string) => Nullable(Type.String({ format: 'date-time', description }))

const Revenue = Type.Object({
  currencyCode: Type.String({ description: 'ISO 4217 currency.' }),
  amount: Type.Number({ description: 'Total of the orders in this currency, in its units (12.5 is 12.50).' }),
})

const Period = Type.Object({
  orders: Type.Integer({ minimum: 0, description: 'Orders placed.' }),
  revenue: Type.Array(Revenue, { description: 'Their total per currency; a currency without orders is left out.' }),
})

export const AdminOrg = Type.Object({
  orgKey: Type.String({ description: "The org's 18-character Id, or default for the single-org configuration." }),
  orgId: Nullable(Type.String({ description: "The org's 18-character Id; null for the default org." })),
  name: Type.String(),
  status: StringEnum(['active', 'disabled']),
  lastCallAt: Time('When the org last called the API (recorded to the minute); null: not since it was registered.'),
  today: Period,
  last30Days: Period,
  eventsPending: Type.Integer({ minimum: 0, description: 'Stock changes waiting to be published to the org.' }),
  oldestPendingSeconds: Nullable(Type.Number({ minimum: 0, description: 'Age of the oldest of them, in seconds.' })),
  lastPublishedAt: Time('The latest publish call to the org that succeeded.'),
  lastErrorCode: Nullable(
    Type.String({ description: 'Code of the latest call, when it failed after the last success.' }),
  ),
  token: StringEnum(['valid', 'not-requested', 'refused', 'failing', 'none'], {
    description: "State of flowcart's token for the org, on the dyno that answers.",
  }),
  publishesVia: StringEnum(['jwt', 'applink', 'none'], {
    description: 'How flowcart publishes to the org; none: the org gets no events.',
  }),
  catalogChanges: Nullable(
    Type.Object(
      {
        state: StringEnum(['live', 'connecting', 'retrying', 'standby', 'stopped'], {
          description: "The org's change-event subscription, as the process holding it reported it.",
        }),
        lastAppliedAt: Time('When a change of the org was last applied.'),
        delaySeconds: Nullable(Type.Number({ minimum: 0, description: 'From its commit in Salesforce to here.' })),
      },
      { description: 'null while the catalog does not follow Salesforce.' },
    ),
  ),
})

export const AdminOrgs = Type.Array(AdminOrg)
