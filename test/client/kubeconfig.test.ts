// kubeconfig: loading, merging (first wins), connection resolution with flags, writes, view.
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  ConfigError, dumpKubeConfig, loadKubeConfig, loadMergedKubeConfig, minifyConfig, parseRequestTimeout, redactConfig,
  removeNamedEntry, updateKubeConfig, upsertNamedEntry, withNamespace, writableConfigPath, type LoadedConfig,
} from "../../src/client/kubeconfig.ts";
import type { ConnectionFlags } from "../../src/deps.ts";
import { CliError } from "../../src/errors.ts";

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "skiff-kubeconfig-"));
  home = join(dir, "home");
  await mkdir(home);
});
afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

const put = async (name: string, text: string): Promise<string> => {
  const p = join(dir, name);
  await mkdir(join(p, ".."), { recursive: true });
  await writeFile(p, text);
  return p;
};

// The reference's example: the same cluster name in two files, current-context only in B.
const FILE_A = `apiVersion: v1
kind: Config
clusters:
- name: cow-cluster
  cluster:
    server: http://cow.org:8080
users:
- name: red-user
  user:
    token: red-token
`;
const FILE_B = `apiVersion: v1
kind: Config
clusters:
- name: cow-cluster
  cluster:
    server: http://a-different-cow.org:8080
    insecure-skip-tls-verify: true
- name: pig-cluster
  cluster:
    server: https://horse.org:4443
    certificate-authority: certs/ca.pem
users:
- name: red-user
  user:
    token: other-red-token
- name: blue-user
  user:
    tokenFile: secrets/blue-token
contexts:
- name: federal-context
  context:
    cluster: cow-cluster
    user: red-user
    namespace: chisel-ns
- name: queen-anne-context
  context:
    cluster: pig-cluster
    user: blue-user
    namespace: saw-ns
current-context: federal-context
`;

describe("merging", () => {
  test("first file wins whole entries and scalars (cow-cluster example)", async () => {
    const a = await put("a/config", FILE_A);
    const b = await put("b/config", FILE_B);
    const cfg = await loadKubeConfig({ KUBECONFIG: `${a}:${b}` }, {}, home);
    const cow = cfg.merged.clusters.find((c) => c.name === "cow-cluster")!;
    expect(cow.cluster).toEqual({ server: "http://cow.org:8080" });
    expect(cfg.merged["current-context"]).toBe("federal-context");
    expect(cfg.currentContext).toBe("federal-context");
    expect(cfg.merged.clusters.map((c) => c.name)).toEqual(["cow-cluster", "pig-cluster"]);
    expect(cfg.connection).toMatchObject({ server: "http://cow.org:8080", insecureSkipTlsVerify: false, token: "red-token" });
    expect(cfg.namespace).toBe("chisel-ns");
    expect(cfg.origins.clusters).toEqual({ "cow-cluster": a, "pig-cluster": b });
    expect(cfg.files).toEqual([a, b]);
  });

  test("withNamespace is what -n gives: another namespace, the same connection", async () => {
    const a = await put("a/config", FILE_A);
    const b = await put("b/config", FILE_B);
    const cfg = await loadKubeConfig({ KUBECONFIG: `${a}:${b}` }, {}, home);
    const viaFlag = await loadKubeConfig({ KUBECONFIG: `${a}:${b}` }, { namespace: "other" }, home);
    const copy = withNamespace(cfg, "other");
    expect(copy.namespace).toBe("other");
    expect(cfg.namespace).toBe("chisel-ns");
    expect(copy.connection).toEqual(viaFlag.connection);
    expect({ ...copy.merged, ctx: copy.currentContext, files: copy.files }).toEqual({ ...viaFlag.merged, ctx: viaFlag.currentContext, files: viaFlag.files });
  });

  test("KUBECONFIG drops empty and duplicate entries and skips missing files", async () => {
    const b = await put("b/config", FILE_B);
    const cfg = await loadMergedKubeConfig({ KUBECONFIG: `::${join(dir, "nope")}:${b}:${b}` }, {}, home);
    expect(cfg.files).toEqual([b]);
    expect(cfg.merged.clusters.find((c) => c.name === "cow-cluster")!.cluster.server).toBe("http://a-different-cow.org:8080");
  });

  test("--kubeconfig reads exactly that file and ignores KUBECONFIG", async () => {
    const a = await put("a/config", FILE_A);
    const b = await put("b/config", FILE_B);
    const cfg = await loadMergedKubeConfig({ KUBECONFIG: a }, { kubeconfig: b }, home);
    expect(cfg.files).toEqual([b]);
  });

  test("a missing --kubeconfig is an error naming the path", async () => {
    await expect(loadKubeConfig({}, { kubeconfig: join(dir, "missing") }, home))
      .rejects.toThrow(`stat ${join(dir, "missing")}: no such file or directory`);
  });

  test("no files at all: empty config, kubectl's localhost:8080, namespace default", async () => {
    const cfg = await loadKubeConfig({}, {}, home);
    expect(cfg.merged.clusters).toEqual([]);
    expect(cfg.connection.server).toBe("http://localhost:8080");
    expect(cfg.namespace).toBe("default");
    expect(cfg.currentContext).toBe("");
  });

  test("~/.kube/config is the default file", async () => {
    await put("home/.kube/config", FILE_B);
    const cfg = await loadKubeConfig({}, {}, home);
    expect(cfg.files).toEqual([join(home, ".kube", "config")]);
    expect(cfg.connection.server).toBe("http://a-different-cow.org:8080");
    expect(cfg.connection.insecureSkipTlsVerify).toBe(true);
  });

  test("file paths are made relative to the kubeconfig's directory", async () => {
    const b = await put("b/config", FILE_B);
    await put("b/certs/ca.pem", "CA-PEM\n");
    await put("b/secrets/blue-token", "blue-secret\n");
    const cfg = await loadKubeConfig({ KUBECONFIG: b }, { context: "queen-anne-context" }, home);
    expect(cfg.merged.clusters.find((c) => c.name === "pig-cluster")!.cluster["certificate-authority"]).toBe(join(dir, "b/certs/ca.pem"));
    expect(cfg.connection).toMatchObject({ server: "https://horse.org:4443", caPem: "CA-PEM\n", token: "blue-secret" });
    expect(cfg.namespace).toBe("saw-ns");
  });
});

