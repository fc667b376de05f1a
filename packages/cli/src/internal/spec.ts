/**
 * What the command line is made of, as data: every command (name, az-style aliases, description, examples)
 * and every option (name, aliases, value, description, default). The `@effect/cli` definitions
 * (`options.ts`), the help, the check for unknown options and docs/cli.md's tables are all read from here:
 * a new option is one entry below and one field in `options.ts`.
 *
 * This module imports nothing but the schema's dependency-free `Operation` facts, so `--help`, `--version` and
 * a mistyped option are answered without loading the rest of the command.
 */
import * as Operation from "@effect-acs/schema/Operation"

/** One option of a command. */
export interface Flag {
  /** The long name, without `--`. */
  readonly name: string
  /** Other names: one letter (`-g`) or a word (`--ids`). */
  readonly aliases?: ReadonlyArray<string>
  /** What its value is, e.g. `<id>`; a switch (no value) when absent. */
  readonly value?: string
  readonly description: string
  /** What applies when the option is not given. */
  readonly default: string
  /** Whether it may be given more than once. */
  readonly repeated?: boolean
  /** The values it accepts, when they are a fixed set (checked before anything else). */
  readonly choices?: ReadonlyArray<string>
}

const flag = (spec: Flag): Flag => spec

// ---------------------------------------------------------------------------------------------------------------
// shared options
// ---------------------------------------------------------------------------------------------------------------

export const tokenVariable = "ACS_KEYS_TOKEN"

export const formats = ["json", "jsonc", "table", "tsv", "yaml", "none"] as const
export type Format = (typeof formats)[number]

export const resource = {
  resourceId: flag({
    name: "resource-id",
    aliases: ["ids"],
    value: "<id>",
    description: "The ARM resource id: /subscriptions/{id}/resourceGroups/{group}/providers/" +
      "Microsoft.Communication/communicationServices/{name} (--ids, as in az).",
    default: "none: name the resource with --subscription, --resource-group and --name instead"
  }),
  subscription: flag({
    name: "subscription",
    aliases: ["s"],
    value: "<id>",
    description: "The subscription id of the communication service (with --resource-group and --name).",
    default: "none"
  }),
  resourceGroup: flag({
    name: "resource-group",
    aliases: ["g"],
    value: "<name>",
    description: "The resource group of the communication service (with --subscription and --name).",
    default: "none"
  }),
  name: flag({
    name: "name",
    aliases: ["n"],
    value: "<name>",
    description: "The name of the communication service (with --subscription and --resource-group).",
    default: "none"
  })
}

export const connection = {
  endpoint: flag({
    name: "endpoint",
    value: "<url>",
    description: "The Azure Resource Manager endpoint. An http://127.0.0.1 or http://localhost endpoint is taken " +
      "for the emulator: plain http is allowed to it, and its default token is used unless --token is given.",
    default: "https://management.azure.com"
  }),
  apiVersion: flag({
    name: "api-version",
    value: "<version>",
    description: "The api-version of the Communication Services API.",
    default: Operation.apiVersions[0]
  }),
  token: flag({
    name: "token",
    value: "<token>",
    description: "A bearer token to send instead of signing in (never printed).",
    default: `$${tokenVariable}, else DefaultAzureCredential (az login, managed identity, ...)`
  }),
  maxRetries: flag({
    name: "max-retries",
    value: "<n>",
    description: "How many times a call that failed transiently (no response, 408, 429, 5xx) is retried.",
    default: "3"
  })
}

export const output = {
  output: flag({
    name: "output",
    aliases: ["o"],
    value: "<format>",
    choices: formats,
    description: `As az: print the result itself (for list and regenerate, the keys object {primaryKey, ` +
      `primaryConnectionString, ...}) as ${formats.join(", ")}. Secrets stay redacted unless --show-secrets.`,
    default: "text for people"
  }),
  query: flag({
    name: "query",
    value: "<jmespath>",
    description: "As az: a JMESPath query applied to the result before -o formats it, e.g. " +
      "--query primaryConnectionString -o tsv.",
    default: "none (the whole result)"
  }),
  json: flag({
    name: "json",
    description: "Print acs-keys' JSON envelope (the result with its resource id and request ids) on standard output.",
    default: "off"
  }),
  showSecrets: flag({
    name: "show-secrets",
    description: "Print keys and connection strings in clear, whatever the format.",
    default: "off: they print as <redacted>"
  })
}

