/**
 * HTTP/1.1 over `node:net` and `node:tls` sockets, for NodeTransport: a pool of kept-alive connections per
 * origin, one request written at once (head and body in one write), and a strict, bounded parser of the
 * response. It is what node:http's `ClientRequest` and `Agent` do for a client that sends small bodies and
 * reads bounded ones, at about a third of their CPU per call.
 *
 * Everything the server sends is untrusted: the status line and header block are bounded in size, every
 * byte of them is checked, the framing must be unambiguous (one content length, or chunked, or read until
 * the connection closes), and the body is never held past the caller's limit. A connection that carries
 * anything unexpected (bytes after the response, bytes while idle, a framing error) is destroyed, never
 * reused.
 */
import * as Http from "node:http"
import * as Https from "node:https"
import * as Net from "node:net"
import * as Tls from "node:tls"

/** The largest status line and header block read (node:http's default `maxHeaderSize`). */
export const maxHeadBytes = 16 * 1024

/** The size of each socket's read buffer. */
const readBufferBytes = 16 * 1024

/** The largest chunk-size line (with its extensions) or trailer block of a chunked body. */
const maxChunkLineBytes = 4 * 1024

/** A response the parser refused, named as llhttp names it (`HPE_…`), so that it reads as node:http's. */
export class ParseError extends Error {
  override readonly name = "ParseError"
  constructor(readonly code: string, message: string) {
    super(message)
  }
}

/** The connection closed (or was closed by the server) before the response was complete. */
export const closedEarly = () =>
  Object.assign(new Error("the connection closed before the response was complete"), { code: "ECONNRESET" })

/** The request's head, its body, and what the exchange needs to frame the response. */
export interface Outgoing {
  readonly method: string
  /** The bytes to write: the request head and its body. */
  readonly bytes: Buffer
}

/** What one exchange is told, by the connection it runs on. */
export interface Receiver {
  /** The status line and headers arrived: `"stop"` reads no further (the connection is then destroyed). */
  readonly head: (status: number, fields: Fields, remoteAddress: string | undefined) => "read" | "stop"
  /** A chunk of a chunked body announces its size: `false` refuses it (the connection is then destroyed). */
  readonly announced: (bytes: number) => boolean
  /** A piece of the body; `false` stops reading (the connection is then destroyed). */
  readonly data: (chunk: Buffer) => boolean
  /** The body is complete. */
  readonly end: () => void
  /** The exchange failed: before the head (`headArrived` false) or within the body. */
  readonly fail: (cause: unknown, headArrived: boolean) => void
}

// -------------------------------------------------------------------------------------------------------------
// request head
// -------------------------------------------------------------------------------------------------------------

/** A character of an HTTP token (RFC 9110 §5.6.2): header names, methods, chunk-extension names and values. */
const tchar = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]"
const tokenPattern = new RegExp(`^${tchar}+$`)
/**
 * What a header value, sent or received, may not hold: anything but tab, visible ASCII, space and Latin-1
 * beyond 0x7f (what Node's `validateHeaderValue` accepts; so no CR, LF or NUL).
 */
const forbidden = /[^\t\x20-\x7e\x80-\xff]/
// what Node's `ClientRequest` accepts in a path (ERR_UNESCAPED_CHARACTERS otherwise)
const pathPattern = /^[\u0021-\u00ff]+$/

/** Why a request cannot be written: what was refused, never its value. */
export class Unsendable extends Error {
  override readonly name = "Unsendable"
}

/** Methods that carry no body by default: no `content-length: 0` is sent for them (as node:http). */
const bodiless = new Set(["GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"])

/**
 * The bytes of one request: the head (latin1, as node:http writes headers) and the body. The caller's
 * `host` and `connection` headers are kept; otherwise `host` is the URL's and the connection is kept alive.
 * A body's length is sent as `content-length`; a caller's that differs, or a `transfer-encoding`, is refused.
 */
