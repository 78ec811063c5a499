// Avro binary encoding of change events, as Salesforce's own clients decode them.
import avro from 'avsc'

// A real commitNumber (1709306004367179779) is past 2^53: avsc's default long refuses it, so longs are BigInts.
const BigIntLong = avro.types.LongType.__with({
  fromBuffer: (buffer: Buffer) => buffer.readBigInt64LE(),
  toBuffer: (value: bigint) => {
    const buffer = Buffer.alloc(8)
    buffer.writeBigInt64LE(BigInt(value))
    return buffer
  },
  fromJSON: (value: unknown) => BigInt(value as number),
  toJSON: (value: bigint) => Number(value),
  isValid: (value: unknown) => typeof value === 'bigint' || Number.isInteger(value),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
})

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