export const keyType = flag({
  name: "key-type",
  aliases: ["k"],
  value: "<Primary|Secondary>",
  description: "The key to regenerate: Primary or Secondary (any letter case).",
  default: "required"
})

// ---------------------------------------------------------------------------------------------------------------
// rotate
// ---------------------------------------------------------------------------------------------------------------

/** The longest `--publish-timeout`: a day (a timer cannot wait much longer than 24 days anyway). */
export const maxPublishTimeoutSeconds = 86_400

export const rotate = {
  fromFile: flag({
    name: "from-file",
    value: "<path>",
    description: "Rotate every resource of this file: one resource id a line, or a JSON array of resource ids or " +
      "of {subscriptionId, resourceGroupName, communicationServiceName} objects.",
    default: "none: one resource"
  }),
  first: flag({
    name: "first",
    value: "<Primary|Secondary>",
    description: "The key regenerated (and published) first: the one your clients do not use now (any letter case).",
    default: "Secondary"
  }),
  publishCommand: flag({
    name: "publish-command",
    value: "<command>",
    description: "A shell command run for every new key, with the connection string on its standard input " +
      "(never on its command line or in its environment) and ACS_RESOURCE_ID and ACS_KEY_TYPE in its environment.",
    default: "none: new keys are printed (redacted unless --show-secrets)"
  }),
  publishRetries: flag({
    name: "publish-retries",
    value: "<n>",
    description: "How many times a failed publication is retried (exponential backoff from 500 ms).",
    default: "3"
  }),
  publishTimeout: flag({
    name: "publish-timeout",
    value: "<seconds>",
    description: "How long one run of the publish command may take; then its process group is killed and the " +
      `attempt fails (and is retried). A positive number, at most ${maxPublishTimeoutSeconds}.`,
    default: "60"
  }),
  settle: flag({
    name: "settle",
    value: "<seconds>",
    description: "After a regeneration whose outcome was unknown (a timeout, a 5xx): how long the live key is " +
      "watched with listKeys, since a request given up on may still reach the service and replace it; each new " +
      `key seen is published. 0 turns the watch off; at most ${maxPublishTimeoutSeconds}.`,
    default: "60"
  }),
  mode: flag({
    name: "mode",
    value: "<both|alternate>",
    choices: ["both", "alternate"],
    description: "both: replace both keys in one run (--first, then the other). alternate: replace only --first, " +
      "the key clients do not use now, and say which key the next run replaces (pass it as --first then).",
    default: "both"
  }),
  verify: flag({
    name: "verify",
    value: "<none|data-plane>",
    choices: ["none", "data-plane"],
    description: "data-plane: after publishing the first key, prove it authenticates with a signed, read-only " +
      "data-plane request to the endpoint of its connection string (DataPlane.verify); if it is refused the other " +
      "key is left alone and the rotation stops (KeyRejected, exit 17).",
    default: "none"
  }),
  verifyTimeout: flag({
    name: "verify-timeout",
    value: "<seconds>",
    description: "With --verify data-plane: how long to wait for the data plane's answer (a positive number).",
    default: "30"
  }),
  drain: flag({
    name: "drain",
    value: "<duration>",
    description: "Mode both: how long to wait after publishing (and verifying) the first key before regenerating " +
      "the other, so that clients reload, e.g. 90s, 10m, \"10 minutes\" (a number alone is seconds). Not with " +
      "--mode alternate.",
    default: "none (0)"
  }),
  readKeys: flag({
    name: "read-keys",
    description: "Read the current keys first with List Keys (one more write), so that a regeneration never " +
      "answered can be told from an unchanged key.",
    default: "off (2 writes a resource)"
  }),
  dryRun: flag({
    name: "dry-run",
    description: "Print what the rotation would do (steps in order, writes, and for --from-file the write budget " +
      "and the shortest time it allows) and send nothing.",
    default: "off"
  }),
  graceSeconds: flag({
    name: "grace-seconds",
    value: "<seconds>",
    description: "The same as --drain, in whole seconds (kept for scripts that use it; not with --drain).",
    default: "0"
  }),
  concurrency: flag({
    name: "concurrency",
    value: "<n>",
    description: "With --from-file: how many resources rotate at once.",
    default: "16"
  }),
  writeBudget: flag({
    name: "write-budget",
    value: "<capacity>,<per-second>|none",
    description: "With --from-file: the writes a subscription may take, as a bucket of <capacity> writes refilled " +
      "at <per-second> a second (leave room for other writers to the subscription); none turns it off. With a " +
      "PostgreSQL --journal, every process of the run shares it.",
    default: `${Operation.writeBudget.capacity},${Operation.writeBudget.perSecond} (Azure Resource Manager's)`
  })
}

