// The skeleton the workload controllers share: a KeyQueue fed by informer handlers, keys seen
// before the informers synced held back until run(), and conflict-tolerant retries.
import { isApiError } from "../../api/errors.ts";
import type { Resource } from "../../api/resources.ts";
import { KeyQueue } from "./key-queue.ts";
import type { Controller, ControllerContext } from "./shared.ts";

/**
 * A controller that syncs `namespace/name` keys of its primary resource. Subclasses register
 * handlers that call enqueue() and implement sync(); a sync that hits a 409 Conflict (a stale
 * cache) is simply run again shortly instead of counting as a failure.
 */
export abstract class QueueController implements Controller {
  abstract readonly name: string;
  abstract readonly resources: readonly Resource[];
  protected readonly ctx: ControllerContext;
  protected readonly queue: KeyQueue;
  private readonly early = new Set<string>();
  private started = false;

  constructor(ctx: ControllerContext, workers = 3) {
    this.ctx = ctx;
    this.queue = new KeyQueue(async (key) => {
      try {
        await this.sync(key);
      } catch (e) {
        if (isApiError(e, "Conflict") || isApiError(e, "AlreadyExists")) { this.queue.addAfter(key, 50); return; }
        throw e;
      }
    }, { workers, clock: ctx.clock, onError: (key, err) => ctx.onError(`${this.name}: syncing ${key}`, err) });
  }

  abstract register(): void;
  /** One idempotent reconcile of the object under key. */
  abstract sync(key: string): Promise<void>;
  /** Keys to queue when the controller starts (every cached primary object). */
  protected abstract initialKeys(): string[];

  run(): void {
    this.started = true;
    for (const k of this.early) this.queue.add(k);
    this.early.clear();
    for (const k of this.initialKeys()) this.queue.add(k);
  }

  async stop(): Promise<void> {
    await this.queue.shutDown();
  }

  /** Resolves when nothing is queued or syncing. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  protected enqueue(key: string): void {
    if (this.started) this.queue.add(key);
    else this.early.add(key);
  }

  protected enqueueAfter(key: string, ms: number): void {
    if (this.started) this.queue.addAfter(key, ms);
    else this.early.add(key);
  }
}
