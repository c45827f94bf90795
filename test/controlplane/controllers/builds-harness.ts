// A build cluster for the build tests: a real API server over SQLite in a temp dir whose pod logs
// come from real in-process minions, the controller manager (scheduler, GC and the build
// controllers with a fast build log), one minion, and fixtures: builder streams and BuildConfigs.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Build, BuildConfig, ImageStream } from "../../../src/api/openshift-types.ts";
import type { ApiObject } from "../../../src/api/types.ts";
import type { ApiClient } from "../../../src/client/api-client.ts";
import { createApiClient } from "../../../src/client/client.ts";
import { createInProcessTransport } from "../../../src/client/in-process-transport.ts";
import type { Transport } from "../../../src/client/transport.ts";
import { createApiServer } from "../../../src/controlplane/apiserver/api-server.ts";
import { startControllers, type ControllerManager } from "../../../src/controlplane/controllers/controller-manager.ts";
import { createLogSource } from "../../../src/controlplane/minion/log-server.ts";
import { startMinion, type Minion } from "../../../src/controlplane/minion/minion.ts";
import { createSimulatedRuntime } from "../../../src/controlplane/minion/simulated-runtime.ts";
import { openSqliteStore } from "../../../src/controlplane/storage/sqlite-store.ts";
import { realClock } from "../../../src/deps.ts";
import { eventually } from "./harness.ts";

export interface BuildCluster {
  client: ApiClient;
  transport: Transport;
  cm: ControllerManager;
  minion: Minion;
  log: string[];
  /** Waits until build `name` (namespace default) is in one of `phases`. */
  waitPhase(name: string, phases: string[], timeoutMs?: number): Promise<Build>;
  close(): Promise<void>;
}

/** Starts the build cluster (with the `openshift` namespace and its image streams when asked). */
export async function buildCluster(opts: { stepMs?: number; seed?: number; openshift?: boolean } = {}): Promise<BuildCluster> {
  const dir = await mkdtemp(join(tmpdir(), "skiff-builds-"));
  const store = openSqliteStore(join(dir, "skiff.db"));
  const minions = new Map<string, Minion>();
  let n = opts.seed ?? 1;
  const random = (): number => { n = (n * 7919 + 104729) % 1000003; return n / 1000003; };
  const server = createApiServer({ store, clock: realClock, random, openshift: opts.openshift, logSource: createLogSource({ minionFor: (node) => minions.get(node) }) });
  await server.ready;
  const transport = createInProcessTransport(server);
  const client = createApiClient(transport, { namespace: "default", server: "in-process" });
  const log: string[] = [];
  const cm = startControllers({
    client, clock: realClock, random,
    options: { controllers: ["scheduler", "garbage-collector", "builds"], builds: { stepMs: opts.stepMs ?? 5 }, log: (l) => log.push(l) },
  });
  const minion = await startMinion({
    client, name: "minion-1", clock: realClock, random, heartbeatMs: 10_000,
    runtime: createSimulatedRuntime({ startDelayMs: [5, 10], syncDelayMs: 20 }), onError: (e) => log.push(String(e)),
  });
  minions.set("minion-1", minion);
  await cm.started;
  return {
    client, transport, cm, minion, log,
    waitPhase(name, phases, timeoutMs = 10_000) {
      return eventually(async () => {
        const b = await client.get("builds", "default", name);
        return phases.includes(b.status?.phase ?? "") ? b : undefined;
      }, timeoutMs, `build ${name} in ${phases.join("|")}`);
    },
    async close() {
      await minion.stop();
      await cm.stop();
      server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A stream with one tag resolved from a DockerImage (the builder image of the tests). */
export function builderStream(name = "nodejs", tag = "20-ubi8", image = "registry.redhat.io/ubi8/nodejs-20:latest"): ImageStream {
  return {
    apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name },
    spec: { tags: [{ name: tag, from: { kind: "DockerImage", name: image } }] },
  };
}

export function outputStream(name: string): ImageStream {
  return { apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name } };
}

/** A Source BuildConfig from `nodejs:20-ubi8` to `<name>:latest` with the given triggers. */
export function sourceBC(name: string, extra: { triggers?: unknown[]; runPolicy?: string; env?: { name: string; value: string }[];
  annotations?: Record<string, string>; ref?: string } = {}): BuildConfig {
  return {
    apiVersion: "build.openshift.io/v1", kind: "BuildConfig",
    metadata: { name, labels: { app: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      source: { type: "Git", git: { uri: "https://github.com/sclorg/nodejs-ex.git", ...(extra.ref ? { ref: extra.ref } : {}) } },
      strategy: { type: "Source", sourceStrategy: { from: { kind: "ImageStreamTag", name: "nodejs:20-ubi8" }, ...(extra.env ? { env: extra.env } : {}) } },
      output: { to: { kind: "ImageStreamTag", name: `${name}:latest` } },
      triggers: (extra.triggers ?? []) as BuildConfig["spec"]["triggers"],
      ...(extra.runPolicy ? { runPolicy: extra.runPolicy } : {}),
    },
  };
}

/** Creates objects in namespace default. */
export async function create(client: ApiClient, ...objs: ApiObject[]): Promise<void> {
  for (const o of objs) await client.create(await client.resolveKind(o.apiVersion ?? "", o.kind ?? ""), "default", o);
}
