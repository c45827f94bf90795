// EventRecorder: writes core v1 Events for controllers, de-duplicating repeats the way
// client-go's legacy recorder does (count++ and lastTimestamp on the existing Event).
import { ApiError, isApiError } from "../../api/errors.ts";
import type { ApiObject, Event, ObjectReference } from "../../api/types.ts";
import type { ApiClient } from "../../client/api-client.ts";
import { realClock, type Clock } from "../../deps.ts";

export type EventType = "Normal" | "Warning";

export interface EventSource {
  /** e.g. "default-scheduler", "replication-controller", "node-controller", "kubelet". */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
}

export interface EventRecorderOptions {
  source: EventSource;
  clock?: Clock;
  /** Told about writes that finally failed (events are best-effort and never throw to callers). */
  onError?: (err: unknown, ev: Event) => void;
  /** Distinct events remembered for de-duplication (client-go: 4096). */
  cacheSize?: number;
  /** Attempts after a connection failure, and the wait between them (client-go: 12 × 10 s). */
  retries?: number;
  retryDelayMs?: number;
  /** Spam filter per source+object: burst, then one event per refill interval (client-go: 25, 5 min). */
  burst?: number;
  refillMs?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

/** metav1.Time's wire form: RFC 3339 in whole seconds. */
const wireTime = (d: Date): string => d.toISOString().replace(/\.\d+Z$/, "Z");

/** The reference an Event points at, built from an object (or passed through when already a reference). */
export function referenceTo(obj: ApiObject | ObjectReference, fieldPath?: string): ObjectReference {
  if (!("metadata" in obj) || obj.metadata === undefined) {
    const ref = { ...(obj as ObjectReference) };
    if (fieldPath) ref.fieldPath = fieldPath;
    return ref;
  }
  const o = obj as ApiObject;
  const ref: ObjectReference = { kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, uid: o.metadata.uid,
    apiVersion: o.apiVersion, resourceVersion: o.metadata.resourceVersion };
  if (fieldPath) ref.fieldPath = fieldPath;
  for (const k of Object.keys(ref) as (keyof ObjectReference)[]) if (ref[k] === undefined) delete ref[k];
  return ref;
}

/**
 * Records Events through an ApiClient. The first occurrence is created as
 * `<involvedObject.name>.<hex UnixNano>` in the object's namespace ("default" for cluster-scoped
 * objects); an identical one later (same source, object, type, reason and message) PATCHes that
 * Event's count, lastTimestamp and message instead. Writes happen one at a time in call order.
 */
export class EventRecorder {
  private readonly client: ApiClient;
  private readonly source: EventSource;
  private readonly clock: Clock;
  private readonly onError: ((err: unknown, ev: Event) => void) | undefined;
  private readonly cacheSize: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly burst: number;
  private readonly refillMs: number;
  private readonly seen = new Map<string, Seen>();                  // insertion order = LRU order
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly ac = new AbortController();
  private tail: Promise<void> = Promise.resolve();
  private lastNano = 0n;

  constructor(client: ApiClient, opts: EventRecorderOptions) {
    this.client = client;
    this.source = opts.source;
    this.clock = opts.clock ?? realClock;
    this.onError = opts.onError;
    this.cacheSize = opts.cacheSize ?? 4096;
    this.retries = opts.retries ?? 12;
    this.retryDelayMs = opts.retryDelayMs ?? 10_000;
    this.burst = opts.burst ?? 25;
    this.refillMs = opts.refillMs ?? 300_000;
  }

  /**
   * Records one event about `obj` (an object, or a reference with `fieldPath` like
   * `spec.containers{app}`). Never rejects; the promise settles once this event is written
   * (or dropped by the spam filter, or failed — see onError).
   */
  event(obj: ApiObject | ObjectReference, type: EventType, reason: string, message: string, fieldPath?: string): Promise<void> {
    const ref = referenceTo(obj, fieldPath);
    const now = this.clock.now();
    const ev: Event = {
      apiVersion: "v1", kind: "Event",
      metadata: { name: "", namespace: ref.namespace || "default" },
      involvedObject: ref,
      reason, message, type,
      source: this.source.host ? { component: this.source.component, host: this.source.host } : { component: this.source.component },
      firstTimestamp: wireTime(now),
      lastTimestamp: wireTime(now),
      count: 1,
      eventTime: null,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? "",
    };
    const write = this.tail.then(() => this.record(ev, now));
    this.tail = write;
    return write;
  }

