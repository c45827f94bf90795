// apps/v1 workloads end to end: Deployment → ReplicaSet → pods with a rolling update,
// StatefulSet ordering with claims from volumeClaimTemplates, and the PVC binder.
import { afterEach, describe, expect, test } from "vitest";
import type { Deployment, StatefulSet } from "../../../src/api/openshift-types.ts";
import type { PersistentVolumeClaim, Pod } from "../../../src/api/types.ts";
import { eventually, liveCluster, type LiveCluster } from "./harness.ts";

let c: LiveCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

const running = (p: Pod): boolean => p.status?.phase === "Running" && !p.metadata.deletionTimestamp
  && p.status.conditions?.find((x) => x.type === "Ready")?.status === "True";

function deployment(name: string, replicas: number, image: string): Deployment {
  return {
    apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image }] } },
    },
  };
}

describe("apps/v1 workloads", () => {
  test("a Deployment rolls from one ReplicaSet to the next within maxSurge, with revisions and conditions", async () => {
    c = await liveCluster();
    await c.seed(deployment("web", 3, "nginx:1.25"));
    const first = await eventually(async () => {
      const rs = (await c!.client.list("replicasets", "default")).items;
      return rs.length === 1 && rs[0]!.status?.availableReplicas === 3 ? rs[0] : undefined;
    }, 15_000, "first ReplicaSet available");
    const hash = first.metadata.labels?.["pod-template-hash"];
    expect(first.metadata.name).toBe(`web-${hash}`);
    expect(first.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(first.spec.selector?.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    for (let i = 0; ; i++) {
      const d = await c.client.get("deployments", "default", "web");
      d.spec.template!.spec.containers[0]!.image = "nginx:1.27";
      try { await c.client.update("deployments", "default", d); break; } catch (e) { if (i > 20) throw e; }
    }
    let maxPods = 0;
    const d = await eventually(async () => {
      const rss = (await c!.client.list("replicasets", "default")).items;
      maxPods = Math.max(maxPods, rss.reduce((n, r) => n + (r.spec.replicas ?? 0), 0));
      const dep = await c!.client.get("deployments", "default", "web");
      const prog = dep.status?.conditions?.find((x) => x.type === "Progressing");
      return (dep.status?.observedGeneration ?? 0) >= (dep.metadata.generation ?? 0) && rss.length === 2
        && prog?.reason === "NewReplicaSetAvailable" && dep.status?.updatedReplicas === 3 && dep.status.replicas === 3 ? dep : undefined;
    }, 30_000, "rollout complete");
    expect(maxPods).toBeLessThanOrEqual(4);
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(d.status?.conditions?.find((x) => x.type === "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    const rss = (await c.client.list("replicasets", "default")).items;
    const second = rss.find((r) => r.metadata.name !== first.metadata.name)!;
    expect(second.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
    expect(second.spec.template?.spec.containers[0]!.image).toBe("nginx:1.27");
    expect(rss.find((r) => r.metadata.name === first.metadata.name)?.spec.replicas).toBe(0);
    const pods = (await c.client.list("pods", "default")).items.filter(running);
    expect(pods.every((p) => p.metadata.ownerReferences?.[0]?.name === second.metadata.name)).toBe(true);
  }, 45_000);

  test("a StatefulSet creates NAME-0, NAME-1, NAME-2 in order with bound claims, and scales down from the top", async () => {
    c = await liveCluster();
    const sts: StatefulSet = {
      apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db" },
      spec: {
        replicas: 3, serviceName: "db", selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "postgres:16", volumeMounts: [{ name: "data", mountPath: "/data" }] }] } },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }],
      },
    };
    await c.seed(sts);
    const order: string[] = [];
    const pods = await eventually(async () => {
      const ps = (await c!.client.list("pods", "default", { labelSelector: "app=db" })).items;
      for (const p of ps) if (!order.includes(p.metadata.name!)) order.push(p.metadata.name!);
      return ps.length === 3 && ps.every(running) ? ps : undefined;
    }, 20_000, "3 ready pods");
    expect(order).toEqual(["db-0", "db-1", "db-2"]);
    // Each pod was created only once its predecessor was Running and Ready.
    const created = (n: string) => Date.parse(pods.find((p) => p.metadata.name === n)!.metadata.creationTimestamp!);
    const readyAt = (n: string) => Date.parse(pods.find((p) => p.metadata.name === n)!.status!.conditions!.find((x) => x.type === "Ready")!.lastTransitionTime!);
    expect(created("db-1")).toBeGreaterThanOrEqual(readyAt("db-0"));
    expect(created("db-2")).toBeGreaterThanOrEqual(readyAt("db-1"));
    const p1 = pods.find((p) => p.metadata.name === "db-1")!;
    expect(p1.spec.hostname).toBe("db-1");
    expect(p1.spec.subdomain).toBe("db");
    expect(p1.spec.volumes?.[0]).toEqual({ name: "data", persistentVolumeClaim: { claimName: "data-db-1" } });
    const claims = await eventually(async () => {
      const cs = (await c!.client.list("persistentvolumeclaims", "default")).items;
      return cs.length === 3 && cs.every((x) => x.status?.phase === "Bound") ? cs : undefined;
    }, 10_000, "3 bound claims");
    expect(claims.map((x) => x.metadata.name).sort()).toEqual(["data-db-0", "data-db-1", "data-db-2"]);
    const st = await eventually(async () => { const s = await c!.client.get("statefulsets", "default", "db"); return s.status?.readyReplicas === 3 ? s : undefined; });
    expect(st.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    for (let i = 0; ; i++) {
      const s = await c.client.get("statefulsets", "default", "db");
      s.spec.replicas = 1;
      try { await c.client.update("statefulsets", "default", s); break; } catch (e) { if (i > 20) throw e; }
    }
    const gone: string[] = [];
    await eventually(async () => {
      const names = (await c!.client.list("pods", "default", { labelSelector: "app=db" })).items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
      for (const n of ["db-2", "db-1"]) if (!names.includes(n) && !gone.includes(n)) gone.push(n);
      return names.length === 1 && names[0] === "db-0";
    }, 20_000, "scaled to 1");
    expect(gone).toEqual(["db-2", "db-1"]);
  }, 45_000);

  test("a PersistentVolumeClaim becomes Bound to pvc-<uid> with its requested capacity", async () => {
    c = await liveCluster({ minions: 1 });
    const [made] = await c.seed({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "data" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "5Gi" } } } } as PersistentVolumeClaim);
    const pvc = await eventually(async () => {
      const x = await c!.client.get("persistentvolumeclaims", "default", "data");
      return x.status?.phase === "Bound" ? x : undefined;
    }, 10_000, "Bound");
    expect(pvc.spec.volumeName).toBe(`pvc-${made!.metadata.uid}`);
    expect(pvc.status).toEqual({ phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "5Gi" } });
    expect(pvc.metadata.annotations?.["pv.kubernetes.io/bind-completed"]).toBe("yes");
  });
});
