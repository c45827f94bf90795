// testCluster(): a real ApiServer over a real SQLite store in a temp dir, behind the in-process
// Transport, and a way to run skiff command lines against it with captured output.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { infoForKind } from "../../src/api/resources.ts";
import type { ApiObject } from "../../src/api/types.ts";
import type { ApiClient } from "../../src/client/api-client.ts";
import { createApiClient } from "../../src/client/client.ts";
import { createInProcessTransport } from "../../src/client/in-process-transport.ts";
import type { Transport } from "../../src/client/transport.ts";
import { createApiServer } from "../../src/controlplane/apiserver/api-server.ts";
import { openSqliteStore } from "../../src/controlplane/storage/sqlite-store.ts";
import type { Clock } from "../../src/deps.ts";
import { main } from "../../src/main.ts";
import { testDeps, type TestDepsOptions } from "./test-deps.ts";

export const TEST_SERVER = "https://127.0.0.1:6443";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions extends Pick<TestDepsOptions, "tty" | "stdin" | "env" | "width" | "signal"> {}

export interface TestCluster {
  /** A client in namespace "default", straight to the server. */
  client: ApiClient;
  transport: Transport;
  /** The temp dir holding the database; removed by close(). */
  dir: string;
  /** Runs one skiff command line (split like a shell: quotes and backslashes). */
  run(cmdline: string | string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * Creates objects through the API (namespace "default" unless given). A given
   * creationTimestamp is honoured by creating at that time; a given status is then
   * written through /status. Returns the stored objects.
   */
  seed(...objs: ApiObject[]): Promise<ApiObject[]>;
  /** Moves the shared clock (server and CLI). */
  setNow(iso: string): void;
  close(): Promise<void>;
}

/** Splits a command line as sh would for plain words, quotes and backslashes (no expansion). */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in ${line}`);
      cur += line.slice(i + 1, end); i = end; inWord = true;
    } else if (ch === "\"") {
      i++; inWord = true;
      for (; i < line.length && line[i] !== "\""; i++) {
        if (line[i] === "\\" && i + 1 < line.length && "\"\\$`".includes(line[i + 1])) i++;
        cur += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated " in ${line}`);
    } else if (ch === "\\" && i + 1 < line.length) {
      cur += line[++i]; inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) { out.push(cur); cur = ""; inWord = false; }
    } else {
      cur += ch; inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** Starts an in-process cluster; call close() (e.g. in afterEach) to stop it and delete its files. */
export async function testCluster(opts: { now?: string; openshift?: boolean } = {}): Promise<TestCluster> {
  const dir = await mkdtemp(join(tmpdir(), "skiff-test-"));
  const store = openSqliteStore(join(dir, "skiff.db"));
  let now: Date | undefined = opts.now ? new Date(opts.now) : undefined;
  const clock: Clock = {
    now: () => (now ? new Date(now) : new Date()),
    sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => { clearTimeout(t); reject(signal.reason); }, { once: true });
    }),
  };
  let n = 0;
  const random = (): number => { n = (n * 7919 + 104729) % 1000003; return n / 1000003; };
  const server = createApiServer({ store, clock, random, openshift: opts.openshift });
  await server.ready;
  const transport = createInProcessTransport(server, "127.0.0.1:6443");
  const client = createApiClient(transport, { namespace: "default", server: TEST_SERVER });

  async function seedOne(obj: ApiObject): Promise<ApiObject> {
    const info = infoForKind(obj.apiVersion, obj.kind);
    if (!info) throw new Error(`seed: unknown kind ${obj.apiVersion}/${obj.kind}`);
    const ns = info.namespaced ? (obj.metadata.namespace ?? "default") : undefined;
    const body = structuredClone(obj);
    const status = body.status;
    const saved = now;
    if (body.metadata.creationTimestamp) now = new Date(body.metadata.creationTimestamp);
    try {
      let created = await client.create(info, ns, body);
      if (status !== undefined) created = await client.updateStatus(info, ns, { ...created, status });
      return created;
    } finally {
      now = saved;
    }
  }

  return {
    client,
    transport,
    dir,
    async run(cmdline, runOpts = {}) {
      const argv = typeof cmdline === "string" ? splitArgs(cmdline) : cmdline;
      const t = testDeps({
        ...runOpts,
        now: undefined,
        client: async (deps) => createApiClient(transport, {
          namespace: deps.flags.namespace ?? "default",
          server: TEST_SERVER,
          onWarning: (w) => deps.io.err.write(`Warning: ${w}\n`),
        }),
      });
      t.deps.clock = clock;
      const code = await main(argv, t.deps);
      return { code, stdout: t.out, stderr: t.err };
    },
    async seed(...objs) {
      const out: ApiObject[] = [];
      for (const o of objs) out.push(await seedOne(o));
      return out;
    },
    setNow(iso) { now = new Date(iso); },
    async close() {
      server.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
