/**
 * Durable fleet key rotation for Azure Communication Services: resumes after a crash, several runners on one journal.
 *
 * @since 0.1.0
 */

/**
 * Fleet key rotation that resumes after a crash, on `@effect/workflow` and `@effect/cluster` with a SQL journal.
 *
 * @since 0.1.0
 */
export * as DurableFleet from "./DurableFleet.js"
