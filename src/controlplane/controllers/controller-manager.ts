// The controller manager: runs the scheduler, replication manager, endpoints controller, node
// lifecycle controller, garbage collector and build controllers as API clients over one set of shared informers.
import type { ApiClient } from "../../client/api-client.ts";
import { realClock, type Clock } from "../../deps.ts";
import { EndpointsController, type EndpointsOptions } from "./endpoints.ts";
import { EventRecorder } from "./events.ts";
import { GarbageCollector, type GarbageCollectorOptions } from "./garbage-collector.ts";
import { NodeLifecycleController, type NodeLifecycleOptions } from "./node-lifecycle.ts";
import { ReplicationManager, type ReplicationOptions } from "./replication.ts";
import { SchedulerController, type SchedulerOptions } from "./scheduler.ts";
import { SharedInformers, type Controller, type ControllerContext } from "./shared.ts";
import { startDeploymentControllers } from "./deploymentconfigs/index.ts";
import { startBuildControllers, type BuildControllerOptions, type BuildControllers } from "./builds/index.ts";
import { ImageTriggerController } from "./image-trigger.ts";

export type ControllerName = "scheduler" | "replication" | "endpoints" | "node-lifecycle" | "garbage-collector" | "builds" | "deployments";
export const ALL_CONTROLLERS: readonly ControllerName[] = ["scheduler", "replication", "endpoints", "node-lifecycle", "garbage-collector", "builds", "deployments"];

export interface ControllerManagerOptions {
  /** Which controllers run (default: all). */
  controllers?: readonly ControllerName[];
  scheduler?: SchedulerOptions;
  replication?: ReplicationOptions;
  endpoints?: EndpointsOptions;
  nodeLifecycle?: NodeLifecycleOptions;
  garbageCollector?: GarbageCollectorOptions;
  /** Builds, BuildConfig triggers and image stream tag tracking. */
  builds?: BuildControllerOptions;
  /** Failures the controllers retry anyway, as log lines. */
  log?: (line: string) => void;
}

export interface ControllerManager {
  readonly informers: SharedInformers;
  readonly scheduler?: SchedulerController;
  readonly replication?: ReplicationManager;
  readonly endpoints?: EndpointsController;
  readonly nodeLifecycle?: NodeLifecycleController;
  readonly garbageCollector?: GarbageCollector;
  readonly builds?: BuildControllers;
  /** Resolves once every controller has synced its informers and started. */
  readonly started: Promise<void>;
  /** Stops every controller and informer; resolves when work in flight is done. Idempotent. */
  stop(): Promise<void>;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Starts the controllers over `client` (in-process or HTTPS, as any API client). Each runs as
 * soon as the informers it reads have listed; nothing it does depends on memory of an earlier
 * run, so a restarted manager converges from what the API server holds.
 */
export function startControllers(opts: {
  client: ApiClient; clock?: Clock; random?: () => number; options?: ControllerManagerOptions;
}): ControllerManager {
  const o = opts.options ?? {};
  const clock = opts.clock ?? realClock;
  const log = o.log ?? (() => {});
  let stopped = false;
  // After stop, writes still queued (events) fail as the server goes away: not worth a line each.
  const onError = (where: string, err: unknown): void => { if (!stopped) log(`${where}: ${describe(err)}`); };
  const informers = new SharedInformers(opts.client, { clock, onError: (e) => onError("informer", e) });
  const recorders = new Map<string, EventRecorder>();
  const ctx: ControllerContext = {
    client: opts.client, clock, random: opts.random ?? Math.random, informers, onError,
    recorder(component) {
      let r = recorders.get(component);
      if (!r) {
        r = new EventRecorder(opts.client, { source: { component }, clock, onError: (e) => onError(`event from ${component}`, e) });
        recorders.set(component, r);
      }
      return r;
    },
  };
  const enabled = new Set(o.controllers ?? ALL_CONTROLLERS);
  const scheduler = enabled.has("scheduler") ? new SchedulerController(ctx, o.scheduler) : undefined;
  const replication = enabled.has("replication") ? new ReplicationManager(ctx, o.replication) : undefined;
  const endpoints = enabled.has("endpoints") ? new EndpointsController(ctx, o.endpoints) : undefined;
  const nodeLifecycle = enabled.has("node-lifecycle") ? new NodeLifecycleController(ctx, o.nodeLifecycle) : undefined;
  const garbageCollector = enabled.has("garbage-collector") ? new GarbageCollector(ctx, o.garbageCollector) : undefined;
  const builds = enabled.has("builds") ? startBuildControllers(ctx, o.builds) : undefined;
  // the annotation image triggers of Deployments and StatefulSets run with their controllers
  const deployments = enabled.has("deployments") ? [...startDeploymentControllers(ctx), new ImageTriggerController(ctx)] : [];
  const controllers: Controller[] = [scheduler, replication, endpoints, nodeLifecycle, garbageCollector, ...(builds?.all ?? []), ...deployments].filter((c): c is NonNullable<typeof c> => c !== undefined);
  for (const c of controllers) c.register();
  informers.start();
  const started = Promise.all(controllers.map(async (c) => {
    await informers.synced(c.resources);
    if (!stopped) c.run();
  })).then(() => undefined);
  started.catch(() => {});     // stop() before the informers listed is not an error
  let stopping: Promise<void> | undefined;
  return {
    informers, scheduler, replication, endpoints, nodeLifecycle, garbageCollector, builds, started,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await Promise.all(controllers.map((c) => c.stop()));
        await informers.stop();
        for (const r of recorders.values()) r.stop();
      })();
      return stopping;
    },
  };
}
