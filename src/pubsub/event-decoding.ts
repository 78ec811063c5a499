// Change events as Avro binary, each decoded with the schema its own schema id names, fetched once per id
// ("Always decode with the schema matching the event's schema_id": a field added in Salesforce makes a new schema,
// Pub/Sub API guide, event-deserialization-considerations.html).
import avro from 'avsc'
import { BigIntLong } from './avro-long.js'

export interface EventSchema {
  /** Every field's name in schema order, ChangeEventHeader first: a bitmap's bit i is the field at position i. */
  fieldNames: string[]
  decode(payload: Buffer): Record<string, unknown>
}

export function eventSchemaOf(schemaJson: string): EventSchema {
  const parsed = JSON.parse(schemaJson) as { fields: { name: string }[] }
  // Unwrapped unions: a field reads as its value or null, as the record's fields are all ["null", T].
  const type = avro.Type.forSchema(parsed as avro.Schema, { registry: { long: BigIntLong } })
  return {
    fieldNames: parsed.fields.map((field) => field.name),
    decode: (payload) => type.fromBuffer(payload) as Record<string, unknown>,
  }
}

/** Schemas by id, each fetched once (concurrent asks share one fetch; a failed fetch is tried again next time). */
export function schemaCache(fetchSchema: (schemaId: string) => Promise<string>) {
  const schemas = new Map<string, Promise<EventSchema>>()
  return (schemaId: string): Promise<EventSchema> => {
    let schema = schemas.get(schemaId)
    if (!schema) {
      schema = fetchSchema(schemaId).then(eventSchemaOf)
      schema.catch(() => schemas.delete(schemaId))
      schemas.set(schemaId, schema)
    }
    return schema
  }
}