export const encode = (
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined
): Outgoing | Unsendable => {
  if (!tokenPattern.test(method)) return new Unsendable("the request method is not an HTTP token")
  const path = url.pathname + url.search
  if (!pathPattern.test(path)) return new Unsendable("the request path holds a character that cannot be sent")
  let head = `${method} ${path} HTTP/1.1\r\n`
  let host = false
  let connection = false
  let length: string | undefined
  for (const name in headers) {
    const value = headers[name]!
    if (!tokenPattern.test(name)) return new Unsendable("a request header name is not an HTTP token")
    if (forbidden.test(value)) {
      return new Unsendable(
        `the request header "${name}" holds a character that cannot be sent ` +
          "(CR, LF, NUL or another control character, or one outside Latin-1)"
      )
    }
    const lower = name.toLowerCase()
    if (lower === "content-length") {
      length = value
      continue
    }
    if (lower === "transfer-encoding") {
      return new Unsendable("a transfer-encoding cannot be set: the body is sent with its length")
    }
    if (lower === "host") host = true
    else if (lower === "connection") connection = true
    head += `${name}: ${value}\r\n`
  }
  const size = body === undefined ? 0 : typeof body === "string" ? Buffer.byteLength(body) : body.byteLength
  if (length !== undefined && length.trim() !== String(size)) {
    return new Unsendable(`the request's content-length is not the length of its body (${size} bytes)`)
  }
  if (!host) head += `host: ${url.host}\r\n`
  if (!connection) head += "connection: keep-alive\r\n"
  if (size > 0 || length !== undefined || !bodiless.has(method)) head += `content-length: ${size}\r\n`
  head += "\r\n"
  // one buffer for the head (latin1: one byte per character, as validated) and the body
  const bytes = Buffer.allocUnsafe(head.length + size)
  bytes.write(head, 0, "latin1")
  if (typeof body === "string") bytes.write(body, head.length, "utf8")
  else if (body !== undefined) bytes.set(body, head.length)
  return { method, bytes }
}

// -------------------------------------------------------------------------------------------------------------
// response parser
// -------------------------------------------------------------------------------------------------------------

/** A quoted string (RFC 9110 §5.6.4): qdtext and quoted pairs between double quotes. */
const quotedString = "\"(?:[\\t \\x21\\x23-\\x5b\\x5d-\\x7e\\x80-\\xff]|\\\\[\\t \\x21-\\x7e\\x80-\\xff])*\""
const statusPattern = /^HTTP\/1\.([01]) (\d{3})(?: [\t\x20-\x7e\x80-\xff]*)?$/
/**
 * A chunk-size line (RFC 9112 §7.1): the size, then extensions `;name` or `;name=value` (a token, or a quoted
 * string), with no whitespace anywhere, as node:http's strict parser (llhttp) reads them (which also lets a name or
 * a value be empty); whitespace in chunk extensions is where parsers have disagreed about a message's framing.
 */
const chunkSizePattern = new RegExp(`^([0-9A-Fa-f]{1,12})(?:;${tchar}*(?:=(?:${tchar}*|${quotedString}))?)*$`)
const digits = /^\d+$/

/** Headers of which node:http keeps the first and drops the repeats. */
const firstWins = new Set([
  "age",
  "authorization",
  "content-length",
  "content-type",
  "etag",
  "expires",
  "from",
  "host",
  "if-modified-since",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "proxy-authorization",
  "referer",
  "retry-after",
  "server",
  "user-agent"
])

/** `text` without the spaces and tabs around it (by hand: a trimming regular expression can be quadratic). */
const trimmed = (text: string): string => {
  let from = 0
  let to = text.length
  while (from < to && (text.charCodeAt(from) === 32 || text.charCodeAt(from) === 9)) from++
  while (to > from && (text.charCodeAt(to - 1) === 32 || text.charCodeAt(to - 1) === 9)) to--
  return from === 0 && to === text.length ? text : text.slice(from, to)
}

