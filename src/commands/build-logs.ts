// Reading a build's log through builds/NAME/log, for `logs build/…`, `logs bc/…` and
// `start-build --follow`: waits for the build pod to start when following, as oc does.
import { isApiError } from "../api/errors.ts";
import type { Build, BuildConfig } from "../api/openshift-types.ts";
import type { ApiClient } from "../client/api-client.ts";
import { errorFromResponse } from "../client/client.ts";
import type { Deps } from "../deps.ts";
import { CliError } from "../errors.ts";

const TERMINAL = new Set(["Complete", "Failed", "Error", "Cancelled"]);
const POLL_MS = 250;

/** The build `logs bc/NAME` reads: `<bc>-<version>` (default status.lastVersion). Throws CliError when missing. */
export async function latestBuildName(client: ApiClient, ns: string, bc: string, version?: number): Promise<string> {
  const cfg = await client.get("buildconfigs", ns, bc) as BuildConfig;
  const n = version ?? cfg.status?.lastVersion ?? 0;
  const name = `${bc}-${n}`;
  try {
    await client.get("builds", ns, name);
  } catch (e) {
    if (isApiError(e, "NotFound")) throw new CliError(`the build ${name} for build config ${bc} was not found`);
    throw e;
  }
  return name;
}

/**
 * Writes a build's log to `write`. Without follow: what there is now (an error while the build
 * pod has not started). With follow: waits until the pod runs (or the build ends), then streams
 * until the build pod's container stops or the signal aborts.
 */
export async function writeBuildLog(client: ApiClient, ns: string, build: string, opts: { follow: boolean; signal?: AbortSignal },
  write: (chunk: string) => void, deps: Pick<Deps, "clock">): Promise<void> {
  const path = `/apis/build.openshift.io/v1/namespaces/${encodeURIComponent(ns)}/builds/${encodeURIComponent(build)}/log`;
  for (;;) {
    const res = await client.raw({ method: "GET", path, query: opts.follow ? { follow: "true" } : {}, signal: opts.signal });
    if (res.status >= 200 && res.status < 300) {
      if (res.stream) {
        try {
          for await (const chunk of res.stream) write(chunk);
        } catch (e) {
          if (!opts.signal?.aborted) throw e;
        }
      } else if (res.body) {
        write(res.body);
      }
      return;
    }
    const err = errorFromResponse(res, "GET", {});
    // The build pod is not there or not started yet: a follower waits, as oc's does.
    const waiting = err.status.code === 400 || err.status.reason === "NotFound" && /pods?/.test(err.message);
    if (!opts.follow || !waiting) throw err;
    const b = await client.get("builds", ns, build) as Build;
    if (TERMINAL.has(b.status?.phase ?? "")) {
      if (err.status.code === 400) throw err;
      throw new CliError(`build ${build} ended ${b.status?.phase} before its log could be read`);
    }
    await deps.clock.sleep(POLL_MS, opts.signal);
    if (opts.signal?.aborted) return;
  }
}
