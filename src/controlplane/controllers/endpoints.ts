// The endpoints controller: keeps each selector service's Endpoints (same name) in step with
// the pods it selects — ready ones as addresses, the others as notReadyAddresses.
import { isApiError } from "../../api/errors.ts";
import type { Resource } from "../../api/resources.ts";
import type { EndpointAddress, Endpoints, Pod, Service } from "../../api/types.ts";
import { keyOf } from "./informer.ts";
import { KeyQueue } from "./key-queue.ts";
import { isPodReady } from "./pod-ordering.ts";
import { BY_NAMESPACE, sameJson, selects, splitKey, type Controller, type ControllerContext } from "./shared.ts";

/** Label on the Endpoints of a headless service. */
export const HEADLESS_LABEL = "service.kubernetes.io/headless";
/** Upstream truncates an Endpoints object at this many addresses. */
export const MAX_ADDRESSES = 1000;

type Subset = NonNullable<Endpoints["subsets"]>[number];
type EndpointPort = NonNullable<Subset["ports"]>[number];

export interface EndpointsOptions {
  /** Services synced at once (--concurrent-endpoint-syncs, 5). */
  workers?: number;
}

/** The container port a service targetPort names or numbers on this pod; undefined when it has none by that name. */
export function resolveTargetPort(pod: Pod, targetPort: number | string | undefined, port: number): number | undefined {
  if (targetPort === undefined || targetPort === "" || targetPort === 0) return port;
  if (typeof targetPort === "number") return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === targetPort) return p.containerPort;
  }
  return undefined;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const addrKey = (a: EndpointAddress): string => `${a.ip}\0${a.targetRef?.uid ?? ""}`;
const portsKey = (ports: EndpointPort[]): string => ports.map((p) => `${p.name ?? ""}:${p.port}/${p.protocol ?? "TCP"}`).join(",");

/**
 * The subsets for a service over these pods (endpoints.RepackSubsets): pods without an IP,
 * terminating or finished are skipped; addresses with the same resolved ports share a subset;
 * addresses, ports and subsets are sorted so equal inputs give equal output.
 */
