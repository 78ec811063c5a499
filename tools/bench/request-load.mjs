// A worker thread's load: a health check and an order every `everyMs` against the server, timed on this thread's
// own clock, so that a server holding its event loop shows in the answers' latency, as it would to any client.
import { parentPort, workerData } from 'node:worker_threads'

const { url, authorization, products, everyMs } = workerData
const newPhase = () => ({ healthz: [], orders: [], failures: 0 })
const phases = [newPhase()]
const inFlight = new Set()

async function timed(phase, list, request) {
  const started = performance.now()
  try {
    const response = await request()
    await response.arrayBuffer()
    if (!response.ok) phase.failures += 1
  } catch {
    phase.failures += 1
  }
  list.push(performance.now() - started)
}

const ticker = setInterval(() => {
  // Counted in the phase it started in.
  const phase = phases.at(-1)
  const productId = 1 + Math.floor(Math.random() * products)
  const order = () =>
    fetch(`${url}/orders`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
      signal: AbortSignal.timeout(120_000),
    })
  const health = () => fetch(`${url}/healthz`, { signal: AbortSignal.timeout(120_000) })
  for (const request of [timed(phase, phase.healthz, health), timed(phase, phase.orders, order)]) {
    inFlight.add(request)
    void request.finally(() => inFlight.delete(request))
  }
}, everyMs)

parentPort.on('message', async (message) => {
  if (message === 'next phase') phases.push(newPhase())
  if (message !== 'stop') return
  clearInterval(ticker)
  await Promise.all(inFlight)
  parentPort.postMessage(phases)
  parentPort.close()
})