/** Whether a comma-separated header value lists `token` (case-insensitively). */
const lists = (value: string | undefined, token: string): boolean =>
  value !== undefined && value.split(",").some((item) => trimmed(item).toLowerCase() === token)

/** A response's headers: lower-case names, each value a string (repeats as node:http keeps them). */
export interface Fields {
  readonly headers: Record<string, string>
  /** Every `set-cookie`, apart (its values may hold commas). */
  readonly cookies: Array<string> | undefined
}

const malformedLine = () => new ParseError("HPE_INVALID_HEADER_TOKEN", "a header line is malformed")

/**
 * The header block of `head` from `from` (lines separated by CRLF), as node:http reads it: repeats of a
 * first-wins header dropped (two different content-lengths refused), of `set-cookie` listed, of the others
 * joined with a comma. A line with a character a header cannot hold, or without a token before its colon
 * (an obs-fold continuation included), is malformed. A `__proto__` header is dropped.
 */
const fieldsOf = (head: string, from: number): Fields | ParseError => {
  const headers: Record<string, string> = {}
  let cookies: Array<string> | undefined
  let start = from
  while (start < head.length) {
    let end = head.indexOf("\r\n", start)
    if (end < 0) end = head.length
    const line = head.slice(start, end)
    start = end + 2
    const colon = line.indexOf(":")
    if (colon <= 0 || forbidden.test(line)) return malformedLine()
    const original = line.slice(0, colon)
    if (!tokenPattern.test(original)) return malformedLine()
    const name = original.toLowerCase()
    const value = trimmed(line.slice(colon + 1))
    if (name === "__proto__") continue
    if (name === "set-cookie") (cookies ??= []).push(value)
    if (!Object.hasOwn(headers, name)) headers[name] = value
    else if (firstWins.has(name)) {
      if (name === "content-length" && headers[name] !== value) {
        return new ParseError("HPE_UNEXPECTED_CONTENT_LENGTH", "the response has two different content-lengths")
      }
    } else headers[name] = `${headers[name]}${name === "cookie" ? "; " : ", "}${value}`
  }
  return { headers, cookies }
}

type Framing =
  | { readonly _tag: "None" }
  | { readonly _tag: "Length"; remaining: number }
  | { readonly _tag: "Chunked" }
  | { readonly _tag: "UntilClose" }

/** How the body of a final (not 1xx) response is framed, or why it is ambiguous. */
const framingOf = (
  method: string,
  status: number,
  headers: Record<string, string>
): Framing | ParseError => {
  const encoding = headers["transfer-encoding"]
  const length = headers["content-length"]
  if (method === "HEAD" || status === 204 || status === 304) {
    return { _tag: "None" }
  }
  if (encoding !== undefined) {
    if (length !== undefined) {
      return new ParseError(
        "HPE_UNEXPECTED_CONTENT_LENGTH",
        "the response has both a content-length and a transfer-encoding"
      )
    }
    const last = encoding.slice(encoding.lastIndexOf(",") + 1).trim().toLowerCase()
    return last === "chunked" ? { _tag: "Chunked" } : { _tag: "UntilClose" }
  }
  if (length !== undefined) {
    if (!digits.test(length)) {
      return new ParseError("HPE_INVALID_CONTENT_LENGTH", "the response's content-length is not a number")
    }
    return { _tag: "Length", remaining: Number(length) }
  }
  return { _tag: "UntilClose" }
}

// -------------------------------------------------------------------------------------------------------------
// connections and their pool
// -------------------------------------------------------------------------------------------------------------

export interface PoolOptions {
  readonly maxSockets: number
  readonly maxFreeSockets: number
  readonly keepAliveMsecs: number
  readonly idleTimeout: number
}

