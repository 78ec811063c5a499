// npm run catalog:import: checks the Node version, then loads the CSV file (src/catalog-import.ts says how).
// Loaded with import() for the reason src/server.ts gives.
import '../src/check-node-version.js'

await import('../src/catalog-import.js')
