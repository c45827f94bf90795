// `skiff login [SERVER] --token T`: checks a token against a server and saves it as a context,
// named the way `oc login` names them, so skiff, oc and kubectl share one kubeconfig.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve as resolvePath } from "node:path";
import { defineCommand } from "./command.ts";
import { CliError, UsageError } from "../errors.ts";
import { ConnectionError } from "../client/transport.ts";
import type { Transport } from "../client/transport.ts";
import {
  getNamedEntry, updateKubeConfig, upsertNamedEntry, writableConfigPath,
  type ClusterEntry, type Connection, type KubeConfig,
} from "../client/kubeconfig.ts";
import { EMBEDDED_USER, identify } from "./whoami.ts";

export interface LoginOptions {
  /** Normalised: scheme, no trailing slash. undefined: the current context's server. */
  server?: string;
}

/** "api.example.com:6443" → "https://api.example.com:6443"; trailing slashes dropped. */
export function normalizeServer(s: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
  return withScheme.replace(/\/+$/, "");
}

/** oc's cluster nickname: host:port (default port made explicit) with dots as dashes. */
export function clusterNickname(server: string): string {
  const u = new URL(server);
  const port = u.port || (u.protocol === "http:" ? "80" : "443");
  return `${u.hostname.replace(/\./g, "-")}:${port}`;
}

/** oc's names for a login: cluster `host:port`, user `<user>/<cluster>`, context `<ns>/<cluster>/<user>`. */
export function loginNames(server: string, user: string, namespace: string): { cluster: string; user: string; context: string } {
  const cluster = clusterNickname(server);
  return { cluster, user: `${user}/${cluster}`, context: `${namespace}/${cluster}/${user}` };
}

interface Existing { cluster?: ClusterEntry; token?: string; namespace?: string }

/** What the kubeconfig already knows about `server`: its cluster entry, and the current context's token and namespace if they point there. */
function existingFor(cfg: KubeConfig, currentContext: string, server: string): Existing {
  const found: Existing = {};
  const ctx = getNamedEntry(cfg, "contexts", currentContext);
  const current = ctx ? getNamedEntry(cfg, "clusters", ctx.cluster) : undefined;
  if (ctx && current && normalizeServer(current.server ?? "") === server) {
    found.cluster = current;
    found.token = getNamedEntry(cfg, "users", ctx.user)?.token;
    found.namespace = ctx.namespace;
    return found;
  }
  found.cluster = cfg.clusters.find((c) => c.cluster.server && normalizeServer(c.cluster.server) === server)?.cluster;
  return found;
}

/** Namespaces the user may list, sorted; undefined when listing is forbidden. */
async function listProjects(t: Transport): Promise<string[] | undefined> {
  const res = await t.request({ method: "GET", path: "/api/v1/namespaces", headers: { accept: "application/json" } });
  if (res.status !== 200) return undefined;
  const list = JSON.parse(res.body ?? "{}") as { items?: { metadata?: { name?: string } }[] };
  return (list.items ?? []).map((i) => i.metadata?.name ?? "").filter(Boolean).sort();
}

/** oc's project summary after a login. */
export function projectSummary(projects: string[] | undefined, current: string): string {
  if (!projects || projects.length === 0) {
    return "You don't have any projects. Contact your system administrator to request a project.\n";
  }
  if (projects.length === 1) return `You have one project on this server: "${projects[0]}".\n\nUsing project "${current}".\n`;
  const lines = projects.map((p) => (p === current ? `  * ${p}` : `    ${p}`));
  return "You have access to the following projects and can switch between them with 'skiff project <projectname>':\n\n"
    + `${lines.join("\n")}\n\nUsing project "${current}".\n`;
}