export function computeSubsets(svc: Service, pods: Pod[]): Subset[] {
  const spec = svc.spec ?? {};
  const publishNotReady = spec.publishNotReadyAddresses === true;
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  let count = 0;
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const phase = pod.status?.phase;
    if (!ip || pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed") continue;
    if (count >= MAX_ADDRESSES) break;
    const ports: EndpointPort[] = [];
    for (const sp of spec.ports ?? []) {
      const port = resolveTargetPort(pod, sp.targetPort, sp.port);
      if (port === undefined) continue;
      const ep: EndpointPort = { port, protocol: sp.protocol || "TCP" };
      if (sp.name) ep.name = sp.name;
      ports.push(ep);
    }
    if ((spec.ports ?? []).length > 0 && ports.length === 0) continue;
    ports.sort((a, b) => cmp(a.name ?? "", b.name ?? "") || a.port - b.port);
    const addr: EndpointAddress = { ip };
    const hostname = pod.spec?.["hostname"];
    if (typeof hostname === "string" && hostname && pod.spec?.["subdomain"] === svc.metadata.name) addr.hostname = hostname;
    if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
    addr.targetRef = { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
    const k = portsKey(ports);
    let g = groups.get(k);
    if (!g) { g = { ports, ready: [], notReady: [] }; groups.set(k, g); }
    (publishNotReady || isPodReady(pod) ? g.ready : g.notReady).push(addr);
    count++;
  }
  const out: Subset[] = [];
  for (const k of [...groups.keys()].sort(cmp)) {
    const g = groups.get(k)!;
    const s: Subset = {};
    if (g.ready.length) s.addresses = g.ready.sort((a, b) => cmp(addrKey(a), addrKey(b)));
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort((a, b) => cmp(addrKey(a), addrKey(b)));
    if (g.ports.length) s.ports = g.ports;
    out.push(s);
  }
  return out;
}

/**
 * The endpoints controller. Services without a selector are left alone (their Endpoints are
 * the user's); an Endpoints object is written only when its subsets or labels change, and
 * deleted with its service.
 */
export class EndpointsController implements Controller {
  readonly name = "endpoints";
  readonly resources: readonly Resource[] = ["services", "pods", "endpoints"];
  private readonly ctx: ControllerContext;
  private readonly queue: KeyQueue;
  private readonly early = new Set<string>();
  private started = false;

  constructor(ctx: ControllerContext, opts: EndpointsOptions = {}) {
    this.ctx = ctx;
    this.queue = new KeyQueue((key) => this.sync(key), {
      workers: opts.workers ?? 5, clock: ctx.clock,
      onError: (key, err) => ctx.onError(`endpoints: syncing ${key}`, err),
    });
  }

  private get services() { return this.ctx.informers.get("services"); }
  private get pods() { return this.ctx.informers.get("pods"); }
  private get endpoints() { return this.ctx.informers.get("endpoints"); }

  register(): void {
    this.services.addEventHandler({
      onAdd: (s) => this.enqueue(keyOf(s)),
      onUpdate: (_o, s) => this.enqueue(keyOf(s)),
      onDelete: (s) => this.enqueue(keyOf(s)),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (o, p) => {
        if (!relevantChange(o, p)) return;
        this.podChanged(p);
        if (!sameJson(o.metadata.labels, p.metadata.labels)) this.podChanged(o);
      },
      onDelete: (p) => this.podChanged(p),
    });
    this.endpoints.addEventHandler({
      // Someone else changed or removed what we manage: converge again.
      onUpdate: (_o, e) => { if (this.services.get(keyOf(e))) this.enqueue(keyOf(e)); },
      onDelete: (e) => { if (this.services.get(keyOf(e))) this.enqueue(keyOf(e)); },
    });
  }

  run(): void {
    this.started = true;
    for (const k of this.early) this.queue.add(k);
    this.early.clear();
    for (const s of this.services.list()) this.queue.add(keyOf(s));
    // Endpoints whose service went while nobody watched.
    for (const e of this.endpoints.list()) if (!this.services.get(keyOf(e))) this.queue.add(keyOf(e));
  }

  async stop(): Promise<void> {
    await this.queue.shutDown();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private enqueue(key: string): void {
    if (this.started) this.queue.add(key);
    else this.early.add(key);
  }

  private podChanged(p: Pod): void {
    for (const s of this.services.byIndex(BY_NAMESPACE, p.metadata.namespace ?? "")) {
      if (selects(s.spec?.selector, p.metadata.labels)) this.enqueue(keyOf(s));
    }
  }

  /** One reconcile of the service under key. Idempotent; writes nothing when nothing changed. */
  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(key);
    const current = this.endpoints.get(key);
    if (!svc) {
      if (!current) return;
      try {
        await this.ctx.client.delete("endpoints", namespace, name, current.metadata.uid ? { preconditions: { uid: current.metadata.uid } } : {});
      } catch (e) {
        if (!isApiError(e, "NotFound") && !isApiError(e, "Conflict")) throw e;
      }
      return;
    }
    if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) return;
    const pods = this.pods.byIndex(BY_NAMESPACE, namespace ?? "").filter((p) => selects(svc.spec.selector, p.metadata.labels));
    const subsets = computeSubsets(svc, pods);
    const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
    if (svc.spec.clusterIP === "None") labels[HEADLESS_LABEL] = "";
    if (current && sameJson(current.subsets ?? [], subsets) && sameJson(current.metadata.labels ?? {}, labels)) return;
    const body: Endpoints = {
      apiVersion: "v1", kind: "Endpoints",
      metadata: { ...(current?.metadata ?? {}), name, namespace, labels },
    };
    if (Object.keys(labels).length === 0) delete body.metadata.labels;
    if (subsets.length > 0) body.subsets = subsets;
    if (current) {
      await this.ctx.client.update("endpoints", namespace, body);
    } else {
      // AlreadyExists (the cache is behind) fails the sync: the retry sees the object.
      await this.ctx.client.create("endpoints", namespace, body);
    }
  }
}

/** Whether a pod update can change any Endpoints (IP, readiness, phase, labels, ports, node, deletion). */
function relevantChange(o: Pod, p: Pod): boolean {
  return o.status?.podIP !== p.status?.podIP || isPodReady(o) !== isPodReady(p) || o.status?.phase !== p.status?.phase
    || !sameJson(o.metadata.labels, p.metadata.labels) || o.spec?.nodeName !== p.spec?.nodeName
    || Boolean(o.metadata.deletionTimestamp) !== Boolean(p.metadata.deletionTimestamp)
    || !sameJson(o.spec?.containers?.map((c) => c.ports), p.spec?.containers?.map((c) => c.ports));
}