describe("errors while loading", () => {
  test.each([
    ["duplicate cluster", "clusters:\n- name: x\n  cluster: {server: http://a}\n- name: x\n  cluster: {server: http://b}\n",
      'error converting *[]NamedCluster into *map[string]*api.Cluster: duplicate name "x" in list'],
    ["duplicate context", "contexts:\n- name: c\n  context: {cluster: a, user: b}\n- name: c\n  context: {cluster: a, user: b}\n",
      'error converting *[]NamedContext into *map[string]*api.Context: duplicate name "c" in list'],
    ["bad yaml", "clusters:\n- name: x\n   cluster: [\n", "yaml: line "],
    ["duplicate cluster in JSON", JSON.stringify({ clusters: [{ name: "x", cluster: {} }, { name: "x", cluster: {} }] }),
      'error converting *[]NamedCluster into *map[string]*api.Cluster: duplicate name "x" in list'],
    ["broken JSON (the YAML parser words it)", '{"clusters": [{"name": "x",\n', "yaml: line "],
    ["a JSON list", "[1, 2]", "the document is not a mapping"],
  ])("%s names the file", async (_name, text, message) => {
    const p = await put("bad/config", text);
    const err = await loadKubeConfig({ KUBECONFIG: p }, {}, home).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as Error).message).toContain(`error loading config file "${p}": `);
    expect((err as Error).message).toContain(message);
  });

  test("an empty file is an empty config", async () => {
    const p = await put("empty/config", "");
    const cfg = await loadKubeConfig({ KUBECONFIG: p }, {}, home);
    expect(cfg.merged.contexts).toEqual([]);
  });

  test("JSON that YAML reads differently from JSON.parse is still YAML's: a flow mapping with unquoted keys", async () => {
    const p = await put("flow/config", "{clusters: [{name: f, cluster: {server: 'https://f:1'}}], contexts: [{name: f, context: {cluster: f, user: ''}}], current-context: f}");
    expect((await loadKubeConfig({ KUBECONFIG: p }, {}, home)).connection.server).toBe("https://f:1");
  });

  test("JSON kubeconfigs load too", async () => {
    const p = await put("json/config", JSON.stringify({ clusters: [{ name: "j", cluster: { server: "https://j:1" } }], contexts: [{ name: "j", context: { cluster: "j", user: "" } }], "current-context": "j" }));
    expect((await loadKubeConfig({ KUBECONFIG: p }, {}, home)).connection.server).toBe("https://j:1");
  });
});

