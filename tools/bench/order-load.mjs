// postOrder load spread over several products: each request orders one unit of a product picked at random from
// `productIds`, so no single stock row serialises the orders (autocannon's command line sends one fixed body).
// Run as its own process with the load pinning; prints autocannon's JSON result, as `autocannon -j` does.
import autocannon from 'autocannon'

const { url, authorization, productIds, connections, seconds } = JSON.parse(process.argv[2])
const bodies = productIds.map((productId) => JSON.stringify({ items: [{ productId, quantity: 1 }] }))
const result = await autocannon({
  url,
  connections,
  duration: seconds,
  requests: [
    {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      setupRequest: (request) => ({ ...request, body: bodies[Math.floor(Math.random() * bodies.length)] }),
    },
  ],
})
process.stdout.write(JSON.stringify(result))
