/**
 * The scheduling examples of docs/scheduling.md: the GitHub Actions workflow and the Kubernetes CronJob are
 * parsed and held to what the page says (schedule, pinned install, secrets from the platform's store, no
 * overlapping runs), and the workflow's rotate command runs, as written, against the emulator.
 */
import { Emulator } from "@effect-acs/emulator"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FileSystem from "@effect/platform/FileSystem"
import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"
import * as YAML from "yaml"
import { idOf, resources } from "./support.js"

const examples = fileURLToPath(new URL("../", import.meta.url))
const read = (file: string) => fs.readFileSync(`${examples}scheduling/${file}`, "utf8")

const install = [
  "npm install --no-save --no-audit --no-fund",
  "@effect-acs/cli@^0.1.0 effect@^3.22.4 @effect/platform@^0.97.2 @effect/platform-node@^0.108.2"
].join(" ")

/** `acs-keys rotate ...` up to its `--publish-command` (the rest differs between the two platforms). */
const rotateFlags = (script: string) => /acs-keys (rotate .*?) --publish-command/s.exec(script)?.[1]

/** Every string of a parsed document, with the path to it. */
const strings = (value: unknown, path = ""): Array<[string, string]> =>
  typeof value === "string"
    ? [[path, value]]
    : Array.isArray(value)
    ? value.flatMap((item, i) => strings(item, `${path}[${i}]`))
    : value !== null && typeof value === "object"
    ? Object.entries(value).flatMap(([key, item]) => strings(item, `${path}.${key}`))
    : []

/** What must never be written in a manifest: a GUID (tenant, client, subscription), a key, a token. */
const inlineSecret =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|accesskey=|AccountKey=|eyJ[\w-]{10,}/i

interface Step {
  readonly name?: string
  readonly uses?: string
  readonly run?: string
  readonly with?: Record<string, string>
  readonly env?: Record<string, string>
}

describe("scheduling.md: github-actions.yml", () => {
  const text = read("github-actions.yml")
  const workflow = YAML.parse(text)
  const steps: Array<Step> = workflow.jobs.rotate.steps

  it("runs on a monthly cron (and by hand), one run at a time, never cancelled midway", () => {
    assert.deepStrictEqual(workflow.on.schedule, [{ cron: "17 3 1 * *" }])
    assert.property(workflow.on, "workflow_dispatch")
    // a fixed group: a group with ${{ github.run_id }} in it would let two rotations overlap
    assert.deepStrictEqual(workflow.concurrency, { group: "rotate-acs-keys", "cancel-in-progress": false })
    assert.isNumber(workflow.jobs.rotate["timeout-minutes"])
  })

  it("installs acs-keys with the Effect 3 line pinned, on Node 20.19", () => {
    assert.deepStrictEqual(steps.find((step) => step.uses === "actions/setup-node@v4")?.with, {
      "node-version": "20.19"
    })
    assert.strictEqual(steps.find((step) => step.name === "Install acs-keys (the Effect 3 line)")?.run, install)
  })

  it("signs in with OpenID Connect; every id comes from the repository's secrets or variables", () => {
    assert.strictEqual(workflow.permissions["id-token"], "write")
    const login = steps.find((step) => step.uses === "azure/login@v2")!
    assert.deepStrictEqual(login.with, {
      "client-id": "${{ secrets.AZURE_CLIENT_ID }}",
      "tenant-id": "${{ secrets.AZURE_TENANT_ID }}",
      "subscription-id": "${{ secrets.AZURE_SUBSCRIPTION_ID }}"
    })
    assert.notProperty(login.with, "client-secret")
    for (const step of steps) {
      for (const [name, value] of Object.entries({ ...step.with, ...step.env })) {
        if (/^(AZURE_|ACS_)|-id$/i.test(name)) assert.match(value, /^\$\{\{ (secrets|vars)\.\w+ \}\}$/, name)
      }
    }
    for (const [path, value] of strings(workflow)) assert.notMatch(value, inlineSecret, path)
  })

  it.scopedLive("its rotate command, run by /bin/sh as written, rotates both keys and publishes them with az", () =>
    Effect.gen(function*() {
      const files = yield* FileSystem.FileSystem
      const [acs] = resources(1)
      const emulator = yield* Emulator.make({ resources: [acs!] })
      // a stand-in for the Azure CLI on PATH: records its arguments and what it reads from /dev/stdin
      const bin = yield* files.makeTempDirectoryScoped({ prefix: "fake-az-" })
      yield* files.writeFileString(
        `${bin}/az`,
        `#!/bin/sh\nprintf '%s\\n' "$*" >> "${bin}/calls"\ncat /dev/stdin > "${bin}/$ACS_KEY_TYPE"\n`,
        { mode: 0o755 }
      )
      const rotate = steps.find((step) => step.name === "Rotate")!
      // the same command, pointed at the emulator, without the 5 minutes of grace
      const script = rotate.run!.replace("--grace-seconds 300", "--grace-seconds 0") +
        ` --endpoint ${emulator.url}`
      const { code, stdout, stderr } = yield* Effect.async<{ code: number; stdout: string; stderr: string }>(
        (resume) => {
          execFile(
            "/bin/sh",
            ["-c", script],
            {
              cwd: examples,
              env: {
                PATH: `${bin}:${process.env["PATH"]}`,
                HOME: bin,
                ACS_RESOURCE_ID: idOf(acs!),
                KEY_VAULT_NAME: "my-vault",
                NO_COLOR: "1"
              }
            },
            (error, stdout, stderr) =>
              resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }))
          )
        }
      )
      assert.strictEqual(code, 0, stderr)
      assert.deepStrictEqual(JSON.parse(stdout).regenerated, ["Secondary", "Primary"])
      const live = yield* emulator.keys(acs!)
      assert.strictEqual(
        yield* files.readFileString(`${bin}/Secondary`),
        Redacted.value(live.secondaryConnectionString)
      )
      assert.strictEqual(yield* files.readFileString(`${bin}/Primary`), Redacted.value(live.primaryConnectionString))
      const set = "keyvault secret set --vault-name my-vault --name acs-connection-string --file /dev/stdin " +
        "--encoding utf-8 --tags keyType="
      assert.deepStrictEqual((yield* files.readFileString(`${bin}/calls`)).trimEnd().split("\n"), [
        `${set}Secondary --output none`,
        `${set}Primary --output none`
      ])
      for (const secret of [live.primaryKey, live.secondaryKey].map(Redacted.value)) {
        assert.notInclude(stdout + stderr, secret)
      }
    }).pipe(Effect.provide(NodeContext.layer)))
})