describe("resolving a connection", () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    const b = await put("b/config", FILE_B);
    await put("b/certs/ca.pem", "CA-PEM\n");
    await put("b/secrets/blue-token", "blue-secret\n");
    await put("flag-ca.pem", "FLAG-CA\n");
    env = { KUBECONFIG: b };
  });

  const cases: [string, ConnectionFlags, Partial<LoadedConfig["connection"]> & { namespace?: string }][] = [
    ["current context", {}, { server: "http://a-different-cow.org:8080", token: "other-red-token", insecureSkipTlsVerify: true, namespace: "chisel-ns" }],
    ["--context", { context: "queen-anne-context" }, { server: "https://horse.org:4443", token: "blue-secret", namespace: "saw-ns" }],
    ["--namespace beats the context", { namespace: "mine" }, { namespace: "mine" }],
    ["--server beats the cluster", { server: "https://other:6443" }, { server: "https://other:6443" }],
    ["--token beats token and tokenFile", { context: "queen-anne-context", token: "flag-token" }, { token: "flag-token" }],
    ["--cluster switches the cluster", { cluster: "pig-cluster" }, { server: "https://horse.org:4443", caPem: "CA-PEM\n", token: "other-red-token" }],
    ["--user switches the user", { user: "blue-user" }, { token: "blue-secret" }],
    ["--certificate-authority clears insecure", { certificateAuthority: "FLAG_CA" }, {}],
    ["--insecure-skip-tls-verify clears the CA", { context: "queen-anne-context", insecureSkipTlsVerify: true }, { insecureSkipTlsVerify: true, caPem: undefined }],
    ["--request-timeout", { requestTimeout: "1m30s" }, { requestTimeoutMs: 90_000 }],
  ];
  test.each(cases)("%s", async (_name, flags, want) => {
    const f = { ...flags };
    // The temp dir is only known at run time.
    if (f.certificateAuthority === "FLAG_CA") f.certificateAuthority = join(dir, "flag-ca.pem");
    const cfg = await loadKubeConfig(env, f, home);
    const { namespace, ...conn } = want;
    if (namespace) expect(cfg.namespace).toBe(namespace);
    for (const [k, v] of Object.entries(conn)) expect(cfg.connection[k as keyof typeof conn], k).toEqual(v);
    if (flags.certificateAuthority) expect(cfg.connection).toMatchObject({ caPem: "FLAG-CA\n", insecureSkipTlsVerify: false });
  });

  test.each([
    [{ context: "foo" }, "context was not found for specified context: foo"],
    [{ cluster: "nope" }, 'cluster "nope" does not exist'],
    [{ user: "ghost" }, 'auth info "ghost" does not exist'],
    [{ requestTimeout: "ten" }, "invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)"],
  ] as [ConnectionFlags, string][])("%o → %s, only when the connection is used", async (flags, message) => {
    const cfg = await loadKubeConfig(env, flags, home);
    expect(cfg.merged.clusters.length).toBe(2);
    expect(cfg.problem?.message).toBe(message);
    expect(() => cfg.connection).toThrow(ConfigError);
    expect(() => cfg.connection).toThrow(message);
  });

  test("a CA together with insecure-skip-tls-verify in the file is rejected", async () => {
    const p = await put("both/config", "clusters:\n- name: c\n  cluster: {server: 'https://c', certificate-authority-data: Q0E=, insecure-skip-tls-verify: true}\ncontexts:\n- name: c\n  context: {cluster: c, user: ''}\ncurrent-context: c\n");
    const cfg = await loadKubeConfig({ KUBECONFIG: p }, {}, home);
    expect(() => cfg.connection).toThrow("specifying a root certificates file with the insecure flag is not allowed");
  });

  test("token and basic auth together are rejected", async () => {
    const p = await put("auth/config", "users:\n- name: dev\n  user: {token: t, username: u, password: p}\ncontexts:\n- name: c\n  context: {cluster: '', user: dev}\ncurrent-context: c\n");
    const cfg = await loadKubeConfig({ KUBECONFIG: p }, {}, home);
    expect(() => cfg.connection).toThrow("more than one authentication method found for dev; found [token basicAuth], only one is allowed");
  });

  test("*-data fields are base64 PEM; basic auth and impersonation carried", async () => {
    const b64 = (s: string): string => Buffer.from(s).toString("base64");
    const p = await put("data/config", `clusters:
- name: c
  cluster: {server: 'https://c:6443', certificate-authority-data: ${b64("CA")}, tls-server-name: c.internal}
users:
- name: u
  user: {client-certificate-data: ${b64("CERT")}, client-key-data: ${b64("KEY")}, as: admin, as-groups: [ops]}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`);
    const cfg = await loadKubeConfig({ KUBECONFIG: p }, {}, home);
    expect(cfg.connection).toMatchObject({
      caPem: "CA", clientCertPem: "CERT", clientKeyPem: "KEY", tlsServerName: "c.internal",
      impersonate: { user: "admin", groups: ["ops"] },
    });
    // --server without a TLS name drops the file's tls-server-name.
    expect((await loadKubeConfig({ KUBECONFIG: p }, { server: "https://x" }, home)).connection.tlsServerName).toBeUndefined();
  });

  test("an unreadable CA file is a configuration problem", async () => {
    const p = await put("ca/config", "clusters:\n- name: c\n  cluster: {server: 'https://c', certificate-authority: missing.pem}\ncontexts:\n- name: c\n  context: {cluster: c, user: ''}\ncurrent-context: c\n");
    const cfg = await loadKubeConfig({ KUBECONFIG: p }, {}, home);
    expect(() => cfg.connection).toThrow(`unable to read certificate-authority ${join(dir, "ca/missing.pem")} for c due to open ${join(dir, "ca/missing.pem")}: no such file or directory`);
  });
});

