// A diagnostic for the benchmark: flowcart with postOrder answering a fixed order without touching the database,
// so the run shows what the HTTP side of an order costs (auth, JSON, validation, serialisation) apart from storage.
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/connect.js'
import { openStore } from '../../src/store.js'

const store = await openStore(await openDatabase('sqlite::memory:'), { seedDemoData: true })
const { order } = await store.placeOrder({ items: [{ productId: 1, quantity: 1 }] })
const app = await buildApp(loadConfig(), {
  store: { ...store, placeOrder: async () => ({ order, replayed: false, stockChanges: [] }) },
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
