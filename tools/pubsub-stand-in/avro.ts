// Avro binary encoding of change events, as Salesforce's own clients decode them.
import avro from 'avsc'
// The same BigInt longs as flowcart's own decoding: what one writes, the other reads.
import { BigIntLong } from '../../src/pubsub/avro-long.js'

const types = new Map<string, avro.Type>()

/**
 * Unions are wrapped (`{ "string": "x" }`), as avro-js and the Java samples write them (pozil's client README,
 * publish example), so a value reads the same in either library.
 */
export function avroType(schemaJson: string): avro.Type {
  let type = types.get(schemaJson)
  if (!type) {
    type = avro.Type.forSchema(JSON.parse(schemaJson), { wrapUnions: true, registry: { long: BigIntLong } })
    types.set(schemaJson, type)
  }
  return type
}
