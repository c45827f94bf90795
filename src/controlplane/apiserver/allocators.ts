// Service cluster IP and node port allocation, done in the API server's service write path as
// kube-apiserver's service REST storage does: never the same IP or node port twice.
import { ApiError, failure, fieldInvalid, internalError, invalid, type FieldError } from "../../api/errors.ts";
import type { ApiObject, Service } from "../../api/types.ts";
import type { Store, StoreEvent } from "../storage/store.ts";
import type { Admission, AdmitContext } from "./strategy.ts";

/** OpenShift's default service network. */
export const DEFAULT_SERVICE_CIDR = "172.30.0.0/16";
/** kube-apiserver's default --service-node-port-range. */
export const DEFAULT_NODE_PORT_RANGE = { base: 30000, size: 2768 };
/** The `kubernetes` service in `default` always gets the first address of the range. */
export const KUBERNETES_SERVICE_NAME = "kubernetes";

const needsNodePorts = (type: string | undefined): boolean => type === "NodePort" || type === "LoadBalancer";

function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** An IPv4 CIDR as base address and size. Throws on anything else. */
export function parseCidr(cidr: string): { base: number; size: number; text: string } {
  const [ip, bits] = cidr.split("/");
  const base = ipToInt(ip ?? "");
  const prefix = Number(bits);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid service CIDR ${cidr}`);
  const size = 2 ** (32 - prefix);
  return { base: (base - (base % size)) >>> 0, size, text: cidr };
}

/** The first usable address of a CIDR (what the `kubernetes` service gets): 172.30.0.1. */
export function firstServiceIp(cidr = DEFAULT_SERVICE_CIDR): string {
  return intToIp(parseCidr(cidr).base + 1);
}

/** Node ports a service holds ("30080/TCP" keys), IPs it holds. */
function heldBy(svc: ApiObject | undefined): { ips: string[]; ports: string[] } {
  const spec = (svc as Service | undefined)?.spec;
  if (!spec) return { ips: [], ports: [] };
  const ips = new Set<string>();
  if (spec.type !== "ExternalName") {
    for (const ip of [spec.clusterIP, ...(spec.clusterIPs ?? [])]) if (ip && ip !== "None") ips.add(ip);
  }
  const ports = new Set<string>();
  for (const p of spec.ports ?? []) if (p && p.nodePort) ports.add(portKey(p.nodePort, p.protocol));
  return { ips: [...ips], ports: [...ports] };
}

// Upstream keeps one node port allocator for every protocol: a port held over TCP is taken for UDP too.
const portKey = (port: number, _protocol?: string): string => String(port);

export interface ServiceAllocatorOptions {
  store: Store;
  random: () => number;
  /** Default 172.30.0.0/16. */
  serviceCidr?: string;
  /** Default 30000–32767. */
  nodePorts?: { base: number; size: number };
}

/**
 * Who holds each cluster IP and node port, derived from the stored services (read at start,
 * then followed through the store's watch, so deletes — also a namespace purge's — free what
 * they held) plus reservations of writes in flight. `admit` is the services strategy's hook.
 */
export class ServiceAllocator {
  private readonly random: () => number;
  private readonly cidr: { base: number; size: number; text: string };
  private readonly nodePorts: { base: number; size: number };
  /** ip → key of the service holding it. */
  private readonly ips = new Map<string, string>();
  /** node port → key of the service holding it. */
  private readonly ports = new Map<string, string>();
  private readonly stopWatch: () => void;

  constructor(opts: ServiceAllocatorOptions) {
    this.random = opts.random;
    this.cidr = parseCidr(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    this.nodePorts = opts.nodePorts ?? DEFAULT_NODE_PORT_RANGE;
    const listed = opts.store.list("/services/");
    for (const svc of listed.items) this.hold(keyOf(svc), svc);
    this.stopWatch = opts.store.watch("/services/", listed.rev, (e) => this.observe(e));
  }

  /** Stops following the store. */
  close(): void {
    this.stopWatch();
  }

  /** Who holds an IP (service key `ns/name`), for tests and diagnostics. */
  ipHolder(ip: string): string | undefined {
    return this.ips.get(ip);
  }

  /** Who holds a node port. */
  nodePortHolder(port: number): string | undefined {
    return this.ports.get(portKey(port));
  }

  private observe(e: StoreEvent): void {
    const key = keyOf(e.object);
    if (e.prev) this.drop(key, e.prev, e.type === "DELETED" ? undefined : e.object);
    if (e.type !== "DELETED") this.hold(key, e.object);
  }

  private hold(key: string, svc: ApiObject): void {
    const h = heldBy(svc);
    for (const ip of h.ips) this.ips.set(ip, key);
    for (const p of h.ports) this.ports.set(p, key);
  }

  /** Frees what `old` held and `next` (if any) no longer does, when still held by key. */
  private drop(key: string, old: ApiObject, next: ApiObject | undefined): void {
    const o = heldBy(old);
    const n = heldBy(next);
    for (const ip of o.ips) if (!n.ips.includes(ip) && this.ips.get(ip) === key) this.ips.delete(ip);
    for (const p of o.ports) if (!n.ports.includes(p) && this.ports.get(p) === key) this.ports.delete(p);
  }

  /**
   * Fills in and reserves spec.clusterIP/clusterIPs and nodePorts of a service being created
   * (prev undefined) or updated. Requested values must be in range and free (422 otherwise);
   * headless (`None`) and ExternalName services get no IP; NodePort and LoadBalancer services
   * get a node port per port. Returns what undoes the reservations if the write does not happen.
   */
  admit(svc: Service, prev: Service | undefined, _ctx?: AdmitContext): Admission {
    const key = keyOf(svc);
    const reserved: { map: Map<string, string>; value: string }[] = [];
    const revert = (): void => {
      // Only what this admission newly took: whatever prev holds stays held.
      for (const r of reserved) if (r.map.get(r.value) === key) r.map.delete(r.value);
      reserved.length = 0;
    };
    const take = (map: Map<string, string>, value: string): void => {
      if (map.get(value) === key) return;
      map.set(value, key);
      reserved.push({ map, value });
    };
    const errs: FieldError[] = [];
    try {
      this.admitIp(svc, prev, key, errs, take);
      this.admitNodePorts(svc, key, errs, take);
    } catch (e) {
      revert();
      throw e;
    }
    if (errs.length > 0) {
      revert();
      throw invalid("Service", svc.metadata.name ?? "", errs);
    }
    return { revert };
  }

  private admitIp(svc: Service, prev: Service | undefined, key: string, errs: FieldError[],
    take: (m: Map<string, string>, v: string) => void): void {
    const spec = svc.spec;
    if (!spec || spec.type === "ExternalName") return;
    const requested = spec.clusterIP || spec.clusterIPs?.[0] || "";
    if (requested === "None") return;
    const prevIp = prev?.spec?.type !== "ExternalName" ? prev?.spec?.clusterIP : undefined;
    if (requested) {
      if (prevIp === requested) return;                 // unchanged (immutability is validated elsewhere)
      const n = ipToInt(requested);
      if (n === undefined || n < this.cidr.base || n >= this.cidr.base + this.cidr.size) {
        errs.push(fieldInvalid("spec.clusterIP", requested,
          `provided IP is not in the valid range. The range of valid IPs is ${this.cidr.text}`));
        return;
      }
      const holder = this.ips.get(requested);
      if (holder !== undefined && holder !== key) {
        errs.push(fieldInvalid("spec.clusterIP", requested, "provided IP is already allocated"));
        return;
      }
      take(this.ips, requested);
      spec.clusterIP = requested;
      spec.clusterIPs = [requested, ...(spec.clusterIPs ?? []).slice(1)];
      return;
    }
    const ip = this.pickIp();
    if (ip === undefined) throw internalError(new Error("failed to allocate a serviceIP: range is full"));
    take(this.ips, ip);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  // The network address, the broadcast address and the first address (the `kubernetes`
  // service's) are never handed out; the search starts at a random offset, as upstream's.
  private pickIp(): string | undefined {
    const usable = this.cidr.size - 3;
    const start = Math.floor(this.random() * usable);
    for (let i = 0; i < usable; i++) {
      const ip = intToIp(this.cidr.base + 2 + ((start + i) % usable));
      if (!this.ips.has(ip)) return ip;
    }
    return undefined;
  }

  private admitNodePorts(svc: Service, key: string, errs: FieldError[], take: (m: Map<string, string>, v: string) => void): void {
    const spec = svc.spec;
    if (!spec || !needsNodePorts(spec.type)) return;
    if (spec.type === "LoadBalancer" && spec["allocateLoadBalancerNodePorts"] === false) return;
    const ports = Array.isArray(spec.ports) ? spec.ports : [];
    const taken = new Set<string>();
    ports.forEach((p, i) => {
      if (!p || !p.nodePort) return;
      const k = portKey(p.nodePort, p.protocol);
      if (p.nodePort < this.nodePorts.base || p.nodePort >= this.nodePorts.base + this.nodePorts.size) {
        errs.push(fieldInvalid(`spec.ports[${i}].nodePort`, p.nodePort,
          `provided port is not in the valid range. The range of valid ports is ${this.nodePorts.base}-${this.nodePorts.base + this.nodePorts.size - 1}`));
        return;
      }
      const holder = this.ports.get(k);
      if (holder !== undefined && holder !== key) {
        errs.push(fieldInvalid(`spec.ports[${i}].nodePort`, p.nodePort, "provided port is already allocated"));
        return;
      }
      taken.add(k);
      take(this.ports, k);
    });
    for (const p of ports) {
      if (!p || p.nodePort) continue;
      const port = this.pickPort(taken);
      if (port === undefined) throw new ApiError(failure(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full"));
      taken.add(portKey(port));
      take(this.ports, portKey(port));
      p.nodePort = port;
    }
  }

  private pickPort(taken: Set<string>): number | undefined {
    const { base, size } = this.nodePorts;
    const start = Math.floor(this.random() * size);
    for (let i = 0; i < size; i++) {
      const port = base + ((start + i) % size);
      if (!this.ports.has(portKey(port)) && !taken.has(portKey(port))) return port;
    }
    return undefined;
  }
}

function keyOf(o: ApiObject): string {
  return `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
}

/** The `kubernetes` service the API server keeps in `default` (first IP of the range, https 443 → 6443). */
export function kubernetesService(cidr = DEFAULT_SERVICE_CIDR): Service {
  const ip = firstServiceIp(cidr);
  return {
    apiVersion: "v1", kind: "Service",
    metadata: { name: KUBERNETES_SERVICE_NAME, namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
    spec: {
      type: "ClusterIP", clusterIP: ip, clusterIPs: [ip], sessionAffinity: "None",
      ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: 6443 }],
    },
  };
}
