// Pod predicates the controllers share (active, ready, available) and upstream's ActivePods
// ordering, which decides which pods a replication controller deletes first.
import type { Condition, Pod } from "../../api/types.ts";

/** The annotation that makes a pod cheaper (lower) or dearer (higher) to delete on scale-down. */
export const POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost";

/** Not finished (Succeeded/Failed) and not being deleted: counts towards replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== "Succeeded" && phase !== "Failed" && !pod.metadata.deletionTimestamp;
}

/** The pod's Ready condition, if it has one. */
export function readyCondition(pod: Pod): Condition | undefined {
  return pod.status?.conditions?.find((c) => c.type === "Ready");
}

/** Condition Ready is True. */
export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === "True";
}

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const c = readyCondition(pod);
  if (c?.status !== "True") return false;
  if (minReadySeconds <= 0) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/** Milliseconds until a ready pod becomes available, 0 when it is (or never will be without a change). */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number {
  const c = readyCondition(pod);
  if (c?.status !== "True" || minReadySeconds <= 0 || !c.lastTransitionTime) return 0;
  return Math.max(0, Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - now.getTime());
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function maxRestarts(pod: Pod): number {
  let max = 0;
  for (const s of pod.status?.containerStatuses ?? []) if (s.restartCount > max) max = s.restartCount;
  return max;
}

function time(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * controller.ActivePodsWithRanks' Less: negative when `a` should be deleted before `b`.
 * Unassigned before assigned; Pending before Unknown before Running; not ready before ready;
 * lower pod-deletion-cost first; higher rank (more siblings on its node) first; ready for less
 * time first; more restarts first; newer before older.
 */
export function compareForDeletion(a: Pod, b: Pod, rankA = 0, rankB = 0): number {
  const aAssigned = Boolean(a.spec?.nodeName);
  const bAssigned = Boolean(b.spec?.nodeName);
  if (aAssigned !== bAssigned) return aAssigned ? 1 : -1;
  const pa = PHASE_ORDINAL[a.status?.phase ?? ""] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? ""] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  if (ra && rb) {
    const ta = time(readyCondition(a)?.lastTransitionTime);
    const tb = time(readyCondition(b)?.lastTransitionTime);
    if (ta !== tb) {
      if (ta === undefined) return -1;
      if (tb === undefined) return 1;
      return tb - ta;          // became ready later = ready for less time: first
    }
  }
  const sa = maxRestarts(a);
  const sb = maxRestarts(b);
  if (sa !== sb) return sb - sa;
  const ka = time(a.metadata.creationTimestamp);
  const kb = time(b.metadata.creationTimestamp);
  if (ka !== kb) {
    if (ka === undefined) return -1;
    if (kb === undefined) return 1;
    return kb - ka;
  }
  return 0;
}

/**
 * The `n` pods to delete first, ranked as upstream's getPodsToDelete: each pod's rank is how
 * many of `related` (the controller's active pods) share its node.
 */
export function podsToDelete(pods: Pod[], related: Pod[], n: number): Pod[] {
  if (n <= 0) return [];
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: Pod): number => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  const ranked = pods.map((p) => ({ p, r: rank(p) }));
  ranked.sort((x, y) => compareForDeletion(x.p, y.p, x.r, y.r));
  return ranked.slice(0, n).map((x) => x.p);
}
