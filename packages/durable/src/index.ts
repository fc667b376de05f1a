/**
 * @since 0.1.0
 */

/**
 * Fleet key rotation that resumes after a crash, on `@effect/workflow` and `@effect/cluster` with a SQL journal.
 *
 * @since 0.1.0
 */
export * as DurableFleet from "./DurableFleet.js"
