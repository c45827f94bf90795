// Where a minion learns about the pods bound to it: its own informer filtered by
// spec.nodeName (a minion in its own process), or one node's view of a pod informer shared by
// every minion of the process, so N minions cost one watch and one cache rather than N.
import type { Pod } from "../../api/types.ts";
import type { ApiClient } from "../../client/api-client.ts";
import type { Clock } from "../../deps.ts";
import { byNodeName, createInformer, type Informer, type InformerHandlers } from "../controllers/informer.ts";

/** The pods bound to one node, as a minion reads them (a subset of an Informer's contract). */
export interface NodePods {
  /** Resolves once the first LIST has been applied; rejects if stopped before that. */
  readonly synced: Promise<void>;
  /** Starts listing and watching (idempotent). */
  start(): void;
  /** The pod under `namespace/name` if it is bound to this node. */
  get(key: string): Pod | undefined;
  /** Every cached pod bound to this node. */
  list(): Pod[];
  /** Registers handlers; pods already cached are replayed to onAdd. */
  addEventHandler(h: InformerHandlers<Pod>): void;
  /** Stops delivering events; resolves when nothing more will be delivered. */
  stop(): Promise<void>;
}

/** Hands each minion the view of its own node's pods. */
export interface PodSource {
  forNode(nodeName: string): NodePods;
}

/** A minion's own informer, watching only `spec.nodeName=<node>` (the kubelet's watch). */
export function ownPodSource(client: ApiClient, opts: { clock: Clock; onError?: (err: unknown) => void }): PodSource {
  return {
    forNode(nodeName) {
      const inf = createInformer(client, "pods", { fieldSelector: `spec.nodeName=${nodeName}`, clock: opts.clock, onError: opts.onError });
      return {
        synced: inf.synced,
        start: () => { inf.start(); },
        get: (key) => inf.get(key),
        list: () => inf.list(),
        addEventHandler: (h) => { inf.addEventHandler(h); },
        stop: () => inf.stop(),
      };
    },
  };
}

/** A PodSource whose informer is shared: started with the first view, stopped by `stop()`. */
export interface SharedPodSource extends PodSource {
  /** Stops delivering to the views, and the watch if the source owns it (after the minions using it). */
  stop(): Promise<void>;
}

const NODE_INDEX = "nodeName";

/**
 * One informer over every bound pod (`spec.nodeName!=`), its events dispatched to the view
 * of the pod's node. The API server turns a pod being bound into ADDED on this watch, just
 * as on a per-node one, so each view sees what a `spec.nodeName=<node>` watch would.
 */
export function sharedPodSource(client: ApiClient, opts: { clock: Clock; onError?: (err: unknown) => void }): SharedPodSource {
  const inf: Informer<Pod> = createInformer(client, "pods", { fieldSelector: "spec.nodeName!=", clock: opts.clock, onError: opts.onError });
  inf.addIndex(NODE_INDEX, byNodeName);
  const source = podSourceOver(inf, NODE_INDEX);
  return { forNode: (node) => source.forNode(node), stop: async () => { await source.stop(); await inf.stop(); } };
}

/**
 * Node views over an informer someone else runs (e.g. the controller manager's pods, so the
 * process keeps one copy of each pod rather than two): `index` must file pods under
 * spec.nodeName. Unbound pods are in no view; a pod being bound is an add to its node's view.
 * `stop()` detaches the views and leaves the informer running.
 */
export function podSourceOver(inf: Informer<Pod>, index: string): SharedPodSource {
  const handlers = new Map<string, Set<InformerHandlers<Pod>>>();
  let detached = false;
  const each = (node: string | undefined, f: (h: InformerHandlers<Pod>) => void): void => {
    if (!node || detached) return;
    const hs = handlers.get(node);
    if (hs) for (const h of hs) f(h);
  };
  inf.addEventHandler({
    onAdd: (p) => each(p.spec?.nodeName, (h) => h.onAdd?.(p)),
    onUpdate: (o, p) => {
      const was = o.spec?.nodeName;
      const now = p.spec?.nodeName;
      if (was === now) return each(now, (h) => h.onUpdate?.(o, p));
      each(was, (h) => h.onDelete?.(o));
      each(now, (h) => h.onAdd?.(p));
    },
    onDelete: (p) => each(p.spec?.nodeName, (h) => h.onDelete?.(p)),
  });
  return {
    forNode(nodeName) {
      let stopped = false;
      let rejectSynced!: (e: unknown) => void;
      const synced = new Promise<void>((res, rej) => {
        rejectSynced = rej;
        inf.synced.then(() => { if (!stopped) res(); }, rej);
      });
      synced.catch(() => {});
      const mine: InformerHandlers<Pod>[] = [];
      const hs = handlers.get(nodeName) ?? new Set<InformerHandlers<Pod>>();
      handlers.set(nodeName, hs);
      return {
        synced,
        start: () => { inf.start(); },
        get: (key) => {
          const p = inf.get(key);
          return p?.spec?.nodeName === nodeName ? p : undefined;
        },
        list: () => inf.byIndex(index, nodeName),
        addEventHandler: (h) => {
          if (stopped) return;
          mine.push(h);
          hs.add(h);
          if (h.onAdd) for (const p of inf.byIndex(index, nodeName)) h.onAdd(p);
        },
        stop: async () => {
          if (stopped) return;
          stopped = true;
          for (const h of mine) hs.delete(h);
          if (hs.size === 0 && handlers.get(nodeName) === hs) handlers.delete(nodeName);
          rejectSynced(new Error(`pods of node ${nodeName}: stopped before they synced`));
        },
      };
    },
    stop: async () => {
      detached = true;
      handlers.clear();
    },
  };
}
