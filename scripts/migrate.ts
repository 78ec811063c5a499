// Heroku release phase (the Procfile's release line, npm run migrate): checks the Node version, then migrates.
// Loaded with import() for the reason src/server.ts gives; the work itself lives in src/release-phase.ts, so the
// built slug keeps dist/scripts/ to this one file.
import '../src/check-node-version.js'

await import('../src/release-phase.js')
