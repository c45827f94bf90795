// `skiff whoami`: the user the server says the current credentials belong to.
import { defineCommand } from "./command.ts";
import { CliError, UsageError } from "../errors.ts";
import { ApiError, failure } from "../api/errors.ts";
import type { Status } from "../api/types.ts";
import type { Transport } from "../client/transport.ts";

/** The one user of skiff's embedded control plane (it has a single bearer token). */
export const EMBEDDED_USER = "skiff-admin";

interface WhoamiFlags { showToken?: boolean; showContext?: boolean; showServer?: boolean }

export interface WhoamiOptions { show: "user" | "token" | "context" | "server" }

/** Who a token is, and how we know: "server" (the API said so) or "verified" (accepted, name unknown). */
export interface Identity { name?: string; source: "server" | "verified" }

function statusOf(code: number, body: string | undefined): ApiError {
  try {
    const s = JSON.parse(body ?? "") as Status;
    if (s.kind === "Status") return new ApiError(s);
  } catch { /* not a Status: fall through */ }
  return new ApiError(failure(code, code === 401 ? "Unauthorized" : undefined, body?.trim() || `HTTP ${code}`));
}

/**
 * Asks the server who the transport's credentials are: OpenShift's `users/~`, then
 * Kubernetes' SelfSubjectReview; when it serves neither, a namespace list proves the token is
 * accepted without naming its user. Throws ApiError (401 Unauthorized, 403…) and ConnectionError.
 */
export async function identify(t: Transport): Promise<Identity> {
  const json = { accept: "application/json", "content-type": "application/json" };
  const user = await t.request({ method: "GET", path: "/apis/user.openshift.io/v1/users/~", headers: json });
  if (user.status === 200) {
    const name = (JSON.parse(user.body ?? "{}") as { metadata?: { name?: string } }).metadata?.name;
    if (name) return { name, source: "server" };
  } else if (user.status !== 404) {
    throw statusOf(user.status, user.body);
  }
  const review = await t.request({
    method: "POST", path: "/apis/authentication.k8s.io/v1/selfsubjectreviews", headers: json,
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", metadata: {} }),
  });
  if (review.status === 200 || review.status === 201) {
    const name = (JSON.parse(review.body ?? "{}") as { status?: { userInfo?: { username?: string } } }).status?.userInfo?.username;
    if (name) return { name, source: "server" };
  } else if (review.status !== 404) {
    throw statusOf(review.status, review.body);
  }
  const probe = await t.request({ method: "GET", path: "/api/v1/namespaces", query: { limit: "1" }, headers: json });
  if (probe.status === 401) throw statusOf(probe.status, probe.body);
  return { source: "verified" };
}

export default defineCommand<WhoamiFlags, WhoamiOptions>({
  name: "whoami",
  summary: "Return information about the current session",
  group: "Settings Commands",
  examples: ["skiff whoami", "skiff whoami --show-token", "skiff whoami --show-server"],
  flags: (c) => c
    .option("-t, --show-token", "Print the token the current session is using.")
    .option("-c, --show-context", "Print the current user context name")
    .option("--show-server", "If true, print the current server's REST API URL"),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    const picked = [flags.showToken && "token", flags.showContext && "context", flags.showServer && "server"].filter(Boolean);
    if (picked.length > 1) throw new UsageError("--show-token, --show-context and --show-server are mutually exclusive");
    return { show: (picked[0] || "user") as WhoamiOptions["show"] };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    if (o.show === "context") {
      if (!cfg.currentContext) throw new CliError("no context has been set");
      deps.io.out.write(`${cfg.currentContext}\n`);
      return;
    }
    const conn = cfg.connection;
    if (o.show === "server") { deps.io.out.write(`${conn.server}\n`); return; }
    if (o.show === "token") {
      if (!conn.token) throw new CliError("no token is currently in use for this session");
      deps.io.out.write(`${conn.token}\n`);
      return;
    }
    const { createHttpTransport } = await import("../client/http-transport.ts");
    const t = createHttpTransport(conn);
    try {
      const who = await identify(t);
      if (who.name) { deps.io.out.write(`${who.name}\n`); return; }
      // The server accepted the credentials but cannot name their user: say so, and show the
      // name the kubeconfig gives them instead of inventing one.
      const local = cfg.userName.split("/")[0];
      if (!local) throw new CliError("the server does not report user names, and the kubeconfig names no user");
      deps.io.err.write("Warning: the server does not report user names; showing the kubeconfig's user\n");
      deps.io.out.write(`${local}\n`);
    } finally {
      await t.close?.();
    }
  },
});
