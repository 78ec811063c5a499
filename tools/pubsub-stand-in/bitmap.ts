// The changedFields, nulledFields and diffFields bitmaps of a change event.
//
// "A bitmap field is an array of strings. The first element of the array contains a bitmap for the individual
// non-compound fields … a bit set to 1 indicates that the field at the corresponding position in the Avro schema was
// changed" (Pub/Sub API guide, event-deserialization-considerations.html). Bit i counts from the least significant
// bit, and field 0 is ChangeEventHeader. Salesforce's examples (`0x650004E0`) are upper-case hex with an even number
// of digits; pozil's client decodes upper case only, so lower case would make it see no field.
// Compound fields (`"<position>-0x<bits>"`) are not emitted: neither topic has one.

export function toBitmap(allFields: readonly string[], names: readonly string[]): string[] {
  let bits = 0n
  for (const name of names) {
    const position = allFields.indexOf(name)
    if (position > 0) bits |= 1n << BigInt(position)
  }
  if (bits === 0n) return []
  const hex = bits.toString(16).toUpperCase()
  return [`0x${hex.length % 2 === 0 ? hex : `0${hex}`}`]
}
