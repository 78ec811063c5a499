import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The Pub/Sub stand-in's CA, trusted through NODE_EXTRA_CA_CERTS in every test process (its file says why).
    globalSetup: ['test/support/trusted-pubsub-ca.ts'],
    // jsforce reads the proxy variables when it is first imported and would send loopback calls to a proxy.
    env: { http_proxy: '', https_proxy: '', HTTP_PROXY: '', HTTPS_PROXY: '' },
  },
})