test.each([
  ["0", 0], ["", 0], ["5", 5000], ["10s", 10_000], ["1m30s", 90_000], ["250ms", 250], ["2h", 7_200_000],
] as [string, number][])("parseRequestTimeout(%j) = %d ms", (value, ms) => {
  expect(parseRequestTimeout(value)).toBe(ms);
});

describe("writing", () => {
  test("writableConfigPath follows §8.2", async () => {
    const a = join(dir, "a/config");
    const b = await put("b/config", FILE_B);
    const c = join(dir, "c/config");
    expect(await writableConfigPath({}, {}, home)).toBe(join(home, ".kube/config"));
    expect(await writableConfigPath({ KUBECONFIG: a }, {}, home)).toBe(a);
    expect(await writableConfigPath({ KUBECONFIG: `${a}:${b}` }, { kubeconfig: c }, home)).toBe(c);
    // Several: the first that exists, else the last.
    expect(await writableConfigPath({ KUBECONFIG: `${a}:${b}:${c}` }, {}, home)).toBe(b);
    expect(await writableConfigPath({ KUBECONFIG: `${a}:${c}` }, {}, home)).toBe(c);
    // An existing entry goes back to its own file.
    await put("a/config", FILE_A);
    expect(await writableConfigPath({ KUBECONFIG: `${a}:${b}` }, {}, home, { section: "clusters", name: "pig-cluster" })).toBe(b);
    expect(await writableConfigPath({ KUBECONFIG: `${a}:${b}` }, {}, home, { section: "clusters", name: "new-one" })).toBe(a);
    expect(await writableConfigPath({ KUBECONFIG: `${a}:${b}` }, {}, home, { section: "current-context", clear: true })).toBe(b);
  });

  test("updateKubeConfig keeps other entries, writes 0600 atomically, creates directories", async () => {
    const b = await put("b/config", FILE_B);
    await updateKubeConfig(b, (cfg) => {
      upsertNamedEntry(cfg, "clusters", "pig-cluster", (c) => { c.server = "https://pig:1"; });
      upsertNamedEntry(cfg, "contexts", "skiff", (c) => { c.cluster = "pig-cluster"; c.user = "blue-user"; });
      cfg["current-context"] = "skiff";
    });
    expect((await stat(b)).mode & 0o777).toBe(0o600);
    const back = await loadMergedKubeConfig({ KUBECONFIG: b }, {}, home);
    expect(back.merged.clusters.map((c) => [c.name, c.cluster.server])).toEqual([
      ["cow-cluster", "http://a-different-cow.org:8080"], ["pig-cluster", "https://pig:1"]]);
    // The relative CA path is written back as it was (not made absolute).
    expect(await readFile(b, "utf8")).toContain("certificate-authority: certs/ca.pem");
    expect(back.merged.users.map((u) => u.name)).toEqual(["red-user", "blue-user"]);
    expect(back.merged.contexts.map((c) => c.name)).toEqual(["federal-context", "queen-anne-context", "skiff"]);
    expect(back.merged["current-context"]).toBe("skiff");

    const fresh = join(dir, "new/dir/config");
    await updateKubeConfig(fresh, (cfg) => { upsertNamedEntry(cfg, "users", "u", (u) => { u.token = "t"; }); });
    expect((await stat(fresh)).mode & 0o777).toBe(0o600);
    expect(await readFile(fresh, "utf8")).toBe(`apiVersion: v1
clusters: null
contexts: null
current-context: ""
kind: Config
preferences: {}
users:
- name: u
  user:
    token: t
`);
  });

  test("removeNamedEntry", async () => {
    const b = await put("b/config", FILE_B);
    await updateKubeConfig(b, (cfg) => {
      expect(removeNamedEntry(cfg, "contexts", "federal-context")).toBe(true);
      expect(removeNamedEntry(cfg, "contexts", "nope")).toBe(false);
    });
    const back = await loadMergedKubeConfig({ KUBECONFIG: b }, {}, home);
    expect(back.merged.contexts.map((c) => c.name)).toEqual(["queen-anne-context"]);
  });
});