/** The options of a fleet run kept in a journal (`rotate --journal`, `status`). */
export const journal = {
  journal: flag({
    name: "journal",
    value: "<file|postgres://...>",
    description: "With --from-file: keep the run in a journal, so that the same command started again (after a " +
      "crash, a kill or a timeout) resumes it: a finished resource is not rotated again, one cut off half-way is " +
      "finished. A SQLite file (created if missing; one process at a time), or a PostgreSQL URL: several " +
      "acs-keys processes on one run share its work and its write budget. The journal holds no key; give the " +
      "database password in PGPASSWORD rather than in the URL.",
    default: "none: the run is kept in memory"
  }),
  runId: flag({
    name: "run-id",
    value: "<id>",
    description: "With --journal: the run. The same id resumes it (a finished run does nothing); a new id " +
      "rotates every resource again. It is journaled: not a secret.",
    default: "default"
  })
}

// ---------------------------------------------------------------------------------------------------------------
// emulator
// ---------------------------------------------------------------------------------------------------------------

export const emulator = {
  port: flag({
    name: "port",
    value: "<port>",
    description: "The port to listen on; 0 picks a free one (printed).",
    default: "0"
  }),
  host: flag({ name: "host", value: "<address>", description: "The address to listen on.", default: "127.0.0.1" }),
  resources: flag({
    name: "resource",
    value: "<id>",
    description: "A resource id to serve (with generated keys); repeat for more.",
    default: "none",
    repeated: true
  }),
  seedFile: flag({
    name: "seed-file",
    value: "<path>",
    description: "A JSON file of resources to serve: {\"resources\": [{subscriptionId, ...}]}.",
    default: "none"
  }),
  stateFile: flag({
    name: "state-file",
    value: "<path>",
    description: "A JSON file the keys are saved to after every change and read back at start. It holds keys in " +
      "clear (mode 0600): treat it as a secret.",
    default: "none: keys live in memory"
  }),
  token: flag({
    name: "token",
    value: "<token>",
    description: "The bearer token to accept.",
    default: `$${tokenVariable}, else the emulator's own (which acs-keys sends to a loopback endpoint)`
  }),
  forbiddenTokens: flag({
    name: "forbidden-token",
    value: "<token>",
    description: "A token that authenticates but may not act (answered 403); repeat for more.",
    default: "none",
    repeated: true
  }),
  apiVersions: flag({
    name: "api-version",
    value: "<version>",
    description: "An api-version to accept (any letter case); repeat for more.",
    default: "the versions the emulator knows",
    repeated: true
  }),
  maxRequestBytes: flag({
    name: "max-request-bytes",
    value: "<bytes>",
    description: "The largest request body read; a larger one is answered 413.",
    default: "65536"
  }),
  requestLogSize: flag({
    name: "request-log-size",
    value: "<n>",
    description: "How many requests the request log keeps (the newest).",
    default: "1000"
  }),
  noThrottle: flag({ name: "no-throttle", description: "Turn write throttling off.", default: "off (throttling on)" }),
  throttleCapacity: flag({
    name: "throttle-capacity",
    value: "<n>",
    description: "Writes per subscription before throttling (429).",
    default: "200, as ARM"
  }),
  throttleRefill: flag({
    name: "throttle-refill-per-second",
    value: "<n>",
    description: "How fast the write budget refills.",
    default: "10, as ARM"
  }),
  regenerateLatencyMs: flag({
    name: "regenerate-latency-ms",
    value: "<ms>",
    description: "How long a regeneration stays in flight (a concurrent one for the same resource gets 409).",
    default: "0"
  }),
  errorRate: flag({
    name: "error-rate",
    value: "<0..1>",
    description: "Fault injection: the share of requests answered with an error status (see --error-status).",
    default: "0"
  }),
  errorStatuses: flag({
    name: "error-status",
    value: "<500|503>",
    choices: ["500", "503"],
    description: "Fault injection: a status an error fault answers with; repeat for more.",
    default: "500 and 503",
    repeated: true
  }),
  dropRate: flag({
    name: "drop-rate",
    value: "<0..1>",
    description: "Fault injection: the share of requests whose connection is dropped.",
    default: "0"
  }),
  faultWhen: flag({
    name: "fault-when",
    value: "<before|after|random>",
    choices: ["before", "after", "random"],
    description: "Fault injection: whether a faulted regeneration fails before or after the key changes.",
    default: "before"
  }),
  faultLatencyMs: flag({
    name: "fault-latency-ms",
    value: "<ms>",
    description: "Fault injection: latency added to every request.",
    default: "0"
  }),
  commitLatencyMs: flag({
    name: "commit-latency-ms",
    value: "<ms>",
    description: "Fault injection: how long a regeneration holds the resource before its key changes (a client " +
      "with a shorter timeout gives up; the key changes all the same).",
    default: "0"
  }),
  faultOperations: flag({
    name: "fault-operation",
    value: "<regenerateKey|listKeys>",
    choices: ["regenerateKey", "listKeys"],
    description: "Fault injection: an operation faults apply to; repeat for more.",
    default: "both",
    repeated: true
  }),
  dataPlane: flag({
    name: "data-plane",
    description: "Also serve each resource's data plane (the signed request of rotate --verify data-plane, " +
      "checked against the live keys); connection strings then point at the emulator itself.",
    default: "off"
  }),
  seed: flag({
    name: "seed",
    value: "<seed>",
    description: "Fault injection: the seed of the fault sequence (a number or a string).",
    default: "0"
  })
}

