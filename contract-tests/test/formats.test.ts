import type { ContractError } from "@effect-acs/contract-tests"
import { Recording, Replay } from "@effect-acs/contract-tests"
import { AzureCredential, CommunicationServices } from "@effect-acs/core"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { packagePath, token, transports } from "./support.js"

type Call = "listKeys" | "Primary" | "Secondary"
type Outcome = { readonly primaryKey?: string; readonly secondaryKey?: string } | string

/**
 * A fixture of each format, written for this suite from the format's documentation, and what replaying its
 * key operations must give: the program calls the client on `resource` (names in other letter cases than
 * recorded, a real subscription id where the recording has the zero UUID), as `calls` says.
 */
interface Fixture {
  readonly file: string
  readonly format: ContractError.RecordingFormat
  readonly endpoint: string
  readonly apiVersion: string
  /** Every interaction of the file, noise included. */
  readonly total: number
  readonly resource: CommunicationServices.ResourceInput
  readonly calls: ReadonlyArray<Call>
  readonly outcomes: ReadonlyArray<Outcome>
}

// recorders mask a key as one character repeated (Azure's: 86 `x` and `==`); the fixtures use 40, so that no
// committed file holds a string of a real key's shape (the 86 are tested in secrets.test.ts, built at run time)
const mask = `${"x".repeat(40)}==`
const realSubscription = "7d3c1f52-9a0b-4e6d-8c2f-1b5a4e3d2c10"
const arm = "https://management.azure.com"