/**
 * How long a socket may stay idle: the pool's limit, or the server's `Keep-Alive: timeout=` less a second
 * when that is shorter (as node:http's agent); zero or less means it is not kept.
 */
const idleFor = (keepAlive: string | undefined, limit: number): number => {
  if (keepAlive === undefined) return limit
  for (const item of keepAlive.split(",")) {
    const [name, value] = trimmed(item).split("=")
    if (name?.toLowerCase() === "timeout" && value !== undefined && digits.test(value)) {
      return Math.min(limit, Number(value) * 1000 - 1000)
    }
  }
  return limit
}

/** One socket, and the exchange it carries (if any) with that exchange's parser state. */
class Connection {
  receiver: Receiver | undefined
  private method = ""
  private head: Buffer | undefined
  private headArrived = false
  private framing: Framing = { _tag: "None" }
  private reusable = false
  /** Chunked body: the state of its decoder. */
  private chunk: "size" | "data" | "data-end" | "trailer" = "size"
  private chunkRemaining = 0
  private line = ""
  private trailerBytes = 0
  private idleFor = 0
  closed = false

  constructor(readonly socket: Net.Socket, private readonly origin: Origin) {
    socket.on("error", (cause) => this.onGone(cause))
    socket.on("end", () => this.onEnd())
    socket.on("close", () => this.onGone(undefined))
    socket.on("timeout", () => {
      // idle too long (a socket in use has no timeout)
      if (this.receiver === undefined) socket.destroy()
    })
  }

  /** Starts an exchange on this connection. */
  send(outgoing: Outgoing, receiver: Receiver) {
    this.receiver = receiver
    this.method = outgoing.method
    this.head = undefined
    this.headArrived = false
    this.reusable = false
    this.socket.setTimeout(0)
    this.socket.write(outgoing.bytes)
  }

  /** Ends the exchange in progress without telling its receiver (which ended it, or was told): the socket goes. */
  abandon() {
    this.receiver = undefined
    this.destroy()
  }

  destroy() {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
    this.origin.gone(this)
  }

  private onGone(cause: unknown) {
    const receiver = this.receiver
    this.receiver = undefined
    if (!this.closed) {
      this.closed = true
      this.socket.destroy()
      this.origin.gone(this)
    }
    receiver?.fail(cause ?? closedEarly(), this.headArrived)
  }

  private onEnd() {
    // the server closed its side: a body read until the close is complete; anything else ends early
    if (this.receiver !== undefined && this.headArrived && this.framing._tag === "UntilClose") {
      this.complete(false)
      return
    }
    this.onGone(undefined)
  }

  private fail(error: ParseError) {
    const receiver = this.receiver
    this.receiver = undefined
    this.destroy()
    receiver?.fail(error, this.headArrived)
  }

  /**
   * Bytes read from the socket, in its one read buffer (the socket's `onread`: no stream, no buffer per read),
   * which the next read overwrites: whatever is kept is copied.
   */
  onData(chunk: Buffer) {
    if (this.receiver === undefined) {
      // bytes nobody asked for (while idle, or after an abandoned exchange): the connection cannot be trusted
      this.destroy()
      return
    }
    let at = 0
    while (at < chunk.length) {
      if (!this.headArrived) {
        const rest = this.readHead(chunk, at)
        if (rest < 0) return // more bytes needed, or the exchange ended
        at = rest
        continue
      }
      at = this.readBody(chunk, at)
      if (at < 0) return
    }
  }