  /** Resolves when every event recorded so far has been written (or given up). */
  flush(): Promise<void> {
    return this.tail;
  }

  /** Abandons pending retries; later events are still written. */
  stop(): void {
    this.ac.abort();
  }

  private allow(ref: ObjectReference, now: number): boolean {
    // client-go's EventSourceObjectSpamFilter: a token bucket per source + involved object.
    const key = [this.source.component, this.source.host ?? "", ref.kind, ref.namespace, ref.name, ref.uid, ref.apiVersion].join("\0");
    let b = this.buckets.get(key);
    if (!b) { b = { tokens: this.burst, at: now }; this.buckets.set(key, b); }
    const refill = Math.floor((now - b.at) / this.refillMs);
    if (refill > 0) { b.tokens = Math.min(this.burst, b.tokens + refill); b.at += refill * this.refillMs; }
    if (b.tokens <= 0) return false;
    b.tokens--;
    if (this.buckets.size > this.cacheSize) this.buckets.delete(this.buckets.keys().next().value!);
    return true;
  }

  private async record(ev: Event, now: Date): Promise<void> {
    if (!this.allow(ev.involvedObject, now.getTime())) return;
    const r = ev.involvedObject;
    const key = [ev.source!.component, ev.source!.host ?? "", r.kind, r.namespace, r.name, r.fieldPath, r.uid, r.apiVersion,
      ev.type, ev.reason, ev.message].join("\0");
    const prev = this.seen.get(key);
    if (prev) {
      ev.metadata.name = prev.name;
      ev.metadata.namespace = prev.namespace;
      ev.count = prev.count + 1;
      ev.firstTimestamp = prev.firstTimestamp;
    } else {
      ev.metadata.name = `${r.name ?? ""}.${this.unixNano(now).toString(16)}`;
    }
    const saved = await this.write(ev, prev !== undefined);
    if (!saved) return;
    this.seen.delete(key);
    this.seen.set(key, { name: saved.metadata.name ?? ev.metadata.name!, namespace: ev.metadata.namespace!, count: saved.count ?? ev.count!,
      firstTimestamp: saved.firstTimestamp ?? ev.firstTimestamp! });
    if (this.seen.size > this.cacheSize) this.seen.delete(this.seen.keys().next().value!);
  }

  private async write(ev: Event, existing: boolean): Promise<Event | undefined> {
    const ns = ev.metadata.namespace!;
    for (let attempt = 1; ; attempt++) {
      try {
        if (existing) {
          try {
            return await this.client.patch("events", ns, ev.metadata.name!, "merge",
              { count: ev.count, lastTimestamp: ev.lastTimestamp, message: ev.message });
          } catch (e) {
            // The Event may have expired or been deleted: create it again under the same name.
            if (!isApiError(e, "NotFound")) throw e;
          }
        }
        return await this.client.create("events", ns, ev);
      } catch (e) {
        // Another recorder (a minion, another controller) named its event after the same object
        // in the same millisecond: the next nanosecond is as good a name.
        if (!existing && isApiError(e, "AlreadyExists") && attempt <= 8) {
          ev.metadata.name = nextName(ev.metadata.name!);
          continue;
        }
        // A Status from the server is final (AlreadyExists, a terminating namespace, invalid).
        if (e instanceof ApiError || attempt > this.retries || this.ac.signal.aborted) {
          this.onError?.(e, ev);
          return undefined;
        }
        try {
          await this.clock.sleep(this.retryDelayMs, this.ac.signal);
        } catch {
          this.onError?.(e, ev);
          return undefined;
        }
      }
    }
  }

  // Two events in the same millisecond must still get distinct names.
  private unixNano(now: Date): bigint {
    let n = BigInt(now.getTime()) * 1_000_000n;
    if (n <= this.lastNano) n = this.lastNano + 1n;
    this.lastNano = n;
    return n;
  }
}

/** `<name>.<hex>` with the hex number one higher. */
function nextName(name: string): string {
  const i = name.lastIndexOf(".");
  return `${name.slice(0, i)}.${(BigInt(`0x${name.slice(i + 1)}`) + 1n).toString(16)}`;
}
