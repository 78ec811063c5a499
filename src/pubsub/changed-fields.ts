// The changedFields, nulledFields and diffFields bitmaps of a change event, as field names.
//
// "A bitmap field is an array of strings. The first element of the array contains a bitmap for the individual
// non-compound fields … a bit set to 1 indicates that the field at the corresponding position in the Avro schema was
// changed"; compound fields come as "<position>-0x<bits>" against the compound field's own record (Pub/Sub API guide,
// event-deserialization-considerations.html). Bit i counts from the least significant bit; field 0 is
// ChangeEventHeader. BigInt reads hex of either case (one public client reads upper case only).

function bitsToNames(hex: string, names: readonly string[], prefix = ''): string[] {
  const bits = BigInt(`0x${hex}`)
  const found: string[] = []
  for (let i = 0; i < names.length; i++) {
    if ((bits >> BigInt(i)) & 1n) found.push(`${prefix}${names[i]}`)
  }
  return found
}

/**
 * `schemaFields` are the top-level field names in schema order; `childFields(position)` the field names of the
 * compound field at that position (empty when unknown). Elements that are not bitmaps are kept as they are.
 */
export function fieldsOfBitmap(
  bitmap: readonly string[],
  schemaFields: readonly string[],
  childFields: (position: number) => readonly string[] = () => [],
): string[] {
  const names: string[] = []
  for (const element of bitmap) {
    const top = /^0x([0-9a-fA-F]+)$/.exec(element)
    const nested = /^(\d+)-0x([0-9a-fA-F]+)$/.exec(element)
    if (top?.[1]) names.push(...bitsToNames(top[1], schemaFields))
    else if (nested?.[1] && nested[2]) {
      const position = Number(nested[1])
      names.push(...bitsToNames(nested[2], childFields(position), `${schemaFields[position] ?? position}.`))
    } else names.push(element)
  }
  return names
}
