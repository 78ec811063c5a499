// npm run orgs: checks the Node version, then manages the org registry (src/orgs-command.ts says how).
// Loaded with import() for the reason src/server.ts gives.
import '../src/check-node-version.js'

await import('../src/orgs-command.js')
