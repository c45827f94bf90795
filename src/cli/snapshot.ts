// The warm-up run while scripts/build.mjs takes the executable's V8 startup snapshot: the
// commonest paths (help, version, `get pods` printing a server Table, kubeconfig parsing) run
// once against in-memory streams and a canned API answer, so the snapshot holds their
// compiled code and every command starts without paying for it again.
//
// Everything a module does at its top level runs at build time, on the build machine, and is
// frozen into the snapshot: read the environment, terminals, clock and files in functions
// (through Deps), never at import.
import type { Table } from "../api/types.ts";
import { createApiClient } from "../client/client.ts";
import { parseKubeConfig } from "../client/kubeconfig.ts";
import type { Transport } from "../client/transport.ts";
import type { Deps, Sink } from "../deps.ts";
import { realClock } from "../deps.ts";
import { main } from "../main.ts";

/** A server Table as the API server answers `get pods`. */
function sampleTable(rows: number): Table {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion: "1" },
    columnDefinitions: ["Name", "Ready", "Status", "Restarts", "Age"].map((name, i) => ({
      name, type: i === 3 ? "integer" : "string", format: i === 0 ? "name" : "", description: "", priority: 0,
    })),
    rows: Array.from({ length: rows }, (_, i) => ({
      cells: [`pod-${i}`, "1/1", "Running", 0, "5m"],
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: { name: `pod-${i}`, namespace: "default" } },
    })),
  } as unknown as Table;
}

/** Answers every request with the same Table (or an empty list), without a network. */
function cannedTransport(): Transport {
  const body = JSON.stringify(sampleTable(3));
  return {
    target: "127.0.0.1:6443",
    request: async (req) => ({
      status: 200,
      headers: { "content-type": "application/json" },
      body: (req.headers?.accept ?? "").includes("as=Table") ? body : JSON.stringify({ kind: "List", apiVersion: "v1", metadata: {}, items: [] }),
    }),
  };
}

/** Deps that write to `out` (nowhere by default) and reach no server, file or terminal. */
function warmUpDeps(out: Sink): Deps {
  return {
    io: { in: undefined as unknown as NodeJS.ReadableStream, out, err: out, tty: { in: false, out: false, err: false }, colour: false, width: 80 },
    clock: realClock,
    random: () => 0.5,
    env: {},
    flags: {},
    verbosity: 0,
    config: () => Promise.reject(new Error("no configuration while warming up")),
    client: async () => createApiClient(cannedTransport(), { namespace: "default", server: "https://127.0.0.1:6443" }),
  };
}

/** The command lines the warm-up runs. */
export const WARM_UP_RUNS: readonly string[][] = [
  ["--help"], ["get", "--help"], ["version", "--client"], ["get", "pods"], ["get", "pods", "-o", "wide"],
];

const YAML_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: QUJD
    server: https://127.0.0.1:6443
  name: skiff
contexts:
- context:
    cluster: skiff
    namespace: default
    user: skiff
  name: skiff
current-context: skiff
preferences: {}
users:
- name: skiff
  user:
    token: abc
`;

/**
 * Runs the warm-up, writing to `out` (nowhere by default); resolves with each run's exit code.
 * Never throws: a failure here costs start-up time, not correctness. Loads no network, TLS
 * or child-process module (their handles cannot be part of a snapshot).
 */
export async function warmUp(out: Sink = { write: () => undefined }): Promise<number[]> {
  const codes: number[] = [];
  for (const argv of WARM_UP_RUNS) codes.push(await main(argv, warmUpDeps(out)).catch(() => 1));
  try {
    parseKubeConfig(YAML_KUBECONFIG, "warm-up");
    parseKubeConfig(JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [] }), "warm-up");
  } catch {
    codes.push(1);
  }
  return codes;
}
