// What the admin figures need from the publishing side, per org: how flowcart publishes to it, what waits to be
// published, and the state of its token. The publishing code implements this port; the admin surface only reads it.

export type PublishPath = 'jwt' | 'applink' | 'none' // how flowcart publishes to the org; 'none' = it gets no events
export type TokenState = 'valid' | 'not-requested' | 'refused' | 'failing' | 'none'
/** The org's change-event subscription, when the catalog follows Salesforce (src/catalog-sync/). */
export interface CatalogChanges {
  state: 'live' | 'connecting' | 'retrying' | 'standby' | 'stopped'
  lastAppliedAt: string | null
  delaySeconds: number | null
}
export interface OrgSyncFigures {
  publishesVia: PublishPath
  eventsPending: number
  oldestPendingSeconds: number | null
  token: TokenState
  /** Absent (or null) while the catalog does not follow Salesforce. */
  catalogChanges?: CatalogChanges | null
}
export interface SyncFigures {
  forOrg(orgKey: string): Promise<OrgSyncFigures>
}

/** What every org shows when no publishing side answers: it gets no events, and nothing waits. */
export const NO_SYNC_FIGURES: OrgSyncFigures = {
  publishesVia: 'none',
  eventsPending: 0,
  oldestPendingSeconds: null,
  token: 'none',
}