// ---------------------------------------------------------------------------------------------------------------
// commands
// ---------------------------------------------------------------------------------------------------------------

/** One subcommand. */
export interface Command {
  readonly name: string
  /** Other names, as `az communication` spells them. */
  readonly aliases: ReadonlyArray<string>
  /** The arguments of its usage line. */
  readonly usage: string
  readonly description: string
  readonly flags: ReadonlyArray<Flag>
  readonly examples: ReadonlyArray<string>
}

const resourceFlags = Object.values(resource)
const connectionFlags = Object.values(connection)
const outputFlags = Object.values(output)

export const commands: ReadonlyArray<Command> = [
  {
    name: "regenerate",
    aliases: ["regenerate-key"],
    usage: "(--resource-id <id> | -s <id> -g <name> -n <name>) --key-type <Primary|Secondary> [options]",
    description: "Regenerate one access key (Primary or Secondary) of a Communication Services resource and print " +
      "the new key and connection string (redacted unless --show-secrets).",
    flags: [...resourceFlags, keyType, ...connectionFlags, ...outputFlags],
    examples: [
      "acs-keys regenerate --resource-id \"$ID\" --key-type Secondary",
      "acs-keys regenerate-key -g my-group -n my-acs -s \"$SUB\" --key-type Primary --query primaryKey -o tsv"
    ]
  },
  {
    name: "list",
    aliases: ["list-key"],
    usage: "(--resource-id <id> | -s <id> -g <name> -n <name>) [options]",
    description: "Print both access keys and connection strings of a Communication Services resource (redacted " +
      "unless --show-secrets).",
    flags: [...resourceFlags, ...connectionFlags, ...outputFlags],
    examples: [
      "acs-keys list --resource-id \"$ID\"",
      "acs-keys list-key --ids \"$ID\" --query primaryConnectionString -o tsv --show-secrets"
    ]
  },
  {
    name: "rotate",
    aliases: [],
    usage: "(--resource-id <id> | -s <id> -g <name> -n <name> | --from-file <path>) [options]",
    description: "Rotate both keys without an outage: regenerate the key clients do not use (Secondary first by " +
      "default), publish it (--verify data-plane proves it works), then regenerate and publish the other; " +
      "--mode alternate replaces only that one key. --dry-run sends nothing. One resource, or every resource of " +
      "--from-file (with --journal, resumed after a crash by the same command). Ctrl-C (or SIGTERM) stops at the " +
      "next safe point and prints what was done (exit 130, 143 for " +
      "SIGTERM); a second one stops at once, killing running publish commands.",
    flags: [...resourceFlags, ...Object.values(rotate), ...Object.values(journal), ...connectionFlags, ...outputFlags],
    examples: [
      "acs-keys rotate --resource-id \"$ID\" --publish-command ./publish.sh",
      "acs-keys rotate --from-file ids.txt --concurrency 32 --publish-command ./publish.sh --json",
      "acs-keys rotate --resource-id \"$ID\" --mode alternate --first \"$NEXT\" --verify data-plane --publish-command ./publish.sh",
      "acs-keys rotate --from-file ids.txt --drain 10m --dry-run",
      "acs-keys rotate --from-file ids.txt --journal rotation.db --run-id 2026-12 --publish-command ./publish.sh"
    ]
  },
  {
    name: "status",
    aliases: [],
    usage: "--journal <file|postgres://...> --from-file <path> [--run-id <id>] [options]",
    description: "Print where a journaled fleet run (rotate --journal) stands: how many of the file's resources " +
      "are done, running (finished when the run is started again), failed and not started, in all and per " +
      "subscription (--json: each resource too). Reads the journal only: nothing is sent to Azure, no secret " +
      "is printed, and it may run while the run goes on.",
    flags: [
      {
        ...journal.journal,
        description: "The journal of the run: a SQLite file or a PostgreSQL URL.",
        default: "none (required)"
      },
      { ...rotate.fromFile, description: "The fleet file of the run.", default: "none (required)" },
      journal.runId,
      ...outputFlags
    ],
    examples: [
      "acs-keys status --journal rotation.db --from-file ids.txt",
      "acs-keys status --journal postgres://rotation@db.internal/rotation --from-file ids.txt --run-id 2026-12 --json"
    ]
  },
  {
    name: "emulator",
    aliases: [],
    usage: "[--port <port>] [--resource <id>]... [options]",
    description: "Run the local Azure Resource Manager emulator of Regenerate Key and List Keys in the foreground " +
      "(Ctrl-C stops it), with optional throttling, fault injection and data plane (--data-plane). Prints its URL.",
    flags: [...Object.values(emulator), ...outputFlags],
    examples: [
      "acs-keys emulator --port 8080 --resource /subscriptions/1111/resourceGroups/rg/providers/" +
      "Microsoft.Communication/communicationServices/my-acs"
    ]
  }
]

/** The options every command has, from `@effect/cli` and from us. */
export const globalFlags: ReadonlyArray<Flag> = [
  flag({ name: "help", aliases: ["h"], description: "Print this help and exit.", default: "off" }),
  flag({ name: "version", description: "Print the version of acs-keys and exit.", default: "off" }),
  flag({
    name: "completions",
    value: "<sh|bash|fish|zsh>",
    choices: ["sh", "bash", "fish", "zsh"],
    description: "Print a completion script for a shell and exit.",
    default: "none"
  }),
  flag({
    name: "log-level",
    value: "<level>",
    description: "The minimum level of log lines (all, trace, debug, info, warning, error, fatal, none).",
    default: "info"
  })
]

/** The command a name or alias designates. */
export const commandNamed = (name: string): Command | undefined =>
  commands.find((command) => command.name === name || command.aliases.includes(name))

/** How an option is typed: `--name` or `-n`. */
export const spelling = (name: string): string => name.length === 1 ? `-${name}` : `--${name}`