const fixtures: ReadonlyArray<Fixture> = [
  {
    // set-up, creation polling, delete and its polling around the key operations; lower-case paths and
    // actions; a whitespace-different body recorded as a string; one-key regenerate answers
    file: "testproxy.js-sdk.json",
    format: "TestProxy",
    endpoint: arm,
    apiVersion: "2023-04-01",
    total: 10,
    resource: {
      subscriptionId: realSubscription,
      resourceGroupName: "Contract-RG",
      communicationServiceName: "Contoso-ACS"
    },
    calls: ["listKeys", "Secondary", "Primary"],
    outcomes: [
      { primaryKey: "fake-primary-1", secondaryKey: "fake-secondary-1" },
      { secondaryKey: "fake-secondary-2" },
      { primaryKey: "fake-primary-2" }
    ]
  },
  {
    // .NET SessionRecords: header lists, a `\r\n` string body, `CommunicationServices` capitalised, keys
    // masked as repeated `x` and `==`
    file: "testproxy.dotnet-sessionrecords.json",
    format: "TestProxy",
    endpoint: arm,
    apiVersion: "2023-03-31",
    total: 3,
    resource: {
      subscriptionId: realSubscription,
      resourceGroupName: "CONTRACT-RG",
      communicationServiceName: "contoso-acs"
    },
    calls: ["Primary", "listKeys"],
    outcomes: [{ primaryKey: mask }, { primaryKey: mask, secondaryKey: mask }]
  },
  {
    // the Azure CLI: group create, communication create and its polling, delete and its polling; python's
    // `json.dumps` spacing; lower-case path segments; repeated `x` masks
    file: "vcr.azure-cli.yaml",
    format: "Vcr",
    endpoint: arm,
    apiVersion: "2023-04-01",
    total: 8,
    resource: {
      subscriptionId: realSubscription,
      resourceGroupName: "CliTest.RG000001",
      communicationServiceName: "ACS000002"
    },
    calls: ["listKeys", "Primary", "Secondary"],
    outcomes: [{ primaryKey: mask, secondaryKey: mask }, { primaryKey: mask }, { secondaryKey: mask }]
  },
  {
    // azure-sdk-for-python (msrest): flow-style YAML, a `!!binary` body, `REDACTED`, and a 409 error body
    file: "vcr.python-sdk.yaml",
    format: "Vcr",
    endpoint: arm,
    apiVersion: "2020-08-20",
    total: 4,
    resource: {
      subscriptionId: realSubscription,
      resourceGroupName: "PythonSdkTest_Communication",
      communicationServiceName: "pysdk-acs"
    },
    calls: ["listKeys", "Secondary", "Primary"],
    outcomes: [{ primaryKey: "REDACTED", secondaryKey: "REDACTED" }, { secondaryKey: "REDACTED" }, "Conflict"]
  },
  {
    // Azure PowerShell `*.Recording.json`: keyed entries, `ContentHeaders`, a base64 request and a base64
    // response (`isContentBase64`), `[Filtered]` authorization, `**` masks, a lower-case path
    file: "powershell.Test-AzCommunicationServiceKey.Recording.json",
    format: "PowerShell",
    endpoint: arm,
    apiVersion: "2023-04-01",
    total: 3,
    resource: {
      subscriptionId: realSubscription,
      resourceGroupName: "PS-Contract-RG",
      communicationServiceName: "PS-ACS"
    },
    calls: ["Secondary", "listKeys"],
    outcomes: [{ secondaryKey: "fake-ps-secondary-2" }, { primaryKey: "**", secondaryKey: "fake-ps-secondary-2" }]
  },
  {
    // the older HttpRecorder: relative `RequestUri`s, `EncodedRequestUri`, `Names`, `\r\n` bodies, an empty
    // `RequestBody` for listKeys, resource group set-up and delete
    file: "powershell.SessionRecords.TestCommunicationServiceKeys.json",
    format: "PowerShell",
    endpoint: arm,
    apiVersion: "2020-08-20",
    total: 4,
    resource: { subscriptionId: realSubscription, resourceGroupName: "PS1234", communicationServiceName: "PS5678" },
    calls: ["listKeys", "Primary"],
    outcomes: [{ primaryKey: "Sanitized", secondaryKey: "Sanitized" }, { primaryKey: "Sanitized" }]
  },
  {
    // a browser's HAR of the portal: portal and telemetry noise, a blocked entry, a `/batch`, HTTP/2
    // pseudo-headers, a base64 `content.encoding`, a spaced JSON body, the real subscription id kept
    file: "har.portal.har",
    format: "Har",
    endpoint: arm,
    apiVersion: "2025-05-01",
    total: 5,
    resource: {
      subscriptionId: "3C9F1E2D-4B5A-4C6D-8E7F-9A0B1C2D3E4F",
      resourceGroupName: "Portal-RG",
      communicationServiceName: "Portal-ACS"
    },
    calls: ["listKeys", "Secondary"],
    outcomes: [{ primaryKey: "Sanitized", secondaryKey: "Sanitized" }, { secondaryKey: "fake-portal-secondary-2" }]
  }
]

const documented = {
  subscriptionId: "11112222-3333-4444-5555-666677778888",
  resourceGroupName: "myresourcegroup",
  communicationServiceName: "MyCommunicationResource"
} as const

const documentedFixtures: ReadonlyArray<Fixture> = [
  {
    file: "../documented/2023-04-01/regenerateKey.json",
    format: "DocumentedExample",
    endpoint: arm,
    apiVersion: "2023-04-01",
    total: 1,
    resource: documented,
    calls: ["Primary"],
    outcomes: [{ primaryKey: "1234" }]
  },
  {
    file: "../documented/2023-04-01/listKeys.json",
    format: "DocumentedExample",
    endpoint: arm,
    apiVersion: "2023-04-01",
    total: 1,
    resource: documented,
    calls: ["listKeys"],
    outcomes: [{ primaryKey: "<primaryKey>", secondaryKey: "<secondaryKey>" }]
  }
]

const reveal = (keys: {
  readonly primaryKey?: Redacted.Redacted<string> | undefined
  readonly secondaryKey?: Redacted.Redacted<string> | undefined
}): Outcome => ({
  ...(keys.primaryKey === undefined ? {} : { primaryKey: Redacted.value(keys.primaryKey) }),
  ...(keys.secondaryKey === undefined ? {} : { secondaryKey: Redacted.value(keys.secondaryKey) })
})

