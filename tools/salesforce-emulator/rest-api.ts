// The REST API under /services/data: the gate in front, then the resources the service uses.
import type { FastifyInstance } from 'fastify'
import { installApiGate } from './api-gate.js'
import { registerCollections } from './collections.js'
import type { OrgState } from './org-state.js'
import { registerQuery } from './query.js'
import { registerSObjects } from './sobjects.js'

export const REST_PREFIX = '/services/data'

// Not wrapped in fastify-plugin on purpose: the gate's hooks and handlers must stay inside this prefix.
export function restApi(state: OrgState) {
  return async (app: FastifyInstance) => {
    installApiGate(app, state)
    registerQuery(app, state)
    registerSObjects(app, state)
    registerCollections(app, state)
  }
}
