// One HTTP/1.1 exchange on an open socket: the request head as text, and a response parser for
// Content-Length, chunked and read-until-close bodies, with keep-alive decided as RFC 9112 says.
import type { Socket } from "node:net";

/** A response body as Buffers; `destroy` closes the connection and ends the iteration. */
export interface ResponseBody extends AsyncIterable<Buffer> {
  readonly destroyed: boolean;
  destroy(): void;
}

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated fields joined with ", " (the first kept for single-valued ones). */
  headers: Record<string, string>;
  /** The connection may carry another request once the body is read to its end. */
  reusable: boolean;
  body: ResponseBody;
}

/** An error on the socket; `beforeResponse` when not one byte of an answer had arrived. */
export type ExchangeError = Error & { code?: string; beforeResponse?: boolean };

// Headers of which Node's parser (and Go's) keeps only the first occurrence.
const SINGLE = new Set(["content-type", "content-length", "user-agent", "referer", "host", "authorization",
  "proxy-authorization", "if-modified-since", "if-unmodified-since", "from", "location", "max-forwards",
  "retry-after", "etag", "last-modified", "server", "age", "expires"]);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_HEAD = 256 * 1024;

function invalid(message: string, code: string): TypeError {
  return Object.assign(new TypeError(message), { code });
}

/**
 * The request line and header fields (plus Host and, with a body or for POST/PUT/PATCH,
 * Content-Length), ending in the blank line. Throws TypeError for a path with unescaped
 * characters or a header that could split the request, as node:http does.
 */
export function requestHead(method: string, path: string, host: string,
  headers: Readonly<Record<string, string | readonly string[]>>, body: string | undefined): string {
  if (/[^\u0021-\u00ff]/.test(path)) throw invalid("Request path contains unescaped characters", "ERR_UNESCAPED_CHARACTERS");
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === "host" || lower === "content-length" || lower === "connection" || lower === "transfer-encoding") continue;
    if (!TOKEN.test(name)) throw invalid(`Header name must be a valid HTTP token ["${name}"]`, "ERR_INVALID_HTTP_TOKEN");
    for (const v of typeof value === "string" ? [value] : value) {
      if (/[^\t\u0020-\u007e\u0080-\u00ff]/.test(v)) throw invalid(`Invalid character in header content ["${name}"]`, "ERR_INVALID_CHAR");
      head += `${name}: ${v}\r\n`;
    }
  }
  if (body !== undefined || method === "POST" || method === "PUT" || method === "PATCH") {
    head += `content-length: ${body === undefined ? 0 : Buffer.byteLength(body)}\r\n`;
  }
  return `${head}\r\n`;
}

interface Parsed { status: number; version: string; headers: Record<string, string> }

function parseHead(text: string): Parsed {
  const lines = text.split("\r\n");
  const m = /^HTTP\/(1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0]);
  if (!m) throw Object.assign(new Error("Parse Error: Invalid response status"), { code: "HPE_INVALID_STATUS" });
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const colon = line.indexOf(":");
    if (colon <= 0) throw Object.assign(new Error("Parse Error: Invalid header token"), { code: "HPE_INVALID_HEADER_TOKEN" });
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (headers[name] === undefined) headers[name] = value;
    else if (!SINGLE.has(name)) headers[name] += `, ${value}`;
  }
  return { status: Number(m[2]), version: m[1], headers };
}

/**
 * Writes `head` (and `body`) to the socket and resolves with the response head once it has
 * arrived (1xx interim answers are skipped); the body follows through `body`. Rejects with
 * the socket's error, or ECONNRESET when the peer closed first. The socket is the caller's:
 * after the body ended it carries no listener of this exchange.
 */
export function readResponse(socket: Socket, head: string, body: string | undefined, method: string): Promise<ResponseHead> {
  return new Promise<ResponseHead>((resolve, reject) => {
    let pending: Buffer = Buffer.alloc(0);
    let gotBytes = false;
    let decoder: BodyDecoder | undefined;

    const detach = (): void => {
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      socket.off("error", onError);
    };
    const fail = (e: ExchangeError): void => {
      detach();
      socket.destroy();
      if (decoder) decoder.fail(e);
      else reject(Object.assign(e, { beforeResponse: !gotBytes }));
    };
    function onError(e: Error): void { fail(e); }
    function onEnd(): void {
      if (decoder?.untilClose) { detach(); decoder.end(); return; }
      fail(Object.assign(new Error(decoder ? "aborted" : "socket hang up"), { code: "ECONNRESET" }));
    }
    function onData(chunk: Buffer): void {
      gotBytes = true;
      if (decoder) { decoder.push(chunk); return; }
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf("\r\n\r\n");
        if (end < 0) {
          if (pending.length > MAX_HEAD) fail(Object.assign(new Error("Parse Error: Header overflow"), { code: "HPE_HEADER_OVERFLOW" }));
          return;
        }
        let parsed: Parsed;
        try {
          parsed = parseHead(pending.subarray(0, end).toString("latin1"));
        } catch (e) {
          fail(e as ExchangeError);
          return;
        }
        const rest = pending.subarray(end + 4);
        if (parsed.status >= 100 && parsed.status < 200 && parsed.status !== 101) { pending = rest; continue; }
        const { status, headers, version } = parsed;
        const connection = (headers.connection ?? "").toLowerCase();
        const keepAlive = version === "1.1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
        const noBody = method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
        const chunked = /\bchunked\s*$/i.test(headers["transfer-encoding"] ?? "");
        const length = headers["content-length"] !== undefined && !chunked ? Number(headers["content-length"]) : undefined;
        if (length !== undefined && !(Number.isInteger(length) && length >= 0)) {
          fail(Object.assign(new Error("Parse Error: Invalid Content-Length"), { code: "HPE_INVALID_CONTENT_LENGTH" }));
          return;
        }
        const mode: Mode = noBody ? { kind: "none" } : chunked ? { kind: "chunked" } : length !== undefined ? { kind: "length", left: length } : { kind: "close" };
        decoder = new BodyDecoder(socket, mode, () => detach(), (e) => fail(e));
        resolve({ status, headers, reusable: keepAlive && mode.kind !== "close", body: decoder });
        decoder.push(rest);
        return;
      }
    }
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("close", onEnd);
    socket.on("error", onError);
    // Header bytes are latin1, as node:http writes them; the body is UTF-8.
    socket.cork();
    socket.write(head, "latin1");
    if (body !== undefined && body !== "") socket.write(body, "utf8");
    socket.uncork();
  });
}

