/**
 * The wire schemas as Standard Schema v1 validators, without Effect: anything that accepts a Standard
 * Schema (Hono's `sValidator`, tRPC, form libraries) calls `~standard.validate` as this function does.
 */
import { StandardSchema } from "@effect-acs/schema"

/** Validates a request body `{"keyType": ...}`: any letter case in, the canonical key type out. */
export const parseRegenerateRequest = async (body: unknown) => {
  const result = await StandardSchema.RegenerateKeyParameters["~standard"].validate(body)
  if (result.issues !== undefined) {
    return { ok: false as const, issues: result.issues.map((issue) => issue.message) }
  }
  return { ok: true as const, keyType: result.value.keyType }
}
