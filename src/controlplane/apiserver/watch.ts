// Watch streams: store events → selector-filtered watch events (ADDED/MODIFIED/DELETED/BOOKMARK/ERROR) as newline-delimited JSON.
import { gone, internalError } from "../../api/errors.ts";
import type { ApiObject, Status, WatchEventType } from "../../api/types.ts";
import { StoreError, type ListResult, type Store, type StoreEvent } from "../storage/store.ts";

/** The annotation on the BOOKMARK that ends a watch-list's initial events. */
export const INITIAL_EVENTS_END = "k8s.io/initial-events-end";

/** Live events buffered for a reader that does not keep up; past this the stream ends (the client re-watches). */
const MAX_BACKLOG = 10_000;

export interface WatchSpec {
  /** Store key prefix watched, e.g. "/pods/default/". */
  prefix: string;
  /** Which objects the watcher sees (selectors); applied to old and new state. */
  filter: (obj: ApiObject) => boolean;
  /** Revision to watch after; undefined: start from the current state. */
  fromRev?: number;
  /** Send synthetic ADDED events for the current matching objects first (fromRev must be undefined). */
  initialEvents: boolean;
  /** After the initial events, a BOOKMARK annotated k8s.io/initial-events-end (watch-list). */
  initialEventsEnd: boolean;
  /** Periodic BOOKMARK events. */
  bookmarks: boolean;
  /** End the stream after this long. */
  timeoutMs?: number;
  /** Ends the stream (client gone). */
  signal?: AbortSignal;
  /** kind/apiVersion for BOOKMARK objects. */
  typeMeta: { kind: string; apiVersion: string };
  /** Turns a stored object into what the event carries (type meta added; Table row; metadata only). */
  encode: (type: WatchEventType, obj: ApiObject) => unknown;
}

export interface WatchHubOptions {
  store: Store;
  bookmarkIntervalMs: number;
  /** Unexpected failures inside a stream (an encoder throwing); the stream ends with an ERROR event. */
  onError?: (err: unknown) => void;
}

/** Keeps track of open watches so the server can end them all on close. */
export class WatchHub {
  private readonly opts: WatchHubOptions;
  private readonly open = new Set<() => void>();
  private closed = false;

  constructor(opts: WatchHubOptions) {
    this.opts = opts;
  }

  /** Number of streams currently subscribed to the store (for leak checks). */
  get size(): number {
    return this.open.size;
  }

  /**
   * A stream of `JSON.stringify(event) + "\n"` lines. The store is subscribed to on the
   * first read; the subscription, timers and abort listener are released when the stream
   * ends for any reason (timeout, abort, close(), the reader calling return()).
   */
  stream(spec: WatchSpec): AsyncIterable<string> {
    // The starting state is taken now, at request time; the subscription replays from its
    // revision on the first read, so nothing between the two is lost.
    const snapshot = spec.fromRev === undefined ? this.opts.store.list(spec.prefix) : undefined;
    return { [Symbol.asyncIterator]: () => this.run(spec, snapshot) };
  }

  /** Ends every open stream. Idempotent. */
  closeAll(): void {
    this.closed = true;
    for (const end of [...this.open]) end();
  }

  private async *run(spec: WatchSpec, snapshot: ListResult | undefined): AsyncGenerator<string> {
    if (this.closed || spec.signal?.aborted) return;
    const { store } = this.opts;
    const lines: string[] = [];
    let head = 0;
    let ended = false;
    let wake: (() => void) | undefined;
    let stopStore: (() => void) | undefined;
    let bookmarkTimer: ReturnType<typeof setInterval> | undefined;
    let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
    let lastRev = 0;

    const push = (type: WatchEventType, object: unknown): void => {
      if (ended) return;
      lines.push(JSON.stringify({ type, object }) + "\n");
      wake?.();
    };
    const cleanup = (): void => {
      stopStore?.();
      stopStore = undefined;
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      if (timeoutTimer) clearTimeout(timeoutTimer);
      spec.signal?.removeEventListener("abort", end);
      this.open.delete(end);
    };
    function end(): void {
      ended = true;
      cleanup();
      wake?.();
    }
    const fail = (err: unknown): void => {
      this.opts.onError?.(err);
      push("ERROR", internalError(err).status);
      ended = true;
      cleanup();
    };
    const bookmark = (rev: number, initialEnd: boolean): unknown => {
      const metadata: ApiObject["metadata"] = { resourceVersion: String(rev) };
      if (initialEnd) metadata.annotations = { [INITIAL_EVENTS_END]: "true" };
      return { ...spec.typeMeta, metadata };
    };

    const onEvent = (e: StoreEvent): void => {
      if (ended) return;
      lastRev = Math.max(lastRev, e.rev);
      try {
        const now = e.type === "DELETED" ? false : spec.filter(e.object);
        const before = e.type === "ADDED" ? false : spec.filter(e.type === "DELETED" ? e.object : (e.prev ?? e.object));
        if (e.type === "DELETED") {
          if (before) push("DELETED", spec.encode("DELETED", e.object));
        } else if (now && before) push("MODIFIED", spec.encode("MODIFIED", e.object));
        else if (now) push("ADDED", spec.encode("ADDED", e.object));
        else if (before && e.prev) {
          // Stopped matching: the previous content, stamped with this event's revision (as the watch cache does).
          const prev = { ...e.prev, metadata: { ...e.prev.metadata, resourceVersion: String(e.rev) } };
          push("DELETED", spec.encode("DELETED", prev));
        }
      } catch (err) {
        fail(err);
        return;
      }
      if (lines.length - head > MAX_BACKLOG) end();
    };

    this.open.add(end);
    spec.signal?.addEventListener("abort", end, { once: true });
    try {
      let from: number;
      if (snapshot) {
        const listed = snapshot;
        from = listed.rev;
        if (spec.initialEvents) {
          for (const o of listed.items) if (spec.filter(o)) push("ADDED", spec.encode("ADDED", o));
        }
        if (spec.initialEventsEnd) push("BOOKMARK", bookmark(from, true));
      } else {
        from = spec.fromRev ?? store.rev();
      }
      lastRev = from;
      try {
        stopStore = store.watch(spec.prefix, from, onEvent);
      } catch (e) {
        if (!(e instanceof StoreError && e.code === "compacted")) throw e;
        push("ERROR", gone(e.message).status satisfies Status);
        ended = true;
        cleanup();
      }
      if (!ended) {
        if (spec.bookmarks) {
          bookmarkTimer = setInterval(() => push("BOOKMARK", bookmark(lastRev, false)), this.opts.bookmarkIntervalMs);
          bookmarkTimer.unref?.();
        }
        if (spec.timeoutMs !== undefined) {
          timeoutTimer = setTimeout(end, spec.timeoutMs);
          timeoutTimer.unref?.();
        }
      }
    } catch (err) {
      fail(err);
    }

    try {
      for (;;) {
        while (head < lines.length) {
          const line = lines[head]!;
          lines[head++] = "";
          if (head > 1024 && head * 2 > lines.length) {
            lines.splice(0, head);
            head = 0;
          }
          yield line;
          if (spec.signal?.aborted) return;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      end();
    }
  }
}
