// `skiff run`: argv parsing, the RC or Pod it builds, and runs against an in-process cluster.
import { afterEach, beforeEach, expect, test } from "vitest";
import runCommand, { buildRunObject, type RunOptions } from "../../src/commands/run.ts";
import { testDeps } from "../helpers/test-deps.ts";
import { testCluster, type TestCluster } from "../helpers/test-cluster.ts";

let c: TestCluster;
beforeEach(async () => { c = await testCluster({ now: "2024-05-01T12:00:00Z" }); });
afterEach(async () => { await c.close(); });

const base: RunOptions = {
  name: "web", image: "nginx", replicas: 1, env: [], labels: { run: "web" }, restart: "Always",
  args: [], command: false, dryRun: "none", port: undefined, imagePullPolicy: undefined, output: undefined,
};

test.each<[string[], Record<string, unknown>, Partial<RunOptions> | string]>([
  [["web"], { image: "nginx", env: [], restart: "Always", replicas: "1" }, {}],
  [["web", "sleep", "10"], { image: "busybox", env: ["A=1", "B=x=y"], restart: "Never", replicas: "1", command: true, port: "80", labels: "app=web,tier=fe" },
    { image: "busybox", args: ["sleep", "10"], command: true, restart: "Never", port: 80, env: [{ name: "A", value: "1" }, { name: "B", value: "x=y" }], labels: { app: "web", tier: "fe" } }],
  [[], { image: "nginx", env: [], restart: "Always" }, "NAME is required for run"],
  [["web"], { env: [], restart: "Always" }, "--image is required"],
  [["web"], { image: "Bad Image", env: [], restart: "Always" }, "Invalid image name \"Bad Image\": invalid reference format"],
  [["web"], { image: "nginx", env: [], restart: "Sometimes" }, "invalid restart policy: Sometimes"],
  [["web"], { image: "nginx", env: ["=x"], restart: "Always" }, "invalid env: =x"],
  [["web"], { image: "nginx", env: [], restart: "Always", labels: "app" }, "invalid label spec: app"],
  [["web"], { image: "nginx", env: [], restart: "Always", port: "http" }, "strconv.Atoi: parsing \"http\": invalid syntax"],
])("complete %j %j", (args, flags, want) => {
  const deps = testDeps().deps;
  if (typeof want === "string") {
    expect(() => runCommand.complete(args, flags as never, deps)).toThrow(want);
    return;
  }
  const o = runCommand.complete(args, flags as never, deps) as RunOptions;
  expect(o).toMatchObject({ ...want });
});

test("--restart=Never with --replicas other than 1 is kubectl 1.17's usage error", () => {
  expect(() => runCommand.validate!({ ...base, restart: "Never", replicas: 3 })).toThrow("--restart=Never requires that --replicas=1, found 3");
});

test("buildRunObject: an RC whose selector and template labels are the labels", () => {
  expect(buildRunObject({ ...base, replicas: 3, port: 80 })).toEqual({
    apiVersion: "v1", kind: "ReplicationController",
    metadata: { name: "web", labels: { run: "web" } },
    spec: {
      replicas: 3, selector: { run: "web" },
      template: { metadata: { labels: { run: "web" } }, spec: { containers: [{ name: "web", image: "nginx", ports: [{ containerPort: 80 }], resources: {} }] } },
    },
  });
});

test("run creates a replication controller by default, a pod with --restart=Never", async () => {
  expect(await c.run("run web --image=nginx --replicas=3 --port=80")).toEqual({ code: 0, stdout: "replicationcontroller/web created\n", stderr: "" });
  const rc = await c.client.get("replicationcontrollers", "default", "web");
  expect(rc.spec).toMatchObject({ replicas: 3, selector: { run: "web" } });
  expect(rc.spec.template?.spec.containers[0]).toMatchObject({ name: "web", image: "nginx", ports: [{ containerPort: 80, protocol: "TCP" }] });

  expect(await c.run("run once --image=busybox --restart=Never --command -- sh -c 'echo hi'")).toEqual({ code: 0, stdout: "pod/once created\n", stderr: "" });
  const pod = await c.client.get("pods", "default", "once");
  expect(pod.spec.restartPolicy).toBe("Never");
  expect(pod.spec.containers[0].command).toEqual(["sh", "-c", "echo hi"]);
  expect(pod.metadata.labels).toEqual({ run: "once" });

  expect(await c.run("run web --image=nginx")).toEqual({ code: 1, stdout: "", stderr: "Error from server (AlreadyExists): replicationcontrollers \"web\" already exists\n" });
});

test("run --dry-run=client -o yaml prints kubectl's object and creates nothing", async () => {
  const r = await c.run("run hello --image=busybox --restart=Never --dry-run=client -o yaml");
  expect(r).toEqual({ code: 0, stderr: "", stdout: [
    "apiVersion: v1",
    "kind: Pod",
    "metadata:",
    "  creationTimestamp: null",
    "  labels:",
    "    run: hello",
    "  name: hello",
    "spec:",
    "  containers:",
    "  - image: busybox",
    "    name: hello",
    "    resources: {}",
    "  dnsPolicy: ClusterFirst",
    "  restartPolicy: Never",
    "status: {}",
    "",
  ].join("\n") });
  expect(await c.run("run web --image=nginx --dry-run=client")).toEqual({ code: 0, stdout: "replicationcontroller/web created (dry run)\n", stderr: "" });
  expect(await c.run("run web --image=nginx --dry-run=server")).toEqual({ code: 0, stdout: "replicationcontroller/web created (server dry run)\n", stderr: "" });
  expect((await c.client.list("replicationcontrollers", "default")).items).toEqual([]);
});

test("run errors end up on stderr in kubectl's words", async () => {
  expect(await c.run("run web")).toEqual({ code: 1, stdout: "", stderr: "error: --image is required\n" });
  expect(await c.run("run --image=nginx")).toEqual({ code: 1, stdout: "", stderr: "error: NAME is required for run\nSee 'skiff run -h' for help and examples\n" });
});
