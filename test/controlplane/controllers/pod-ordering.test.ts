// Upstream's ActivePods ordering: which pod a replication controller deletes first.
import { expect, test } from "vitest";
import type { Pod } from "../../../src/api/types.ts";
import { compareForDeletion, isPodAvailable, podsToDelete } from "../../../src/controlplane/controllers/pod-ordering.ts";

function p(name: string, o: { node?: string; phase?: string; ready?: string; cost?: string; restarts?: number; created?: string } = {}): Pod {
  return {
    metadata: { name, creationTimestamp: o.created ?? "2024-05-01T10:00:00Z", ...(o.cost ? { annotations: { "controller.kubernetes.io/pod-deletion-cost": o.cost } } : {}) },
    spec: { containers: [{ name: "c" }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? "Running",
      conditions: o.ready ? [{ type: "Ready", status: "True", lastTransitionTime: o.ready }] : [],
      containerStatuses: [{ name: "c", image: "", imageID: "", ready: Boolean(o.ready), restartCount: o.restarts ?? 0 }],
    },
  };
}

test.each([
  ["unassigned before assigned", p("a"), p("b", { node: "n" })],
  ["Pending before Unknown", p("a", { node: "n", phase: "Pending" }), p("b", { node: "n", phase: "Unknown" })],
  ["Unknown before Running", p("a", { node: "n", phase: "Unknown" }), p("b", { node: "n" })],
  ["not ready before ready", p("a", { node: "n" }), p("b", { node: "n", ready: "2024-05-01T10:00:00Z" })],
  ["lower deletion cost first", p("a", { node: "n", cost: "-5" }), p("b", { node: "n" })],
  ["ready for less time first", p("a", { node: "n", ready: "2024-05-01T11:00:00Z" }), p("b", { node: "n", ready: "2024-05-01T10:00:00Z" })],
  ["more restarts first", p("a", { node: "n", restarts: 3 }), p("b", { node: "n", restarts: 1 })],
  ["newer first", p("a", { node: "n", created: "2024-05-01T11:00:00Z" }), p("b", { node: "n" })],
])("%s", (_what, first, second) => {
  expect(compareForDeletion(first, second)).toBeLessThan(0);
  expect(compareForDeletion(second, first)).toBeGreaterThan(0);
});

test("pods doubled up on a node go before lone ones", () => {
  const pods = [p("lone", { node: "n1" }), p("twin1", { node: "n2" }), p("twin2", { node: "n2" })];
  expect(podsToDelete(pods, pods, 2).map((x) => x.metadata.name).sort()).toEqual(["twin1", "twin2"]);
  expect(podsToDelete(pods, pods, 0)).toEqual([]);
});

test("available once ready for minReadySeconds", () => {
  const pod = p("a", { node: "n", ready: "2024-05-01T10:00:00Z" });
  expect(isPodAvailable(pod, 0, new Date("2024-05-01T10:00:00Z"))).toBe(true);
  expect(isPodAvailable(pod, 30, new Date("2024-05-01T10:00:29Z"))).toBe(false);
  expect(isPodAvailable(pod, 30, new Date("2024-05-01T10:00:30Z"))).toBe(true);
  expect(isPodAvailable(p("b", { node: "n" }), 0, new Date())).toBe(false);
});
