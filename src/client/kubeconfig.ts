// kubeconfig: the file's types, loading and merging (--kubeconfig, $KUBECONFIG, ~/.kube/config),
// resolving one connection with flag overrides, and read-modify-write of one file.
import { readFileSync } from "node:fs";
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, delimiter as pathDelimiter, resolve as resolvePath } from "node:path";
import { dump, loadAll, YAMLException } from "js-yaml";
import type { ConnectionFlags } from "../deps.ts";
import { CliError } from "../errors.ts";
import { deepCopy } from "../api/copy.ts";

/** `{name, extension}` as kubectl writes extension lists. */
export interface NamedExtension {
  name: string;
  extension: unknown;
}

export interface ClusterEntry {
  server?: string;
  "certificate-authority"?: string;
  "certificate-authority-data"?: string;
  "insecure-skip-tls-verify"?: boolean;
  "tls-server-name"?: string;
  "proxy-url"?: string;
  "disable-compression"?: boolean;
  extensions?: NamedExtension[];
  [field: string]: unknown;
}

export interface ExecConfig {
  apiVersion?: string;
  command: string;
  args?: string[];
  env?: { name: string; value: string }[] | null;
  interactiveMode?: "Never" | "IfAvailable" | "Always";
  provideClusterInfo?: boolean;
  installHint?: string;
  [field: string]: unknown;
}

export interface UserEntry {
  token?: string;
  tokenFile?: string;
  "client-certificate"?: string;
  "client-certificate-data"?: string;
  "client-key"?: string;
  "client-key-data"?: string;
  username?: string;
  password?: string;
  exec?: ExecConfig;
  "auth-provider"?: { name: string; config?: Record<string, string> };
  as?: string;
  "as-uid"?: string;
  "as-groups"?: string[];
  "as-user-extra"?: Record<string, string[]>;
  extensions?: NamedExtension[];
  [field: string]: unknown;
}

export interface ContextEntry {
  cluster: string;
  user: string;
  namespace?: string;
  extensions?: NamedExtension[];
  [field: string]: unknown;
}

export interface NamedCluster { name: string; cluster: ClusterEntry }
export interface NamedUser { name: string; user: UserEntry }
export interface NamedContext { name: string; context: ContextEntry }

/** One kubeconfig document (v1 `Config`), lists always present after loading. */
export interface KubeConfig {
  apiVersion?: string;
  kind?: string;
  clusters: NamedCluster[];
  users: NamedUser[];
  contexts: NamedContext[];
  "current-context"?: string;
  preferences?: Record<string, unknown>;
  extensions?: NamedExtension[];
  [field: string]: unknown;
}

export type Section = "clusters" | "users" | "contexts";
type EntryKey<S extends Section> = S extends "clusters" ? "cluster" : S extends "users" ? "user" : "context";
type EntryOf<S extends Section> = S extends "clusters" ? ClusterEntry : S extends "users" ? UserEntry : ContextEntry;
const ENTRY_KEY: { [S in Section]: EntryKey<S> } = { clusters: "cluster", users: "user", contexts: "context" };
// client-go's conversion error names the Go types of each list.
const GO_LIST: Record<Section, string> = {
  clusters: "*[]NamedCluster into *map[string]*api.Cluster",
  users: "*[]NamedAuthInfo into *map[string]*api.AuthInfo",
  contexts: "*[]NamedContext into *map[string]*api.Context",
};

/** Everything needed to reach one API server, after flags and files are combined. */
export interface Connection {
  /** Base URL, e.g. https://127.0.0.1:6443 (http://localhost:8080 when nothing says). */
  server: string;
  token?: string;
  username?: string;
  password?: string;
  caPem?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  insecureSkipTlsVerify: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  /** 0 = no timeout. */
  requestTimeoutMs: number;
  impersonate?: { user?: string; uid?: string; groups?: string[] };
  /** An exec credential plugin is configured; skiff does not run it (yet), the token stays unset. */
  exec?: ExecConfig;
}

/** Where each merged entry came from, for writing changes back to the same file. */
export interface ConfigOrigins {
  clusters: Record<string, string>;
  users: Record<string, string>;
  contexts: Record<string, string>;
}