describe("scheduling.md: kubernetes-cronjob.yaml", () => {
  const text = read("kubernetes-cronjob.yaml")
  const documents = YAML.parseAllDocuments(text).map((document) => document.toJS())
  const cronJob = documents.find((document) => document.kind === "CronJob")
  const configMap = documents.find((document) => document.kind === "ConfigMap")
  const pod = cronJob?.spec.jobTemplate.spec.template.spec
  const container = pod?.containers[0]
  const script: string = container?.args.join(" ") ?? ""

  it("runs on a monthly schedule in UTC, never two jobs at once, a failed one not retried", () => {
    assert.deepStrictEqual(documents.map((document) => document.kind), ["ConfigMap", "CronJob"])
    assert.strictEqual(cronJob.apiVersion, "batch/v1")
    assert.strictEqual(cronJob.spec.schedule, "17 3 1 * *")
    assert.strictEqual(cronJob.spec.timeZone, "Etc/UTC")
    assert.strictEqual(cronJob.spec.concurrencyPolicy, "Forbid")
    assert.strictEqual(cronJob.spec.jobTemplate.spec.backoffLimit, 0)
    assert.strictEqual(pod.restartPolicy, "Never")
  })

  it("installs acs-keys with the Effect 3 line pinned, on Node 20.19, and rotates as the workflow does", () => {
    assert.match(container.image, /^node:20\.19-/)
    assert.include(script, `${install} @azure/identity@4.13.1 @azure/keyvault-secrets@4.11.0;`)
    assert.isDefined(rotateFlags(script))
    const workflowSteps: Array<Step> = YAML.parse(read("github-actions.yml")).jobs.rotate.steps
    assert.strictEqual(rotateFlags(script), rotateFlags(workflowSteps.find((step) => step.name === "Rotate")!.run!))
    assert.include(script, "--publish-command 'node /scripts/publish.cjs'")
  })

  it("takes the credential and the resource id from a Kubernetes Secret, never inline", () => {
    const env: Array<{ name: string; value?: string; valueFrom?: Record<string, { name: string; key: string }> }> =
      container.env
    for (const name of ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "ACS_RESOURCE_ID"]) {
      const variable = env.find((entry) => entry.name === name)
      assert.deepStrictEqual(variable, { name, valueFrom: { secretKeyRef: { name: "acs-key-rotation", key: name } } })
    }
    for (const variable of env.filter((entry) => entry.value !== undefined)) {
      assert.notMatch(variable.name, /SECRET|TOKEN|KEY|PASSWORD|CONNECTION/i)
    }
    assert.isFalse(documents.some((document) => document.kind === "Secret"))
    for (const [path, value] of strings(documents)) assert.notMatch(value, inlineSecret, path)
  })

  it("mounts publish.cjs, which compiles and prints no more of an SDK error than its status and code", () => {
    const source: string = configMap.data["publish.cjs"]
    assert.doesNotThrow(() => new vm.Script(source, { filename: "publish.cjs" }))
    assert.include(source, "process.env.ACS_KEY_TYPE")
    assert.match(source, /console\.error\(`setSecret failed: \$\{error\.statusCode/)
    assert.deepStrictEqual(pod.volumes.find((volume: { name: string }) => volume.name === "scripts"), {
      name: "scripts",
      configMap: { name: "acs-key-rotation", items: [{ key: "publish.cjs", path: "publish.cjs" }] }
    })
  })
})

describe("scheduling.md: its YAML blocks are the files", () => {
  const page = fs.readFileSync(`${examples}../docs/scheduling.md`, "utf8")
  const blocks = [...page.matchAll(/From \[`(examples\/scheduling\/[\w.-]+)`\][^\n]*\n\n```yaml\n([\s\S]*?)\n```/g)]

  it("shows both files, verbatim", () => {
    assert.deepStrictEqual(blocks.map((block) => block[1]), [
      "examples/scheduling/github-actions.yml",
      "examples/scheduling/kubernetes-cronjob.yaml"
    ])
    for (const [, file, body] of blocks) {
      assert.strictEqual(body, fs.readFileSync(`${examples}../${file}`, "utf8").trimEnd(), file)
    }
  })
})
