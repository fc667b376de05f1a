/**
 * A local, stateful Azure Resource Manager emulator for Communication Services Regenerate Key and List Keys.
 *
 * @since 0.1.0
 */

/**
 * A local, stateful Azure Resource Manager emulator for Communication Services Regenerate Key and List Keys.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * The errors of the emulator as a library: starting it and reading or changing its state.
 *
 * @since 0.1.0
 */
export * as EmulatorError from "./EmulatorError.js"

/**
 * Fault injection for reliability tests, driven by a seeded PRNG.
 *
 * @since 0.1.0
 */
export * as EmulatorFaults from "./EmulatorFaults.js"

/**
 * Resources, keys, connection strings, and the seed and state file format.
 *
 * @since 0.1.0
 */
export * as EmulatorState from "./EmulatorState.js"