  /** Reads the head from `chunk` at `at`; the offset after it, or -1 when more is needed or it ended. */
  private readHead(chunk: Buffer, at: number): number {
    const previous = this.head === undefined ? 0 : this.head.length
    const buffer = previous === 0
      ? (at === 0 ? chunk : chunk.subarray(at))
      : Buffer.concat([this.head!, chunk.subarray(at)])
    const end = buffer.indexOf("\r\n\r\n", Math.max(0, previous - 3), "latin1")
    if (end < 0) {
      if (buffer.length > maxHeadBytes) {
        this.fail(new ParseError("HPE_HEADER_OVERFLOW", `the response head is longer than ${maxHeadBytes} bytes`))
        return -1
      }
      this.head = previous === 0 ? Buffer.from(buffer) : buffer
      return -1
    }
    if (end > maxHeadBytes) {
      this.fail(new ParseError("HPE_HEADER_OVERFLOW", `the response head is longer than ${maxHeadBytes} bytes`))
      return -1
    }
    this.head = undefined
    const consumed = end + 4 - previous // bytes of `chunk` (from `at`) that were part of the head
    const text = buffer.toString("latin1", 0, end)
    const lineEnd = text.indexOf("\r\n")
    const status = statusPattern.exec(lineEnd < 0 ? text : text.slice(0, lineEnd))
    if (status === null) {
      this.fail(new ParseError("HPE_INVALID_CONSTANT", "the response does not start with an HTTP/1.x status line"))
      return -1
    }
    const code = Number(status[2])
    const fields = lineEnd < 0 ? { headers: {}, cookies: undefined } : fieldsOf(text, lineEnd + 2)
    if (fields instanceof ParseError) {
      this.fail(fields)
      return -1
    }
    const headers = fields.headers
    if (code >= 100 && code < 200) {
      // an informational response (100 Continue, 103 Early Hints): the real one follows
      if (code === 101) {
        this.fail(new ParseError("HPE_UNEXPECTED_UPGRADE", "the server switched protocols"))
        return -1
      }
      return at + consumed
    }
    const framing = framingOf(this.method, code, headers)
    if (framing instanceof ParseError) {
      this.fail(framing)
      return -1
    }
    const connection = headers["connection"]
    this.reusable = framing._tag !== "UntilClose" &&
      (status[1] === "1" ? !lists(connection, "close") : lists(connection, "keep-alive"))
    this.idleFor = idleFor(headers["keep-alive"], this.origin.options.idleTimeout)
    this.framing = framing
    this.chunk = "size"
    this.line = ""
    this.trailerBytes = 0
    this.headArrived = true
    if (this.receiver!.head(code, fields, this.socket.remoteAddress) === "stop") {
      this.abandon()
      return -1
    }
    if (framing._tag === "None" || (framing._tag === "Length" && framing.remaining === 0)) {
      this.complete(at + consumed < chunk.length)
      return -1
    }
    return at + consumed
  }

  /** Reads body bytes from `chunk` at `at`; the offset after them, or -1 when the exchange ended. */
  private readBody(chunk: Buffer, at: number): number {
    const framing = this.framing
    switch (framing._tag) {
      case "None":
        return -1
      case "UntilClose":
        return this.deliver(chunk, at, chunk.length) ? chunk.length : -1
      case "Length": {
        const take = Math.min(framing.remaining, chunk.length - at)
        if (!this.deliver(chunk, at, at + take)) return -1
        framing.remaining -= take
        if (framing.remaining === 0) {
          this.complete(at + take < chunk.length)
          return -1
        }
        return at + take
      }
      case "Chunked":
        return this.readChunked(chunk, at)
    }
  }