describe("config view", () => {
  const b64 = Buffer.from("PEM").toString("base64");
  const text = `clusters:
- name: c
  cluster: {server: 'https://c:6443', certificate-authority-data: ${b64}}
- name: d
  cluster: {server: 'https://d:6443'}
users:
- name: u
  user: {token: secret, client-key-data: ${b64}, client-certificate-data: ${b64}}
- name: w
  user: {username: x, password: pw}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`;

  test("redacts secrets unless raw, in kubectl's layout", async () => {
    const p = await put("view/config", text);
    const { merged } = await loadMergedKubeConfig({ KUBECONFIG: p }, {}, home);
    expect(dumpKubeConfig(redactConfig(merged, false))).toBe(`apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: DATA+OMITTED
    server: https://c:6443
  name: c
- cluster:
    server: https://d:6443
  name: d
contexts:
- context:
    cluster: c
    user: u
  name: c
current-context: c
kind: Config
preferences: {}
users:
- name: u
  user:
    client-certificate-data: DATA+OMITTED
    client-key-data: DATA+OMITTED
    token: REDACTED
- name: w
  user:
    password: REDACTED
    username: x
`);
    expect(redactConfig(merged, true).users[0].user.token).toBe("secret");
    expect(merged.users[0].user.token).toBe("secret");
  });

  test("minify keeps the current context's cluster and user", async () => {
    const p = await put("view/config", text);
    const { merged } = await loadMergedKubeConfig({ KUBECONFIG: p }, {}, home);
    const m = minifyConfig(merged, "c");
    expect([m.clusters.map((c) => c.name), m.users.map((u) => u.name), m.contexts.map((c) => c.name)]).toEqual([["c"], ["u"], ["c"]]);
    expect(() => minifyConfig(merged, "")).toThrow("current-context must exist in order to minify");
    expect(() => minifyConfig(merged, "zz")).toThrow("cannot locate context zz");
  });

  test("empty config prints like kubectl", () => {
    expect(dumpKubeConfig(redactConfig({ clusters: [], users: [], contexts: [] }, false))).toBe(`apiVersion: v1
clusters: null
contexts: null
current-context: ""
kind: Config
preferences: {}
users: null
`);
  });
});