export default defineCommand<Record<string, never>, LoginOptions>({
  name: "login",
  summary: "Log in to a server with a token",
  group: "Settings Commands",
  args: "[server]",
  examples: [
    "skiff login https://127.0.0.1:6443 --token=$(cat ~/.skiff/token) --certificate-authority=$HOME/.skiff/ca.crt",
    "skiff login api.example.com:6443 --token=sha256~abc",
  ],
  // --token, --certificate-authority and --insecure-skip-tls-verify are the global connection
  // flags: main puts them in deps.flags, where run reads them.
  complete(args, _flags, deps) {
    if (args.length > 1) throw new UsageError(`only one argument, the server URL, may be given`);
    const given = args[0] ?? deps.flags.server;
    return { server: given ? normalizeServer(given) : undefined };
  },
  async run(o, deps) {
    const cfg = await deps.config();
    const home = deps.env.HOME || homedir();
    let server = o.server;
    if (!server) {
      const ctx = getNamedEntry(cfg.merged, "contexts", cfg.currentContext);
      const current = ctx ? getNamedEntry(cfg.merged, "clusters", ctx.cluster)?.server : undefined;
      if (!current) throw new UsageError("no server given: pass the server's URL, e.g. skiff login https://127.0.0.1:6443 --token=<token>");
      server = normalizeServer(current);
    }
    const existing = existingFor(cfg.merged, cfg.currentContext, server);
    const token = deps.flags.token ?? existing.token;
    if (!token) throw new CliError("a token is required: pass --token=<token> (the embedded control plane's is in $SKIFF_HOME/token)");

    const conn: Connection = { server, token, insecureSkipTlsVerify: false, requestTimeoutMs: 30_000 };
    const stored: ClusterEntry = { server };
    if (deps.flags.certificateAuthority) {
      const caPath = resolvePath(deps.flags.certificateAuthority);
      try {
        conn.caPem = await readFile(caPath, "utf8");
      } catch {
        throw new CliError(`unable to read certificate-authority ${caPath}`);
      }
      stored["certificate-authority-data"] = Buffer.from(conn.caPem).toString("base64");
    } else if (deps.flags.insecureSkipTlsVerify) {
      conn.insecureSkipTlsVerify = true;
      stored["insecure-skip-tls-verify"] = true;
    } else if (existing.cluster) {
      // Same server as an entry we have: trust what that entry trusts.
      const c = existing.cluster;
      if (c["certificate-authority-data"]) {
        conn.caPem = Buffer.from(c["certificate-authority-data"], "base64").toString("utf8");
        stored["certificate-authority-data"] = c["certificate-authority-data"];
      } else if (c["certificate-authority"]) {
        conn.caPem = await readFile(c["certificate-authority"], "utf8").catch(() => undefined);
        stored["certificate-authority"] = c["certificate-authority"];
      } else if (c["insecure-skip-tls-verify"]) {
        conn.insecureSkipTlsVerify = true;
        stored["insecure-skip-tls-verify"] = true;
      }
    }

    const { createHttpTransport } = await import("../client/http-transport.ts");
    const t = createHttpTransport(conn);
    let user: string;
    let projects: string[] | undefined;
    try {
      const who = await identify(t).catch((e: unknown) => {
        if (e instanceof ConnectionError && /unknown authority/.test(e.message)) {
          // oc's wording: the flags that fix this are the useful part
          throw new CliError("The server uses a certificate signed by an unknown authority. You may need to use the --certificate-authority flag to provide the path to a certificate file for the certificate authority, or --insecure-skip-tls-verify to bypass the certificate check and use insecure connections.");
        }
        if (e instanceof Error && (e as { code?: number }).code === 401) throw new CliError("The token provided is invalid or expired.");
        throw e;
      });
      // skiff's embedded control plane has one user and does not report its name.
      user = who.name ?? EMBEDDED_USER;
      projects = await listProjects(t);
    } finally {
      await t.close?.();
    }
    const namespace = existing.namespace && (!projects || projects.includes(existing.namespace))
      ? existing.namespace
      : projects?.includes("default") ? "default" : projects?.[0] ?? "default";

    const names = loginNames(server, user, namespace);
    const path = await writableConfigPath(deps.env, deps.flags, home);
    await updateKubeConfig(path, (file) => {
      upsertNamedEntry(file, "clusters", names.cluster, (c) => {
        for (const k of ["certificate-authority", "certificate-authority-data", "insecure-skip-tls-verify"]) delete c[k];
        Object.assign(c, stored);
      });
      upsertNamedEntry(file, "users", names.user, (u) => { u.token = token; });
      // oc reuses a context that already says the same thing rather than adding a twin
      const twin = file.contexts.find((c) => c.context.cluster === names.cluster && c.context.user === names.user
        && (c.context.namespace ?? "") === namespace);
      const ctxName = twin?.name ?? names.context;
      if (!twin) upsertNamedEntry(file, "contexts", ctxName, (c) => { c.cluster = names.cluster; c.user = names.user; c.namespace = namespace; });
      file["current-context"] = ctxName;
    });
    const how = deps.flags.token ? "using the token provided" : "using existing credentials";
    deps.io.out.write(`Logged into "${server}" as "${user}" ${how}.\n\n${projectSummary(projects, namespace)}`);
  },
});
