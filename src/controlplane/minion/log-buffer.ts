// One container instance's log in memory: timestamped lines, the kubelet's log options
// (tailLines, sinceSeconds/sinceTime, timestamps, limitBytes) and follow streams.
import { badRequest } from "../../api/errors.ts";
import type { ContainerLogQuery } from "./runtime.ts";

export interface LogLine {
  /** RFC 3339 with nine fractional digits, as the kubelet prefixes lines with timestamps=true. */
  stamp: string;
  ms: number;
  text: string;
}

/** Lines kept per container instance; older ones are dropped (the kubelet rotates at 10 MiB). */
const MAX_LINES = 2000;

/** Formats a time as RFC3339NanoFixed; `seq` fills the digits below the millisecond. */
export function nanoStamp(d: Date, seq: number): string {
  const iso = d.toISOString();
  return `${iso.slice(0, 23)}${String(seq % 1_000_000).padStart(6, "0")}Z`;
}

export class LogBuffer {
  private readonly lines: LogLine[] = [];
  private waiters: (() => void)[] = [];
  private seq = 0;
  private dropped = 0;
  private closedFlag = false;

  get closed(): boolean {
    return this.closedFlag;
  }

  get length(): number {
    return this.lines.length;
  }

  /** Appends one line (no newline) written at `at`. Ignored once closed. */
  append(at: Date, text: string): void {
    if (this.closedFlag) return;
    this.lines.push({ stamp: nanoStamp(at, this.seq++), ms: at.getTime(), text });
    if (this.lines.length > MAX_LINES) {
      const n = this.lines.length - MAX_LINES;
      this.lines.splice(0, n);
      this.dropped += n;
    }
    this.wake();
  }

  /** The instance stopped: followers get what is left and their streams end. */
  close(): void {
    this.closedFlag = true;
    this.wake();
  }

  /** The whole text for a query (follow ignored), or a stream of chunks when following. */
  read(q: ContainerLogQuery, now: Date): string | AsyncIterable<string> {
    const since = sinceMs(q, now);
    const fmt = (l: LogLine): string => (q.timestamps ? `${l.stamp} ${l.text}\n` : `${l.text}\n`);
    let start = 0;
    if (since !== undefined) while (start < this.lines.length && this.lines[start]!.ms < since) start++;
    if (q.tailLines !== undefined) start = Math.max(start, this.lines.length - Math.max(0, q.tailLines));
    const limit = q.limitBytes !== undefined && q.limitBytes > 0 ? q.limitBytes : undefined;
    if (!q.follow) {
      let out = "";
      for (let i = start; i < this.lines.length; i++) out += fmt(this.lines[i]!);
      return limit !== undefined ? cut(out, limit) : out;
    }
    return this.follow(start, fmt, limit, q.signal);
  }

  private async *follow(startAt: number, fmt: (l: LogLine) => string, limit: number | undefined, signal?: AbortSignal): AsyncIterable<string> {
    // Absolute positions (counting dropped lines), so trimming old lines does not shift them.
    let pos = this.dropped + startAt;
    let sent = 0;
    const onAbort = (): void => this.wake();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted) return;
        let chunk = "";
        pos = Math.max(pos, this.dropped);
        while (pos - this.dropped < this.lines.length) chunk += fmt(this.lines[pos++ - this.dropped]!);
        if (chunk) {
          if (limit !== undefined) {
            chunk = cut(chunk, limit - sent);
            sent += Buffer.byteLength(chunk);
          }
          if (chunk) yield chunk;
          if (limit !== undefined && sent >= limit) return;
        }
        if (this.closedFlag) return;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

function sinceMs(q: ContainerLogQuery, now: Date): number | undefined {
  if (q.sinceSeconds !== undefined) return now.getTime() - q.sinceSeconds * 1000;
  if (q.sinceTime !== undefined) {
    const t = Date.parse(q.sinceTime);
    if (Number.isNaN(t)) throw badRequest(`sinceTime: Invalid value: "${q.sinceTime}": must be RFC 3339`);
    return t;
  }
  return undefined;
}

/** The first `n` bytes of `s` (UTF-8), never splitting a character. */
function cut(s: string, n: number): string {
  if (n <= 0) return "";
  const b = Buffer.from(s);
  if (b.length <= n) return s;
  let end = n;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end).toString();
}
