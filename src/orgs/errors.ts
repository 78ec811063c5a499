// What the org registry refuses, each with the one line that says why.
import { DomainError } from '../errors.js'

/** An org Id that cannot be one (org-id.ts says what is checked). */
export class OrgIdInvalid extends DomainError {}

/** The org is in the registry already. */
export class OrgExists extends DomainError {
  constructor(readonly orgId: string) {
    super(`org ${orgId} is registered already; for a new password: npm run orgs -- rotate ${orgId}`)
  }
}

/** No org with this Id in the registry. */
export class OrgNotFound extends DomainError {
  constructor(readonly orgId: string) {
    super(`no org ${orgId} in the registry; npm run orgs -- list shows those there are.`)
  }
}

/** A name, sign-in setting or authorization the registry does not take. */
export class OrgSettingInvalid extends DomainError {}
