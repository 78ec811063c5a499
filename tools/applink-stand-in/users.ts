// Who the stand-ins act for in the tests and the demo: the user who runs a Flow, and the user of the AppLink
// authorization the event publisher signs in with.
export const FLOW_USER = 'ada@customer.example'
export const EVENT_USER = 'events@flowcart.example'
export const AUTHORIZATION = 'flowcart_events'
