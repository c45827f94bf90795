// IPv4 address bookkeeping for minions: a node's pod CIDR as a pool of pod IPs, and the choice
// of a free /24 for a node out of the cluster's pod network.

/** The cluster pod network minions carve their /24s from (OpenShift SDN's default). */
export const CLUSTER_POD_NETWORK = "10.128.0.0/14";

export function ipToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${ip}`);
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Parses "a.b.c.d/n" into its network address (as an integer) and prefix length. */
export function parseCidr(cidr: string): { base: number; bits: number } {
  const [ip, b] = cidr.split("/");
  const bits = Number(b);
  if (!ip || !/^\d+$/.test(b ?? "") || bits < 0 || bits > 32) throw new Error(`not an IPv4 CIDR: ${cidr}`);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, bits };
}

/**
 * Pod IPs of one node's CIDR. The network address, the gateway (first host, as the bridge
 * CNI plugin takes it) and the broadcast address are never handed out. Allocation goes round
 * from the last address given, as host-local IPAM does, so a freed IP is not reused at once.
 */
export class IpPool {
  readonly cidr: string;
  private readonly first: number;
  private readonly last: number;
  private readonly used = new Set<number>();
  private next: number;

  constructor(cidr: string) {
    this.cidr = cidr;
    const { base, bits } = parseCidr(cidr);
    const size = 2 ** (32 - bits);
    if (size < 4) throw new Error(`pod CIDR ${cidr} is too small`);
    this.first = base + 2;
    this.last = base + size - 2;
    this.next = this.first;
  }

  /** How many addresses can be handed out in all. */
  get capacity(): number {
    return this.last - this.first + 1;
  }

  get inUse(): number {
    return this.used.size;
  }

  /** The range as host-local IPAM names it in its exhaustion error. */
  get range(): string {
    return `${intToIp(this.first - 1)}-${intToIp(this.last)}`;
  }

  /** A free address, or undefined when the pool is exhausted. */
  allocate(): string | undefined {
    const n = this.capacity;
    for (let i = 0; i < n; i++) {
      const cand = this.next;
      this.next = cand >= this.last ? this.first : cand + 1;
      if (!this.used.has(cand)) {
        this.used.add(cand);
        return intToIp(cand);
      }
    }
    return undefined;
  }

  /** Claims a given address (adopting a pod after a restart); false if taken or outside the pool. */
  reserve(ip: string): boolean {
    let n: number;
    try { n = ipToInt(ip); } catch { return false; }
    if (n < this.first || n > this.last || this.used.has(n)) return false;
    this.used.add(n);
    return true;
  }

  release(ip: string): void {
    try { this.used.delete(ipToInt(ip)); } catch { /* not ours */ }
  }
}

/**
 * The first /24 of `network` that is in none of `taken` (CIDRs of other nodes). Throws when
 * every one is taken.
 */
export function pickPodCidr(taken: Iterable<string>, network = CLUSTER_POD_NETWORK): string {
  const { base, bits } = parseCidr(network);
  const used = new Set<number>();
  for (const c of taken) {
    try {
      const p = parseCidr(c);
      if (p.bits >= 24) used.add(((p.base >>> 8) << 8) >>> 0);
      else for (let s = 0; s < 2 ** (24 - p.bits); s++) used.add(p.base + s * 256);
    } catch { /* another family or malformed: cannot collide */ }
  }
  const count = bits >= 24 ? 1 : 2 ** (24 - bits);
  for (let i = 0; i < count; i++) {
    const cand = base + i * 256;
    if (!used.has(cand)) return `${intToIp(cand)}/24`;
  }
  throw new Error(`no free /24 left in the pod network ${network}`);
}