export interface LoadedConfig {
  /** The namespace -n or the context says, else "default". */
  namespace: string;
  /** All files merged (file paths inside made absolute); config view prints this. */
  merged: KubeConfig;
  /** The context in effect (--context, else current-context); "" when none. */
  currentContext: string;
  clusterName: string;
  userName: string;
  /** The files read, in precedence order (existing ones only). */
  files: string[];
  origins: ConfigOrigins;
  /** Problem resolving the connection (missing context/cluster/user, unreadable CA…), if any. */
  problem?: ConfigError;
  /**
   * The resolved connection. Throws `problem` when there is one, so commands that only need
   * the file (config view, use-context) keep working while everything that talks to a server
   * reports the configuration error.
   */
  readonly connection: Connection;
}

/** A kubeconfig that cannot be used; `problems` are kubectl's validation lines. */
export class ConfigError extends CliError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `invalid configuration: [${problems.join(", ")}]`);
    this.problems = problems;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** An empty v1 Config. */
export function emptyConfig(): KubeConfig {
  return { apiVersion: "v1", kind: "Config", clusters: [], users: [], contexts: [], preferences: {} };
}

function goFileError(op: string, path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return `${op} ${path}: no such file or directory`;
  if (code === "EACCES") return `${op} ${path}: permission denied`;
  if (code === "EISDIR") return `read ${path}: is a directory`;
  return `${op} ${path}: ${e instanceof Error ? e.message : String(e)}`;
}

// kubeconfigs, CA and key files are small and local: a synchronous read costs microseconds,
// where fs/promises takes four thread-pool round trips (open, stat, read, close) per file.

/** Reads a file; undefined when it does not exist. */
async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`error loading config file "${path}": ${goFileError("read", path, e)}`);
  }
}

