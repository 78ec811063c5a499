// A generated password: for a run without API_PASSWORD, and for each org's own login in the registry (src/orgs/).
import { randomBytes } from 'node:crypto'

/** 18 random bytes (144 bits), 24 characters of base64url's URL-safe alphabet [A-Za-z0-9_-]: never trivial. */
export const randomPassword = () => randomBytes(18).toString('base64url')
