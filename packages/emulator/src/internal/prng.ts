/**
 * A small seeded PRNG (mulberry32), so a fault sequence is the same on every platform and every run for a
 * given seed. Not for secrets: keys come from `node:crypto`.
 */

/** FNV-1a of a string, or the integer part of a number, as an unsigned 32-bit seed. */
const seedOf = (seed: number | string): number => {
  if (typeof seed === "number") return (Math.trunc(seed) >>> 0)
  let hash = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    hash ^= seed.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** A generator of uniform numbers in `[0, 1)`; each call advances the state. */
export const make = (seed: number | string): () => number => {
  let state = seedOf(seed)
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
