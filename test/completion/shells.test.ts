// Completion in real shells: the generated bash and zsh scripts, sourced into bash and zsh, running
// the real bin/skiff against a real HTTPS control plane with seeded pods and a kubeconfig.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { ApiObject } from "../../src/api/types.ts";
import type { ApiClient } from "../../src/client/api-client.ts";
import { createApiClient } from "../../src/client/client.ts";
import { createHttpTransport } from "../../src/client/http-transport.ts";
import type { Transport } from "../../src/client/transport.ts";
import { startControlPlane, type ControlPlane } from "../../src/controlplane/control-plane.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const hasZsh = (() => {
  try {
    execFileSync("zsh", ["-fc", "zmodload zsh/zpty"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let work = "";
let cp: ControlPlane | undefined;
let transport: Transport | undefined;
let env: Record<string, string> = {};

// Sets COMP_* as bash does for a TAB at the end of the line, calls the registered function, prints COMPREPLY.
const BASH_HARNESS = `
source "$1"
COMP_LINE=$2
COMP_POINT=\${#COMP_LINE}
read -ra COMP_WORDS <<< "$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((\${#COMP_WORDS[@]}-1))
COMP_TYPE=9
fn=$(complete -p skiff | sed -E 's/.* -F ([^ ]+) .*/\\1/')
"$fn" 2>/dev/null
printf '%s\\n' "\${COMPREPLY[@]}"
`;

// The inner interactive zsh: compinit, a compadd that prints what it is asked to add, then our script.
const ZSH_SETUP = `
PROMPT=
autoload -U compinit && compinit -u -D
bindkey '^M' undefined
bindkey '^J' undefined
bindkey '^I' complete-word
null-line () { echo -E - $'\\0' }
compprefuncs=( null-line )
comppostfuncs=( null-line exit )
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
compadd () {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then
    builtin compadd "$@"
    return $?
  fi
  typeset -a __hits
  builtin compadd -A __hits "$@"
  [[ -n $__hits ]] || return
  local h
  for h in $__hits; do echo -E - "CAND:$IPREFIX$h"; done
}
source "$SKIFF_SCRIPT"
echo ok
`;

// The outer zsh drives the inner one through a pseudo-terminal: types the line and a TAB.
const ZSH_HARNESS = `
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
local line
zpty -w z "source \${(q)1}"
integer ready=0
repeat 20; do
  zpty -r z line || break
  [[ $line == ok* ]] && { ready=1; break }
done
(( ready )) || exit 2
zpty -w z "$2"$'\\t'
while zpty -r z line; do
  [[ $line == *CAND:* ]] && echo -E - "\${\${line#*CAND:}%%$'\\r'}"
done
zpty -d z
`;

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((done, fail) => {
    execFile(cmd, args, { env, cwd: work, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${cmd} ${args.join(" ")}: ${err.message}\n${stderr}`));
      else done(stdout);
    });
  });
}

/** What bash would offer for `line` (TAB at its end). */
async function bashComplete(line: string): Promise<string[]> {
  const out = await run("bash", ["--norc", "--noprofile", join(work, "harness.bash"), join(root, "completions", "skiff.bash"), line]);
  return out.split("\n").filter((l) => l !== "").sort();
}

/** What zsh's completion system would offer for `line`. */
async function zshComplete(line: string): Promise<string[]> {
  const out = await run("zsh", ["-f", join(work, "harness.zsh"), join(work, "setup.zsh"), line]);
  return [...new Set(out.split("\n").map((l) => l.trim()).filter((l) => l !== ""))].sort();
}

function pod(name: string): ApiObject {
  return { apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "app", image: "busybox" }] } };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "skiff-completion-"));
  cp = await startControlPlane({ dataDir: join(work, "data"), port: 0 });
  const kubeconfig = join(work, "kubeconfig");
  writeFileSync(kubeconfig, JSON.stringify({
    apiVersion: "v1", kind: "Config", "current-context": "dev",
    clusters: [{ name: "local", cluster: { server: cp.url, "certificate-authority-data": Buffer.from(cp.caPem).toString("base64") } }],
    users: [{ name: "admin", user: { token: cp.token } }],
    contexts: [
      { name: "dev", context: { cluster: "local", user: "admin", namespace: "default" } },
      { name: "staging", context: { cluster: "local", user: "admin", namespace: "team-a" } },
    ],
  }));
  const bin = join(work, "bin");
  mkdirSync(bin);
  symlinkSync(join(root, "bin", "skiff"), join(bin, "skiff"));
  env = { PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`, HOME: work, KUBECONFIG: kubeconfig, TERM: "dumb", SKIFF_SCRIPT: join(root, "completions", "skiff.zsh") };
  writeFileSync(join(work, "harness.bash"), BASH_HARNESS);
  writeFileSync(join(work, "harness.zsh"), ZSH_HARNESS);
  writeFileSync(join(work, "setup.zsh"), ZSH_SETUP);

  transport = createHttpTransport({ server: cp.url, caPem: cp.caPem, token: cp.token, insecureSkipTlsVerify: false, requestTimeoutMs: 0 });
  const client: ApiClient = createApiClient(transport, { namespace: "default", server: cp.url });
  for (const name of ["web-1", "web-2", "db-1"]) await client.create("pods", "default", pod(name));
  await client.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: "team-a" } });
  await client.create("pods", "team-a", pod("batch-7"));
  await client.create("replicationcontrollers", "default", {
    apiVersion: "v1", kind: "ReplicationController", metadata: { name: "frontend" },
    spec: { replicas: 0, selector: { app: "fe" }, template: { metadata: { labels: { app: "fe" } }, spec: { containers: [{ name: "fe", image: "nginx" }] } } },
  });
}, 60_000);

afterAll(async () => {
  await transport?.close?.();
  await cp?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// [line, candidates] — the same answers in both shells.
const CASES: [string, string[]][] = [
  ["skiff ge", ["get"]],
  ["skiff get po", ["pods"]],
  ["skiff get pods ", ["db-1", "web-1", "web-2"]],
  ["skiff get pods web-1 ", ["db-1", "web-2"]],
  ["skiff get pod/w", ["pod/web-1", "pod/web-2"]],
  ["skiff get -o ya", ["yaml"]],
  ["skiff -n ", ["default", "kube-node-lease", "kube-public", "kube-system", "team-a"]],
  ["skiff -n team-a get pods ", ["batch-7"]],
  ["skiff --context staging get pods ", ["batch-7"]],
  ["skiff describe rc/", ["rc/frontend"]],
  ["skiff delete svc ", ["kubernetes"]],
  ["skiff --context ", ["dev", "staging"]],
  ["skiff cluster ", ["down", "status", "up"]],
  ["skiff completion ", ["bash", "zsh"]],
];

describe("bash", () => {
  test.each(CASES)("%s<TAB>", async (line, want) => {
    const got = await bashComplete(line);
    if (line === "skiff -n ") expect(got).toEqual(expect.arrayContaining(["default", "team-a"]));
    else expect(got).toEqual(want);
  });

  test("-o <TAB> lists every output format", async () => {
    expect(await bashComplete("skiff get -o ")).toEqual(expect.arrayContaining(["json", "yaml", "name", "wide", "jsonpath", "custom-columns"]));
  });

  test("--output=<TAB> completes the value only (bash replaces the part after =)", async () => {
    expect(await bashComplete("skiff get --output=js")).toEqual(["json", "jsonpath", "jsonpath-as-json", "jsonpath-file"]);
  });

  test("several candidates with descriptions come back as bare words when the terminal width is unknown", async () => {
    expect(await bashComplete("skiff get --sh")).toEqual(["--show-kind", "--show-labels"]);
  });
});

describe.runIf(hasZsh)("zsh", () => {
  test.each(CASES)("%s<TAB>", async (line, want) => {
    const got = await zshComplete(line);
    if (line === "skiff -n ") expect(got).toEqual(expect.arrayContaining(["default", "team-a"]));
    else expect(got).toEqual(want);
  });
});

describe("generated scripts", () => {
  test.each(["bash", "zsh"])("completions/skiff.%s is what `skiff completion` prints for it", async (shell) => {
    const printed = await run(join(root, "bin", "skiff"), ["completion", shell]);
    expect(printed).toBe(readFileSync(join(root, "completions", `skiff.${shell}`), "utf8"));
  });
});