  private readChunked(chunk: Buffer, at: number): number {
    switch (this.chunk) {
      case "size":
      case "trailer": {
        const newline = chunk.indexOf(10, at)
        const piece = chunk.toString("latin1", at, newline < 0 ? chunk.length : newline + 1)
        this.line += piece
        if (this.chunk === "trailer") this.trailerBytes += piece.length
        if (this.line.length > maxChunkLineBytes || this.trailerBytes > maxHeadBytes) {
          this.fail(new ParseError("HPE_CHUNK_EXTENSIONS_OVERFLOW", "a chunk-size line or the trailers are too long"))
          return -1
        }
        if (newline < 0) return chunk.length
        const line = this.line
        this.line = ""
        if (line.length < 2 || line.charCodeAt(line.length - 2) !== 13) {
          this.fail(new ParseError("HPE_LF_EXPECTED", "a line of the chunked body does not end with CRLF"))
          return -1
        }
        const text = line.slice(0, -2)
        if (this.chunk === "trailer") {
          if (text === "") {
            this.complete(newline + 1 < chunk.length)
            return -1
          }
          if (!(fieldsOf(text, 0) instanceof ParseError)) return newline + 1
          this.fail(new ParseError("HPE_INVALID_HEADER_TOKEN", "a trailer line is malformed"))
          return -1
        }
        const size = chunkSizePattern.exec(text)
        if (size === null) {
          this.fail(
            new ParseError(
              "HPE_INVALID_CHUNK_SIZE",
              "a chunk-size line is malformed (a size that is not hexadecimal, or an extension with whitespace " +
                "or with a character outside a token or a quoted string)"
            )
          )
          return -1
        }
        this.chunkRemaining = parseInt(size[1]!, 16)
        this.chunk = this.chunkRemaining === 0 ? "trailer" : "data"
        if (this.chunkRemaining > 0 && !this.receiver!.announced(this.chunkRemaining)) {
          this.abandon()
          return -1
        }
        return newline + 1
      }
      case "data": {
        const take = Math.min(this.chunkRemaining, chunk.length - at)
        if (!this.deliver(chunk, at, at + take)) return -1
        this.chunkRemaining -= take
        if (this.chunkRemaining === 0) {
          this.chunk = "data-end"
          this.line = ""
        }
        return at + take
      }
      case "data-end": {
        // the CRLF after a chunk's data, possibly split across reads
        while (at < chunk.length && this.line.length < 2) {
          this.line += String.fromCharCode(chunk[at]!)
          at++
        }
        if (this.line.length < 2) return at
        if (this.line !== "\r\n") {
          this.fail(new ParseError("HPE_STRICT", "a chunk's data is not followed by CRLF"))
          return -1
        }
        this.line = ""
        this.chunk = "size"
        return at
      }
    }
  }

  private deliver(chunk: Buffer, from: number, to: number): boolean {
    if (to <= from) return true
    if (this.receiver!.data(Buffer.from(chunk.subarray(from, to)))) return true
    this.abandon()
    return false
  }

  /** The response is complete: handed over, and the socket kept for the next request if it can be. */
  private complete(leftover: boolean) {
    const receiver = this.receiver!
    this.receiver = undefined
    if (this.reusable && !leftover && this.idleFor > 0 && !this.closed) this.origin.release(this, this.idleFor)
    else this.destroy()
    receiver.end()
  }
}

/** What waits for a connection of an origin whose sockets are all in use: it takes the next one free. */
type Waiter = (connection: Connection) => void

/** The connections to one origin: the idle ones (most recently used first), and those waiting for one. */
class Origin {
  private readonly idle: Array<Connection> = []
  private readonly waiting: Array<Waiter> = []
  private open = 0

  constructor(
    readonly options: PoolOptions,
    private readonly connect: (onData: (bytes: Buffer) => void) => Net.Socket,
    private readonly isClosed: () => boolean
  ) {}

  /** A connection for `take`, now or when one is free; the waiter, to `cancel`, when it has to wait. */
  acquire(take: Waiter): Waiter | undefined {
    const connection = this.idle.pop()
    if (connection !== undefined) {
      take(connection)
      return undefined
    }
    if (this.open < this.options.maxSockets) {
      take(this.create())
      return undefined
    }
    this.waiting.push(take)
    return take
  }

  cancel(waiter: Waiter) {
    const index = this.waiting.indexOf(waiter)
    if (index >= 0) this.waiting.splice(index, 1)
  }

  private create(): Connection {
    this.open++
    let connection: Connection | undefined
    const socket = this.connect((bytes) => connection!.onData(bytes))
    socket.setNoDelay(true)
    socket.setKeepAlive(true, this.options.keepAliveMsecs)
    return connection = new Connection(socket, this)
  }