type Mode =
  | { kind: "none" }
  | { kind: "length"; left: number }
  | { kind: "close" }
  | { kind: "chunked" };

/** Turns socket bytes into body bytes; a queue the iterator drains, pausing the socket when it grows. */
class BodyDecoder implements ResponseBody {
  private readonly socket: Socket;
  private readonly mode: Mode;
  private readonly onDone: () => void;
  private readonly onBadFrame: (e: ExchangeError) => void;
  private readonly queue: Buffer[] = [];
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private buf: Buffer = Buffer.alloc(0);
  // chunked: bytes of the current chunk still to come; -1 while reading a size line, -2 in trailers
  private chunkLeft = -1;
  private needCrlf = false;
  destroyed = false;

  constructor(socket: Socket, mode: Mode, onDone: () => void, onBadFrame: (e: ExchangeError) => void) {
    this.socket = socket;
    this.mode = mode;
    this.onDone = onDone;
    this.onBadFrame = onBadFrame;
    if (mode.kind === "none" || (mode.kind === "length" && mode.left === 0)) this.finish();
  }

  get untilClose(): boolean {
    return this.mode.kind === "close";
  }

  push(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    const m = this.mode;
    if (m.kind === "close") { this.emit(chunk); return; }
    if (m.kind === "length") {
      const take = chunk.length <= m.left ? chunk : chunk.subarray(0, m.left);
      m.left -= take.length;
      this.emit(take);
      if (m.left === 0) this.finish();
      return;
    }
    if (m.kind === "chunked") this.pushChunked(chunk);
  }

  private pushChunked(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    while (!this.ended) {
      if (this.needCrlf) {
        if (this.buf.length < 2) return;
        if (this.buf[0] !== 13 || this.buf[1] !== 10) { this.bad(); return; }
        this.buf = this.buf.subarray(2);
        this.needCrlf = false;
      }
      if (this.chunkLeft > 0) {
        if (this.buf.length === 0) return;
        const take = this.buf.length <= this.chunkLeft ? this.buf : this.buf.subarray(0, this.chunkLeft);
        this.chunkLeft -= take.length;
        this.buf = this.buf.subarray(take.length);
        this.emit(take);
        if (this.chunkLeft === 0) { this.chunkLeft = -1; this.needCrlf = true; }
        continue;
      }
      const eol = this.buf.indexOf("\r\n");
      if (eol < 0) {
        if (this.buf.length > 4096) this.bad();
        return;
      }
      const line = this.buf.subarray(0, eol).toString("latin1");
      this.buf = this.buf.subarray(eol + 2);
      if (this.chunkLeft === -2) {
        if (line === "") this.finish();      // the blank line after the (ignored) trailer fields
        continue;
      }
      const size = /^([0-9a-fA-F]+)[ \t]*(?:;.*)?$/.exec(line);
      if (!size) { this.bad(); return; }
      const n = parseInt(size[1], 16);
      this.chunkLeft = n === 0 ? -2 : n;
    }
  }

  private bad(): void {
    this.onBadFrame(Object.assign(new Error("Parse Error: Invalid character in chunk size"), { code: "HPE_INVALID_CHUNK_SIZE" }));
  }

  private emit(b: Buffer): void {
    if (b.length === 0) return;
    this.queue.push(b);
    if (this.queue.length > 16) this.socket.pause();
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.onDone();
    this.notify();
  }

  /** The socket closed when a read-until-close body ends. */
  end(): void {
    this.finish();
  }

  fail(e: Error): void {
    if (this.ended) return;
    this.error = e;
    this.ended = true;
    this.notify();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.ended) {
      this.ended = true;
      this.onDone();
      this.socket.destroy();
    }
    this.queue.length = 0;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          if (this.queue.length <= 4 && this.socket.isPaused()) this.socket.resume();
          yield next;
          continue;
        }
        if (this.destroyed) return;
        if (this.ended) {
          if (this.error) throw this.error;
          return;
        }
        await new Promise<void>((r) => { this.wake = r; });
      }
    } finally {
      if (!this.ended) this.destroy();
    }
  }
}
