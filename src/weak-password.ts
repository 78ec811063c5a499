// Says what makes a password trivial even when it is long: one character repeated, a run such as 0123456789abcdef,
// or a short piece repeated. Written here because the rules are few: a strength library (zxcvbn-ts) brings
// megabytes of dictionaries for guesses no generated password is exposed to.

/** Why the password is trivial, or undefined when it is not. */
export function weaknessOf(password: string): string | undefined {
  const characters = [...password]
  const distinct = new Set(characters).size
  if (distinct < 8) return `it uses only ${distinct} different characters`
  const codes = characters.map((character) => character.codePointAt(0) ?? 0)
  let steps = 0
  for (let index = 1; index < codes.length; index++) {
    if (Math.abs((codes[index] ?? 0) - (codes[index - 1] ?? 0)) === 1) steps++
  }
  if (steps * 2 >= codes.length - 1) return 'it is mostly runs of consecutive characters'
  for (let period = 1; period <= characters.length / 2; period++) {
    if (characters.length % period === 0 && password === password.slice(0, period).repeat(characters.length / period)) {
      return `it repeats the same ${period} characters`
    }
  }
  return undefined
}