/** The program under test: the calls, in order, each outcome the keys returned or the error's tag. */
const program = (fixture: Fixture) =>
  Effect.forEach(
    fixture.calls,
    (call): Effect.Effect<Outcome, never, CommunicationServices.CommunicationServices> =>
      Effect.catchAll(
        call === "listKeys"
          ? Effect.map(CommunicationServices.listKeys(fixture.resource), reveal)
          : Effect.map(CommunicationServices.regenerateKey({ ...fixture.resource, keyType: call }), reveal),
        (error) => Effect.succeed(error._tag)
      )
  )

const load = (fixture: Fixture) =>
  Recording.load(packagePath(`fixtures/formats/${fixture.file}`)).pipe(Effect.provide(NodeFileSystem.layer))

const clientFor = (recording: Recording.Recording, transport: (typeof transports)[number]) =>
  CommunicationServices.layer({ endpoint: recording.endpoint, apiVersion: recording.apiVersion, retry: false }).pipe(
    Layer.provide(AzureCredential.static(token)),
    Layer.provide(transport.layer)
  )

describe("Recording.load detects each format", () => {
  for (const fixture of [...fixtures, ...documentedFixtures]) {
    it.effect(`${fixture.file}: ${fixture.format}, its endpoint and api-version, its key operations in order`, () =>
      Effect.gen(function*() {
        const recording = yield* load(fixture)
        assert.strictEqual(recording.format, fixture.format)
        assert.strictEqual(recording.endpoint, fixture.endpoint)
        assert.strictEqual(recording.apiVersion, fixture.apiVersion)
        assert.strictEqual(recording.interactions.length, fixture.total)
        const keyOperations = Recording.keyOperations(recording)
        assert.deepStrictEqual(
          keyOperations.map((interaction) => Recording.operation(interaction)),
          fixture.calls.map((call) => call === "listKeys" ? "listKeys" : "regenerateKey")
        )
        assert.deepStrictEqual(
          keyOperations.map((i) => i.request.body?._tag === "Json" ? i.request.body.value : i.request.body),
          fixture.calls.map((call) => call === "listKeys" ? undefined : { keyType: call })
        )
      }))
  }
})

for (const transport of transports) {
  describe(`replaying each format with matching: "arm" over ${transport.name}`, () => {
    for (const fixture of [...fixtures, ...documentedFixtures]) {
      it.effect(`${fixture.file}: the key operations, at the recording's endpoint and api-version`, () =>
        Effect.gen(function*() {
          const recording = yield* load(fixture)
          const { outcomes, received } = yield* Effect.gen(function*() {
            const outcomes = yield* program(fixture)
            return { outcomes, received: yield* Effect.flatMap(Replay.Replay, (replay) => replay.received) }
          }).pipe(
            Replay.replay(Recording.keyOperations(recording), { matching: "arm", conformance: "fail" }),
            Effect.provide(clientFor(recording, transport))
          )
          assert.deepStrictEqual(outcomes, fixture.outcomes)
          assert.deepStrictEqual(received.map((r) => r.interaction), fixture.calls.map((_, i) => i))
        }))
    }
  })
}

describe("strict matching", () => {
  it.effect("still rejects what only ARM matching accepts: a lower-case path, a placeholder subscription", () =>
    Effect.gen(function*() {
      const fixture = fixtures[2]!
      const recording = yield* load(fixture)
      const error = yield* program(fixture).pipe(
        Replay.replay(Recording.keyOperations(recording)),
        Effect.provide(clientFor(recording, transports[0]!)),
        Effect.flip
      )
      assert.strictEqual(error._tag, "RequestMismatch")
      if (error._tag === "RequestMismatch") {
        assert.include(error.diff, "path:")
        assert.include(error.diff, "/resourcegroups/clitest.rg000001/providers/microsoft.communication/")
        assert.include(error.diff, `/subscriptions/${realSubscription}/resourceGroups/CliTest.RG000001/`)
      }
    }))
})
