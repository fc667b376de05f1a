import * as ErrorResponse from "@effect-acs/schema/ErrorResponse"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as EmulatorState from "../EmulatorState.js"

/** An ARM error answer: a status and an ARM error body, plus headers (WWW-Authenticate, Retry-After, Allow). */
export class ArmError extends Data.TaggedError("ArmError")<{
  readonly status: number
  readonly code: string
  readonly message: string
  readonly target?: string
  readonly headers?: Record<string, string>
}> {}

const encodeErrorResponse = Schema.encode(ErrorResponse.ErrorResponse)

/** The response for an error: ARM's body shape, `{"error": {code, message, target}}`. */
export const render = (error: ArmError) =>
  encodeErrorResponse(
    new ErrorResponse.ErrorResponse({
      error: new ErrorResponse.ErrorDetail({
        code: error.code,
        message: error.message,
        ...(error.target === undefined ? {} : { target: error.target })
      })
    })
  ).pipe(
    Effect.map((body) => HttpServerResponse.unsafeJson(body, { status: error.status, headers: error.headers ?? {} })),
    Effect.orDie
  )

const wwwAuthenticate = (description: string) => ({
  "www-authenticate": `Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", ` +
    `error_description="${description}"`
})

const scopeOf = (ref: EmulatorState.ResourceRef) =>
  `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroupName}` +
  `/providers/Microsoft.Communication/communicationServices/${ref.communicationServiceName}`

// ---------------------------------------------------------------------------------------------------------------
// the answers, in the order the checks run
// ---------------------------------------------------------------------------------------------------------------

export const tooLarge = (maxBytes: number) =>
  new ArmError({
    status: 413,
    code: "RequestEntityTooLarge",
    message: `The request content is larger than the limit of ${maxBytes} bytes.`
  })

export const routeNotFound = new ArmError({
  status: 404,
  code: "NotFound",
  message: "The requested path does not match an operation of Microsoft.Communication/communicationServices."
})

export const methodNotAllowed = (method: string) =>
  new ArmError({
    status: 405,
    code: "MethodNotAllowed",
    message: `The requested resource does not support http method '${method}'.`,
    headers: { allow: "POST" }
  })

export const missingAuthorization = new ArmError({
  status: 401,
  code: "AuthenticationFailed",
  message: "Authentication failed. The 'Authorization' header is missing.",
  headers: wwwAuthenticate("The authentication failed because of missing 'Authorization' header.")
})

export const malformedAuthorization = new ArmError({
  status: 401,
  code: "AuthenticationFailed",
  message: "Authentication failed. The 'Authorization' header is provided in an invalid format.",
  headers: wwwAuthenticate("The authentication failed because of an invalid 'Authorization' header.")
})

export const invalidToken = new ArmError({
  status: 401,
  code: "InvalidAuthenticationToken",
  message: "The access token is invalid.",
  headers: wwwAuthenticate("The access token is invalid.")
})

export const missingApiVersion = new ArmError({
  status: 400,
  code: "MissingApiVersionParameter",
  message: "The api-version query parameter (?api-version=) is required for all requests."
})

export const invalidApiVersion = (shown: string, supported: string) =>
  new ArmError({
    status: 400,
    code: "InvalidApiVersionParameter",
    message: `The api-version '${shown}' is invalid. The supported versions are '${supported}'.`,
    target: "api-version"
  })

export const invalidParameter = (name: string, message: string) =>
  new ArmError({ status: 400, code: "InvalidParameter", message, target: name })

export const subscriptionNotFound = (subscriptionId: string) =>
  new ArmError({
    status: 404,
    code: "SubscriptionNotFound",
    message: `The subscription '${subscriptionId}' could not be found.`
  })

export const tooManyRequests = (subscriptionId: string, retryAfterSeconds: number) =>
  new ArmError({
    status: 429,
    code: "TooManyRequests",
    message: `Number of 'write' requests for subscription '${subscriptionId}' exceeded. ` +
      `Please try again after '${retryAfterSeconds}' seconds after additional tokens are available.`,
    headers: { "retry-after": String(retryAfterSeconds) }
  })

export const authorizationFailed = (operation: string, ref: EmulatorState.ResourceRef) =>
  new ArmError({
    status: 403,
    code: "AuthorizationFailed",
    message: "The client does not have authorization to perform action " +
      `'Microsoft.Communication/communicationServices/${operation}/action' over scope '${scopeOf(ref)}' ` +
      "or the scope is invalid. If access was recently granted, please refresh your credentials."
  })

export const resourceGroupNotFound = (resourceGroupName: string) =>
  new ArmError({
    status: 404,
    code: "ResourceGroupNotFound",
    message: `Resource group '${resourceGroupName}' could not be found.`
  })

export const resourceNotFound = (ref: EmulatorState.ResourceRef) =>
  new ArmError({
    status: 404,
    code: "ResourceNotFound",
    message: `The Resource 'Microsoft.Communication/communicationServices/${ref.communicationServiceName}' ` +
      `under resource group '${ref.resourceGroupName}' was not found. ` +
      "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
  })

export const invalidContent = (message: string, target?: string) =>
  new ArmError({ status: 400, code: "InvalidRequestContent", message, ...(target === undefined ? {} : { target }) })

export const conflict = (name: string) =>
  new ArmError({
    status: 409,
    code: "Conflict",
    message: `A key regeneration is already in progress for communication service '${name}'. ` +
      "The primary and secondary key cannot be regenerated at the same time."
  })

export const internalError = new ArmError({
  status: 500,
  code: "InternalServerError",
  message: "The server encountered an internal error. Please retry the request."
})

export const unavailable = new ArmError({
  status: 503,
  code: "ServiceUnavailable",
  message: "The service is temporarily unavailable. Please retry the request."
})

export const saveFailed = new ArmError({
  status: 500,
  code: "InternalServerError",
  message: "The server encountered an internal error while saving the keys. Please retry the request."
})

/** The data plane's refusal of a request it cannot authenticate (the service says no more than this). */
export const denied = new ArmError({
  status: 401,
  code: "Denied",
  message: "Denied by the resource provider."
})
