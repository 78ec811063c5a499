// Entry point (the Procfile's web line, npm start, npm run dev): checks the Node version, then starts the server.
// The server is loaded with import() rather than a static import: static imports are all loaded and linked before
// any module runs, so a Node that cannot parse a file of the service would fail before the check could speak, and
// the native addon would load beside it. Here nothing of the service is loaded until the check has passed.
import './check-node-version.js'

await import('./run-server.js')