/** The object a JSON text holds, or undefined when the text is not a JSON object. */
function parseJsonObject(text: string): object | undefined {
  if (!/^\s*\{/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parses one kubeconfig text (YAML or JSON). Throws CliError naming the file (and the line
 * of a YAML error), or a duplicate name in a list, as client-go's loader does.
 */
export function parseKubeConfig(text: string, path: string): KubeConfig {
  const fail = (msg: string): never => { throw new CliError(`error loading config file "${path}": ${msg}`); };
  let doc: unknown;
  try {
    // JSON is YAML too, and JSON.parse reads it several times faster; whatever JSON.parse
    // rejects goes to the YAML parser, which decides and words the error.
    // loadAll: an empty or comment-only file has no document, which is an empty config.
    doc = parseJsonObject(text) ?? loadAll(text, { filename: path })[0];
  } catch (e) {
    if (e instanceof YAMLException) {
      const line = e.mark ? `line ${e.mark.line + 1}: ` : "";
      fail(`yaml: ${line}${e.reason}`);
    }
    fail(e instanceof Error ? e.message : String(e));
  }
  if (doc === null || doc === undefined) return emptyConfig();
  if (typeof doc !== "object" || Array.isArray(doc)) fail("couldn't get version/kind; json parse error: the document is not a mapping");
  const cfg = doc as KubeConfig;
  for (const section of ["clusters", "users", "contexts"] as const) {
    const list: unknown = cfg[section];
    if (list === undefined || list === null) { cfg[section] = []; continue; }
    if (!Array.isArray(list)) fail(`${section}: expected a list, got ${typeof list}`);
    const seen = new Set<string>();
    for (const item of list as unknown[]) {
      if (!item || typeof item !== "object" || typeof (item as { name?: unknown }).name !== "string")
        fail(`${section}: every entry needs a name`);
      const entry = item as Record<string, unknown>;
      const name = entry.name as string;
      if (seen.has(name)) fail(`error converting ${GO_LIST[section]}: duplicate name "${name}" in list`);
      seen.add(name);
      const key = ENTRY_KEY[section];
      if (entry[key] === undefined || entry[key] === null) entry[key] = {};
    }
  }
  if (cfg["current-context"] === null) delete cfg["current-context"];
  return cfg;
}

/** Makes the file-path fields of every entry absolute, relative to the kubeconfig's directory. */
function resolveLocalPaths(cfg: KubeConfig, path: string): void {
  const dir = dirname(resolvePath(path));
  const abs = (p: unknown): unknown => (typeof p === "string" && p !== "" && !isAbsolute(p) ? join(dir, p) : p);
  for (const c of cfg.clusters) {
    if (c.cluster["certificate-authority"]) c.cluster["certificate-authority"] = abs(c.cluster["certificate-authority"]) as string;
  }
  for (const u of cfg.users) {
    for (const f of ["client-certificate", "client-key", "tokenFile"] as const) {
      if (u.user[f]) u.user[f] = abs(u.user[f]) as string;
    }
    // client-go resolves an exec command only when it names a path, not a bare program.
    const cmd = u.user.exec?.command;
    if (u.user.exec && typeof cmd === "string" && cmd.includes("/")) u.user.exec.command = abs(cmd) as string;
  }
}

/** The kubeconfig files in precedence order (§8.2), whether or not they exist. */
export function kubeConfigPrecedence(env: Env, flags: ConnectionFlags, home: string): { files: string[]; explicit: boolean } {
  if (flags.kubeconfig) return { files: [flags.kubeconfig], explicit: true };
  const list = env.KUBECONFIG;
  if (list) {
    const files: string[] = [];
    for (const f of list.split(pathDelimiter)) if (f && !files.includes(f)) files.push(f);
    if (files.length > 0) return { files, explicit: false };
  }
  return { files: [join(home, ".kube", "config")], explicit: false };
}

/** The merged config of all files, and where each entry came from. No resolution. */
export async function loadMergedKubeConfig(env: Env, flags: ConnectionFlags, home: string):
  Promise<{ merged: KubeConfig; files: string[]; origins: ConfigOrigins }> {
  const { files, explicit } = kubeConfigPrecedence(env, flags, home);
  const merged = emptyConfig();
  const origins: ConfigOrigins = { clusters: {}, users: {}, contexts: {} };
  const read: string[] = [];
  for (const file of files) {
    const text = await readIfExists(file);
    if (text === undefined) {
      // Matches kubectl: an explicit --kubeconfig must exist; list entries may be missing.
      if (explicit) throw new CliError(`stat ${file}: no such file or directory`);
      continue;
    }
    read.push(file);
    const cfg = parseKubeConfig(text, file);
    resolveLocalPaths(cfg, file);
    mergeInto(merged, origins, cfg, file);
  }
  return { merged, files: read, origins };
}

/** First file wins each named entry and each scalar (client-go's merge order). */
function mergeInto(merged: KubeConfig, origins: ConfigOrigins, cfg: KubeConfig, file: string): void {
  for (const section of ["clusters", "users", "contexts"] as const) {
    const list = merged[section] as { name: string }[];
    for (const entry of cfg[section] as { name: string }[]) {
      if (origins[section][entry.name] !== undefined) continue;
      origins[section][entry.name] = file;
      list.push(entry);
    }
  }
  if (!merged["current-context"] && cfg["current-context"]) merged["current-context"] = cfg["current-context"];
  if (cfg.preferences && Object.keys(cfg.preferences).length > 0 && Object.keys(merged.preferences ?? {}).length === 0)
    merged.preferences = cfg.preferences;
  if (Array.isArray(cfg.extensions)) {
    merged.extensions ??= [];
    for (const ext of cfg.extensions) if (!merged.extensions.some((e) => e.name === ext.name)) merged.extensions.push(ext);
  }
}

/** Parses kubectl's --request-timeout: "0", a bare number of seconds, or a Go duration ("10s", "1m30s"). */
export function parseRequestTimeout(value: string | undefined): number {
  if (value === undefined || value === "" || value === "0") return 0;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) { total += Number(m[1]) * units[m[2]]; pos = re.lastIndex; }
  if (pos !== value.length || pos === 0)
    throw new CliError("invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)");
  return Math.round(total);
}

const findEntry = <S extends Section>(cfg: KubeConfig, section: S, name: string): EntryOf<S> | undefined => {
  const found = (cfg[section] as { name: string }[]).find((e) => e.name === name) as Record<string, unknown> | undefined;
  return found?.[ENTRY_KEY[section]] as EntryOf<S> | undefined;
};

const decodeBase64 = (data: string): string => Buffer.from(data, "base64").toString("utf8");

const IN_CLUSTER_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Loads and merges the kubeconfig files (§8.2) and resolves the connection with the flags
 * winning (§8.3). Throws CliError for unreadable/invalid files and a missing --kubeconfig;
 * problems of the resolution itself are kept in `problem` and thrown by `connection`.
 */
export async function loadKubeConfig(env: Env, flags: ConnectionFlags, home: string): Promise<LoadedConfig> {
  const { merged, files, origins } = await loadMergedKubeConfig(env, flags, home);
  const problems: string[] = [];
  const contextName = flags.context || merged["current-context"] || "";
  let ctx: ContextEntry | undefined;
  if (contextName) {
    ctx = findEntry(merged, "contexts", contextName);
    if (!ctx) problems.push(`context was not found for specified context: ${contextName}`);
  }
  const userName = flags.user || ctx?.user || "";
  const clusterName = flags.cluster || ctx?.cluster || "";
  const user = userName ? findEntry(merged, "users", userName) : undefined;
  if (userName && !user && problems.length === 0) problems.push(`auth info "${userName}" does not exist`);
  const cluster = clusterName ? findEntry(merged, "clusters", clusterName) : undefined;
  if (clusterName && !cluster && problems.length === 0) problems.push(`cluster "${clusterName}" does not exist`);

  let requestTimeoutMs = 0;
  try { requestTimeoutMs = parseRequestTimeout(flags.requestTimeout); } catch (e) { problems.push((e as Error).message); }

  const inCluster = !flags.server && merged.clusters.length === 0 && merged.contexts.length === 0
    && !!env.KUBERNETES_SERVICE_HOST && !!env.KUBERNETES_SERVICE_PORT;
  const conn: Connection = {
    server: flags.server || cluster?.server
      || (inCluster ? `https://${hostPort(env.KUBERNETES_SERVICE_HOST!, env.KUBERNETES_SERVICE_PORT!)}` : "http://localhost:8080"),
    insecureSkipTlsVerify: false,
    requestTimeoutMs,
  };
  const readOr = async (what: string, owner: string, path: string): Promise<string | undefined> => {
    try { return readFileSync(path, "utf8"); } catch (e) {
      problems.push(`unable to read ${what} ${path} for ${owner} due to ${goFileError("open", path, e)}`);
      return undefined;
    }
  };

  // TLS: flags replace the file's CA/insecure pair as a whole (kubectl's overrides).
  if (flags.certificateAuthority) {
    conn.caPem = await readOr("certificate-authority", clusterName, resolvePath(flags.certificateAuthority));
  } else if (flags.insecureSkipTlsVerify) {
    conn.insecureSkipTlsVerify = true;
  } else if (cluster) {
    const caData = cluster["certificate-authority-data"];
    const caFile = cluster["certificate-authority"];
    if (caData && caFile)
      problems.push(`certificate-authority-data and certificate-authority are both specified for ${clusterName}. certificate-authority-data will override.`);
    if (cluster["insecure-skip-tls-verify"] && (caData || caFile))
      problems.push("specifying a root certificates file with the insecure flag is not allowed");
    conn.insecureSkipTlsVerify = cluster["insecure-skip-tls-verify"] === true;
    if (caData) conn.caPem = decodeBase64(caData);
    else if (caFile) conn.caPem = await readOr("certificate-authority", clusterName, caFile);
  } else if (inCluster) {
    conn.caPem = await readIfExists(join(IN_CLUSTER_DIR, "ca.crt"));
  }
  // --server without --tls-server-name drops the file's name: it was for the file's server.
  if (cluster?.["tls-server-name"] && !flags.server) conn.tlsServerName = cluster["tls-server-name"];
  if (cluster?.["proxy-url"]) conn.proxyUrl = cluster["proxy-url"];

  if (flags.token) conn.token = flags.token;
  else if (user?.token) conn.token = user.token;
  else if (user?.tokenFile) conn.token = (await readOr("token-file", userName, user.tokenFile))?.trim();
  else if (inCluster && !user) conn.token = (await readIfExists(join(IN_CLUSTER_DIR, "token")))?.trim();
  if (user) {
    const methods: string[] = [];
    if (user.token || user.tokenFile) methods.push("token");
    if (user.username || user.password) methods.push("basicAuth");
    if (methods.length > 1)
      problems.push(`more than one authentication method found for ${userName}; found [${methods.join(" ")}], only one is allowed`);
    if (!flags.token && (user.username || user.password)) { conn.username = user.username; conn.password = user.password; }
    const certData = user["client-certificate-data"], certFile = user["client-certificate"];
    const keyData = user["client-key-data"], keyFile = user["client-key"];
    if (certData && certFile)
      problems.push(`client-cert-data and client-cert are both specified for ${userName}. client-cert-data will override.`);
    if (keyData && keyFile)
      problems.push(`client-key-data and client-key are both specified for ${userName}; client-key-data will override`);
    if ((certData || certFile) && !(keyData || keyFile))
      problems.push(`client-key-data or client-key must be specified for ${userName} to use the clientCert authentication method.`);
    if ((keyData || keyFile) && !(certData || certFile))
      problems.push(`client-cert-data or client-cert must be specified for ${userName} to use the clientCert authentication method.`);
    if (certData) conn.clientCertPem = decodeBase64(certData);
    else if (certFile) conn.clientCertPem = await readOr("client-cert", userName, certFile);
    if (keyData) conn.clientKeyPem = decodeBase64(keyData);
    else if (keyFile) conn.clientKeyPem = await readOr("client-key", userName, keyFile);
    if (user.as || user["as-uid"] || user["as-groups"]?.length)
      conn.impersonate = { user: user.as, uid: user["as-uid"], groups: user["as-groups"] };
    if (user.exec && !conn.token) conn.exec = user.exec;
  }

  let namespace = flags.namespace || ctx?.namespace || "";
  if (!namespace && inCluster) namespace = (await readIfExists(join(IN_CLUSTER_DIR, "namespace")))?.trim() ?? "";
  const problem = problems.length > 0 ? new ConfigError(problems) : undefined;
  return {
    namespace: namespace || "default",
    merged,
    currentContext: contextName,
    clusterName,
    userName,
    files,
    origins,
    problem,
    get connection(): Connection {
      if (problem) throw problem;
      return conn;
    },
  };
}

/** The same loaded configuration with another namespace (as `-n` gives it); the connection is shared. */
export function withNamespace(cfg: LoadedConfig, namespace: string): LoadedConfig {
  const copy = Object.defineProperties({}, Object.getOwnPropertyDescriptors(cfg)) as LoadedConfig;
  copy.namespace = namespace;
  return copy;
}

function hostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where a write goes (§8.2). */
export type WriteTarget =
  | { section: Section; name: string }
  | { section: "current-context" | "preferences"; clear?: boolean };

const exists = async (p: string): Promise<boolean> => (await readIfExists(p)) !== undefined;

/**
 * The file a kubeconfig change is written to (§8.2 "where writes go"). Without `target`, or
 * for a new entry: the --kubeconfig file; else the only KUBECONFIG entry; else the first
 * KUBECONFIG file that exists (the last if none does); else ~/.kube/config. An existing
 * entry is written back to the file it came from; clearing current-context goes to the first
 * file that sets it.
 */
export async function writableConfigPath(env: Env, flags: ConnectionFlags, home: string, target?: WriteTarget): Promise<string> {
  const { files, explicit } = kubeConfigPrecedence(env, flags, home);
  if (explicit || files.length === 1) return files[0];
  if (target && "name" in target) {
    const { origins } = await loadMergedKubeConfig(env, flags, home);
    const from = origins[target.section][target.name];
    if (from) return from;
  } else if (target?.section === "current-context" && target.clear) {
    for (const f of files) {
      const text = await readIfExists(f);
      if (text !== undefined && parseKubeConfig(text, f)["current-context"]) return f;
    }
  }
  for (const f of files) if (await exists(f)) return f;
  return files[files.length - 1];
}

/**
 * Read-modify-write of one kubeconfig file: `mutate` changes the parsed file (missing file =
 * empty config); the result is written atomically (temp file + rename) with mode 0600,
 * creating parent directories. Entries `mutate` leaves alone are written back unchanged.
 * Returns the config as written.
 */
export async function updateKubeConfig(path: string, mutate: (cfg: KubeConfig) => void | Promise<void>): Promise<KubeConfig> {
  const text = await readIfExists(path);
  const cfg = text === undefined ? emptyConfig() : parseKubeConfig(text, path);
  await mutate(cfg);
  cfg.apiVersion ??= "v1";
  cfg.kind ??= "Config";
  cfg.preferences ??= {};
  await mkdir(dirname(resolvePath(path)), { recursive: true, mode: 0o755 });
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  try {
    await writeFile(tmp, dumpKubeConfig(cfg), { mode: 0o600 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw new CliError(`error writing config file "${path}": ${e instanceof Error ? e.message : String(e)}`);
  }
  return cfg;
}

/**
 * Finds the entry `name` in a section (creating `{name, <cluster|user|context>: {}}` at the end
 * when absent) and hands its inner object to `mutate`. Returns whether it was created.
 */
export function upsertNamedEntry<S extends Section>(cfg: KubeConfig, section: S, name: string, mutate: (entry: EntryOf<S>) => void): boolean {
  const list = (cfg[section] ??= []) as unknown as Record<string, unknown>[];
  const key = ENTRY_KEY[section];
  let item = list.find((e) => e.name === name);
  const created = !item;
  if (!item) { item = { name, [key]: {} }; list.push(item); }
  item[key] ??= {};
  mutate(item[key] as EntryOf<S>);
  return created;
}

/** Removes the entry `name` from a section; false when it was not there. */
export function removeNamedEntry(cfg: KubeConfig, section: Section, name: string): boolean {
  const list = (cfg[section] ?? []) as { name: string }[];
  const i = list.findIndex((e) => e.name === name);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/** The entry `name` of a section, or undefined. */
export function getNamedEntry<S extends Section>(cfg: KubeConfig, section: S, name: string): EntryOf<S> | undefined {
  return findEntry(cfg, section, name);
}

const DATA_OMITTED = "DATA+OMITTED";
const REDACTED = "REDACTED";

/**
 * A copy of `cfg` shaped like `kubectl config view` prints it: fixed top-level fields, empty
 * lists as null, and unless `raw`, `*-data` as DATA+OMITTED and tokens/passwords as REDACTED.
 */
export function redactConfig(cfg: KubeConfig, raw: boolean): KubeConfig {
  const copy = deepCopy(cfg);
  if (!raw) {
    for (const c of copy.clusters) if (c.cluster["certificate-authority-data"]) c.cluster["certificate-authority-data"] = DATA_OMITTED;
    for (const u of copy.users) {
      for (const f of ["client-certificate-data", "client-key-data"] as const) if (u.user[f]) u.user[f] = DATA_OMITTED;
      if (u.user.token) u.user.token = REDACTED;
      if (u.user.password) u.user.password = REDACTED;
    }
  }
  const out = {
    apiVersion: copy.apiVersion ?? "v1",
    clusters: copy.clusters,
    contexts: copy.contexts,
    "current-context": copy["current-context"] ?? "",
    kind: copy.kind ?? "Config",
    preferences: copy.preferences ?? {},
    users: copy.users,
  } as KubeConfig;
  if (copy.extensions?.length) out.extensions = copy.extensions;
  return out;
}

/**
 * Keeps only the context in effect and the cluster and user it names (`config view --minify`).
 * Throws CliError like kubectl when there is no such context.
 */
export function minifyConfig(cfg: KubeConfig, contextName: string): KubeConfig {
  if (!contextName) throw new CliError("current-context must exist in order to minify");
  const ctx = findEntry(cfg, "contexts", contextName);
  if (!ctx) throw new CliError(`cannot locate context ${contextName}`);
  return {
    ...cfg,
    "current-context": contextName,
    contexts: cfg.contexts.filter((c) => c.name === contextName),
    clusters: cfg.clusters.filter((c) => c.name === ctx.cluster),
    users: cfg.users.filter((u) => u.name === ctx.user),
  };
}

/** YAML as kubectl writes kubeconfig files: keys sorted, lists not indented, empty lists null. */
export function dumpKubeConfig(cfg: KubeConfig): string {
  const doc: Record<string, unknown> = { ...cfg };
  for (const section of ["clusters", "users", "contexts"] as const) {
    const list = doc[section] as unknown[] | undefined;
    if (!list || list.length === 0) doc[section] = null;
  }
  doc["current-context"] ??= "";
  return dump(doc, { sortKeys: true, seqNoIndent: true, lineWidth: -1, quoteStyle: "double" });
}