  release(connection: Connection, idleFor: number) {
    const waiter = this.waiting.shift()
    if (waiter !== undefined) {
      waiter(connection)
      return
    }
    if (this.idle.length >= this.options.maxFreeSockets || this.isClosed()) {
      connection.destroy()
      return
    }
    connection.socket.setTimeout(idleFor)
    this.idle.push(connection)
  }

  /** A connection closed: its place goes to the next waiter, if any. */
  gone(connection: Connection) {
    this.open--
    const index = this.idle.indexOf(connection)
    if (index >= 0) this.idle.splice(index, 1)
    if (this.waiting.length > 0 && !this.isClosed()) this.waiting.shift()!(this.create())
  }
}

/** Every origin's connections, closed together. */
export class Pool {
  private readonly origins = new Map<string, Origin>()
  private readonly all = new Set<Net.Socket>()
  private closed = false
  private nodeAgents: { readonly http: Http.Agent; readonly https: Https.Agent } | undefined

  constructor(private readonly options: PoolOptions) {}

  /** node:http agents with the same limits, made on first use (for requests an interceptor must see). */
  get agents(): { readonly http: Http.Agent; readonly https: Https.Agent } {
    if (this.nodeAgents !== undefined) return this.nodeAgents
    const options: Https.AgentOptions = {
      keepAlive: true,
      keepAliveMsecs: this.options.keepAliveMsecs,
      maxSockets: this.options.maxSockets,
      maxFreeSockets: this.options.maxFreeSockets,
      timeout: this.options.idleTimeout,
      scheduling: "lifo"
    }
    return this.nodeAgents = { http: new Http.Agent(options), https: new Https.Agent(options) }
  }

  get isClosed() {
    return this.closed
  }

  /** The origin of a URL (`http:` or `https:`), its connections made on first use. */
  origin(url: URL): Origin {
    const https = url.protocol === "https:"
    const key = `${https ? "s" : ""}${url.host}`
    const known = this.origins.get(key)
    if (known !== undefined) return known
    const bracketed = url.hostname.charCodeAt(0) === 91
    const host = bracketed ? url.hostname.slice(1, -1) : url.hostname // [::1] -> ::1
    const port = url.port === "" ? (https ? 443 : 80) : Number(url.port)
    // the last TLS session of the origin, so that a new connection resumes it (as https.Agent does)
    let session: Buffer | undefined
    const connect = (onData: (bytes: Buffer) => void) => {
      // each socket reads into one buffer of its own, handed to the connection as it is filled
      const onread = {
        buffer: Buffer.allocUnsafeSlow(readBufferBytes),
        callback: (read: number, buffer: Uint8Array) => {
          onData((buffer as Buffer).subarray(0, read))
          return true
        }
      }
      const socket = https
        ? Tls.connect({
          host,
          port,
          ALPNProtocols: ["http/1.1"],
          ...(Net.isIP(host) === 0 ? { servername: host } : {}),
          ...(session === undefined ? {} : { session }),
          // (tls.connect takes it as net.connect does; @types/node 20 does not say so)
          ...({ onread } as Tls.ConnectionOptions)
        }).on("session", (ticket: Buffer) => session = ticket)
        : Net.connect({ host, port, onread })
      this.all.add(socket)
      socket.once("close", () => this.all.delete(socket))
      return socket
    }
    const origin = new Origin(this.options, connect, () => this.closed)
    this.origins.set(key, origin)
    return origin
  }

  /** Closes every socket, idle or in use; what is in flight fails as a closed connection. */
  close() {
    this.closed = true
    for (const socket of this.all) socket.destroy()
    this.nodeAgents?.http.destroy()
    this.nodeAgents?.https.destroy()
  }
}

export type { Connection, Origin }
