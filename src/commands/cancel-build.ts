// `skiff cancel-build`: mark builds cancelled (status.cancelled) and wait for the build
// controller to cancel them, as `oc cancel-build` does; bc/NAME cancels that BC's builds.
import type { Build } from "../api/openshift-types.ts";
import type { ApiObject } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface CancelBuildFlags {
  state?: string;
  restart?: boolean;
}

export interface CancelBuildOptions {
  /** Build names, or `bc/NAME` entries. */
  targets: { kind: "build" | "bc"; name: string }[];
  /** Phases (New, Pending, Running) a build may be in to be cancelled. */
  states: string[];
  restart: boolean;
}

const STATES: Record<string, string> = { new: "New", pending: "Pending", running: "Running" };
const TERMINAL = new Set(["Complete", "Failed", "Error", "Cancelled"]);
const WAIT_MS = 30_000;

/** Parses `NAME`, `build/NAME`, `bc/NAME`, `buildconfig/NAME`. */
export function parseCancelTarget(arg: string): { kind: "build" | "bc"; name: string } {
  const i = arg.indexOf("/");
  if (i < 0) return { kind: "build", name: arg };
  const type = arg.slice(0, i).toLowerCase();
  const name = arg.slice(i + 1);
  if (!name) throw new UsageError(`invalid resource name "${arg}"`);
  if (["bc", "buildconfig", "buildconfigs"].includes(type)) return { kind: "bc", name };
  if (["build", "builds"].includes(type)) return { kind: "build", name };
  throw new UsageError(`invalid resource provided: ${type}; only build or buildconfig resources are supported`);
}

async function cancelOne(client: ApiClient, ns: string, b: Build, deps: Deps): Promise<void> {
  const name = b.metadata.name ?? "";
  for (let attempt = 0; ; attempt++) {
    try {
      const cur = attempt === 0 ? b : await client.get("builds", ns, name) as Build;
      if (TERMINAL.has(cur.status?.phase ?? "")) break;
      await client.updateStatus("builds", ns, { ...cur, status: { ...(cur.status ?? {}), cancelled: true } } as ApiObject);
      break;
    } catch (e) {
      if (attempt < 5 && e instanceof Error && /Conflict|modified/.test(e.message)) continue;
      throw e;
    }
  }
  const deadline = deps.clock.now().getTime() + WAIT_MS;
  for (;;) {
    const cur = await client.get("builds", ns, name) as Build;
    if (cur.status?.phase === "Cancelled") return;
    if (TERMINAL.has(cur.status?.phase ?? "")) throw new CliError(`build ${ns}/${name} ended ${cur.status?.phase} before it could be cancelled`);
    if (deps.clock.now().getTime() > deadline) throw new CliError(`timed out waiting for build ${ns}/${name} to be cancelled`);
    await deps.clock.sleep(200, deps.signal);
  }
}

export default defineCommand<CancelBuildFlags, CancelBuildOptions>({
  name: "cancel-build",
  summary: "Cancel running, pending, or new builds",
  group: "Build and Deploy Commands",
  args: "[args...]",
  examples: [
    "# Cancel the build with the given name\nskiff cancel-build ruby-build-2",
    "# Cancel all the builds of a build config\nskiff cancel-build bc/ruby-build",
    "# Cancel the new and pending builds of a build config\nskiff cancel-build bc/ruby-build --state=new,pending",
  ],
  flags: (c) => c
    .option("--state <states>", "Only cancel builds in this state (new, pending, running; comma separated)")
    .option("--restart", "Restart the builds that were cancelled"),
  complete(args, flags) {
    if (args.length === 0) throw new UsageError("Must pass a name of a build or a buildconfig to cancel");
    let states = ["New", "Pending", "Running"];
    if (flags.state !== undefined) {
      states = flags.state.split(",").map((s) => {
        const st = STATES[s.trim().toLowerCase()];
        if (!st) throw new UsageError("invalid --state flag value, must be one of 'new', 'pending', or 'running'");
        return st;
      });
    }
    return { targets: args.map(parseCancelTarget), states, restart: flags.restart ?? false };
  },
  async run(o, deps) {
    const client = await deps.client();
    const ns = client.namespace;
    const builds: Build[] = [];
    for (const t of o.targets) {
      if (t.kind === "build") {
        const b = await client.get("builds", ns, t.name) as Build;
        const phase = b.status?.phase ?? "";
        if (TERMINAL.has(phase)) {
          deps.io.err.write(`A cancellation event was not issued for build ${ns}/${t.name}: build is already ${phase.toLowerCase()}\n`);
          continue;
        }
        if (o.states.includes(phase)) builds.push(b);
      } else {
        await client.get("buildconfigs", ns, t.name);
        const list = await client.list("builds", ns, { labelSelector: `openshift.io/build-config.name=${t.name}` });
        builds.push(...(list.items as Build[]).filter((b) => o.states.includes(b.status?.phase ?? "")));
      }
    }
    for (const b of builds) {
      await cancelOne(client, ns, b, deps);
      deps.io.out.write(`build.build.openshift.io/${b.metadata.name} cancelled\n`);
    }
    if (!o.restart) return;
    for (const b of builds) {
      const next = await client.postSubresource("builds", ns, b.metadata.name ?? "", "clone", {
        kind: "BuildRequest", apiVersion: "build.openshift.io/v1", metadata: { name: b.metadata.name }, triggeredBy: [{ message: "Manually triggered" }],
      } as unknown as ApiObject);
      deps.io.out.write(`build.build.openshift.io/${next.metadata.name} restarted\n`);
    }
  },
});
