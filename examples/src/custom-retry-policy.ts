/**
 * Two replacements for the default retry policy: one that also waits out a 409 Conflict (another
 * regeneration of the same resource, from another process, is running), and none at all.
 */
import type { AzureCredential, Errors } from "@effect-acs/core"
import { CommunicationServices, RetryPolicy } from "@effect-acs/core"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as Duration from "effect/Duration"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"

/** Retries what the default policy retries, and a 409 too: at most 5 times, `spacing` apart. */
export const retryConflicts = (spacing: Duration.DurationInput = "2 seconds"): RetryPolicy.RetryPolicy =>
  RetryPolicy.make(
    // a Schedule fed with each failure: it says whether to try again, and after how long
    Schedule.spaced(spacing).pipe(
      Schedule.intersect(Schedule.recurs(5)),
      Schedule.whileInput((error: Errors.CommunicationServicesError) =>
        error._tag === "Conflict" || RetryPolicy.isTransient(error)
      )
    ),
    // a Retry-After the service sends (429, 5xx) replaces the schedule's delay, cut to this
    { maxRetryAfter: "1 minute" }
  )

/** A client that waits out conflicts, `spacing` apart. */
export const PatientClient = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: Omit<CommunicationServices.Options, "retry"> = {},
  spacing: Duration.DurationInput = "2 seconds"
) =>
  CommunicationServices.layer({ ...options, retry: retryConflicts(spacing) }).pipe(
    Layer.provide(credential),
    Layer.provide(FetchHttpClient.layer)
  )

/** A client that never retries (`retry: RetryPolicy.none` is the same): every failure is returned at once. */
export const ImpatientClient = (
  credential: Layer.Layer<AzureCredential.AzureCredential>,
  options: Omit<CommunicationServices.Options, "retry"> = {}
) =>
  CommunicationServices.layer({ ...options, retry: false }).pipe(
    Layer.provide(credential),
    Layer.provide(FetchHttpClient.layer)
  )
