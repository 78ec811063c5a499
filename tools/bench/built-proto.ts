// The compiled server reads the Pub/Sub API's proto from the path its own module names (PROTO_PATH, next to dist/ once
// built). When the build has not put it there, `node dist/src/server.js` with SF_CATALOG_FROM_SALESFORCE=true exits at
// start (ENOENT); the catalog rows then copy proto/pubsub_api.proto there for their run only, remove it after, and say
// so in their report, so that they measure the build as it will run once it carries the file.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface BuiltProto {
  /** A sentence for the report when the build lacked the file; undefined when it had it. */
  note: string | undefined
  /** Removes the copy (nothing when none was made). */
  remove(): void
}

export async function ensureBuiltProto(): Promise<BuiltProto> {
  const built = pathToFileURL(resolve('dist/src/pubsub/pubsub-client.js')).href
  const { PROTO_PATH } = (await import(built)) as { PROTO_PATH: string }
  if (existsSync(PROTO_PATH)) return { note: undefined, remove: () => {} }
  const createdDirectory = !existsSync(dirname(PROTO_PATH))
  mkdirSync(dirname(PROTO_PATH), { recursive: true })
  copyFileSync(resolve('proto/pubsub_api.proto'), PROTO_PATH)
  return {
    note:
      `The build has no ${PROTO_PATH.replace(`${resolve('.')}/`, '')}, so \`node dist/src/server.js\` with ` +
      'SF_CATALOG_FROM_SALESFORCE=true exits at start (ENOENT); this run copied proto/pubsub_api.proto there for ' +
      'its duration.',
    remove: () => rmSync(createdDirectory ? dirname(PROTO_PATH) : PROTO_PATH, { recursive: true, force: true }),
  }
}
