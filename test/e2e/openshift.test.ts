// End to end: the OpenShift application layer through dist/skiff and its own control plane. Every
// real template processes and creates; nodejs-postgresql-example and django-psql-persistent build,
// push, roll out onto the minions and fill their endpoints; a GitHub webhook builds and rolls out
// again; rollout undo returns to the first image; a failed build and a failed rollout are reported
// as such; and the README's main job (scripts/demo.sh) runs twice.
import { execFile, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAll } from "js-yaml";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ensureBuilt, SKIFF_BINARY as built, isolatedEnv } from "../helpers/ensure-built.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = join(root, "..", "shared", "fixtures", "real");
const NODEJS = "nodejs-postgresql-example";
const DJANGO = "django-psql-persistent";
/** The commit in upstream's GitHub push payload. */
const PUSHED_COMMIT = "9bdc3a26ff933b32f3e558636b58aea86a69f051";

interface Result { code: number; stdout: string; stderr: string }
interface Param { name: string; value?: string; generate?: string; from?: string; required?: boolean }
interface Obj { kind: string; apiVersion: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: unknown }
interface TemplateDoc { kind: string; objects: Obj[]; parameters?: Param[] }
interface Pod { metadata: { name: string }; spec: { nodeName?: string }; status: { phase: string; podIP?: string } }

let work = "";
/** A private copy of dist/skiff: a rebuild of dist/ while this file runs cannot swap it underneath. */
let skiff = "";
let env: Record<string, string> = {};
const children = new Set<ChildProcess>();
let demo: Promise<Result> | undefined;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => done(typeof addr === "object" && addr ? addr.port : 0));
    });
  });
}

/** Runs a program to completion in the test's environment; never rejects on a non-zero exit. */
function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Result> {
  return new Promise((done) => {
    const child = execFile(cmd, args, { env: opts.env ?? env, cwd: work, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        children.delete(child);
        const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    children.add(child);
    child.stdin?.end();
  });
}

const sk = (...args: string[]): Promise<Result> => run(skiff, args, { timeoutMs: 90_000 });

/** skiff, expected to succeed: its stdout. */
async function ok(...args: string[]): Promise<string> {
  const r = await sk(...args);
  if (r.code !== 0) throw new Error(`skiff ${args.join(" ")} exited ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function getJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await ok("get", ...args, "-o", "json")) as T;
}

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/** A shell pipeline (bash, pipefail) in the test's environment. */
function sh(line: string): Promise<Result> {
  return run("bash", ["-o", "pipefail", "-c", line]);
}

/** Polls `check` until it stops throwing, for at most `ms`. */
async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function serverPid(): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(env.SKIFF_HOME!, "endpoint.json"), "utf8")) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

/** POSTs to the control plane over HTTPS with its own CA and no credentials, as GitHub would. */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { method: "POST", headers, ca: readFileSync(join(env.SKIFF_HOME!, "ca.crt")) }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => { text += d; });
      res.on("end", () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", fail);
    req.end(body);
  });
}

/** Every Template among the fixtures, with the project it is created in (its upstream file name). */
const templates = readdirSync(FIXTURES).sort().flatMap((file) => {
  if (!/\.(json|ya?ml)$/.test(file)) return [];
  const doc = loadAll(readFileSync(join(FIXTURES, file), "utf8"))[0] as TemplateDoc | undefined;
  if (doc?.kind !== "Template") return [];
  const project = file.replace(/^.*__/, "").replace(/\.\w+$/, "").replace(/_/g, "-").toLowerCase();
  return [{ file, project, template: doc }];
});
// The two applications that go all the way are created first, so that their builds start early.
templates.sort((a, b) => Number([NODEJS, DJANGO].includes(b.project)) - Number([NODEJS, DJANGO].includes(a.project)));

/** `-p NAME=value` for every required parameter without a value or a generator. */
function requiredParams(t: TemplateDoc): string[] {
  return (t.parameters ?? []).filter((p) => p.required && !p.value && !p.generate)
    .flatMap((p) => ["-p", `${p.name}=${p.name.toLowerCase().replace(/_/g, "-")}`]);
}

/** The processed List a template went through on its way to `create` (kept by `tee`). */
function processedOf(project: string): Obj[] {
  return (JSON.parse(readFileSync(join(work, `${project}.json`), "utf8")) as { items: Obj[] }).items;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Checks `actual` against `expected` where the expected strings hold generated values: each such
 * value must be matched, at every place, by one string of its generator's expression. Returns
 * `expected` with our generated values put in.
 */
function unmask(expected: unknown, actual: unknown, generated: Param[], seen: Map<string, string>): unknown {
  if (typeof expected === "string") {
    const hits = generated.filter((p) => expected.includes(p.value!));
    if (hits.length === 0 || typeof actual !== "string") return expected;
    const any = new RegExp(hits.map((p) => escapeRegExp(p.value!)).join("|"), "g");
    const byValue = new Map(hits.map((p) => [p.value!, p]));
    let pattern = "";
    let last = 0;
    const used = new Set<string>();
    for (const m of expected.matchAll(any)) {
      const p = byValue.get(m[0])!;
      pattern += escapeRegExp(expected.slice(last, m.index)) + (used.has(p.name) ? `\\k<${p.name}>` : `(?<${p.name}>${p.from})`);
      used.add(p.name);
      last = m.index + m[0].length;
    }
    const m = new RegExp(`^${pattern}${escapeRegExp(expected.slice(last))}$`).exec(actual);
    if (!m) return expected;
    for (const [name, value] of Object.entries(m.groups ?? {})) {
      expect(seen.get(name) ?? value, `generated ${name} is the same everywhere`).toBe(value);
      seen.set(name, value);
    }
    return expected.replace(any, (v) => m.groups![byValue.get(v)!.name]!);
  }
  if (Array.isArray(expected)) return expected.map((e, i) => unmask(e, Array.isArray(actual) ? actual[i] : undefined, generated, seen));
  if (expected && typeof expected === "object") {
    const a = (actual && typeof actual === "object" ? actual : {}) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, unmask(v, a[k], generated, seen)]));
  }
  return expected;
}

beforeAll(async () => {
  await ensureBuilt();
  work = mkdtempSync(join(tmpdir(), "skiff-openshift-"));
  skiff = join(work, "skiff");
  copyFileSync(built, skiff);
  chmodSync(skiff, 0o755);
  // HOME too: nothing here may read or write the developer's own ~/.kube or ~/.skiff.
  env = isolatedEnv(work);
  const up = await sk("cluster", "up", "--port", String(await freePort()), "--wait");
  expect(up.code, up.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  if (!work) return;
  await run(skiff, ["cluster", "down"]).catch(() => undefined);
  const pid = serverPid();
  if (pid !== undefined) {
    try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
  }
  rmSync(work, { recursive: true, force: true });
}, 60_000);

describe("OpenShift templates, builds and deployment configs through dist/skiff", () => {
  test("the fixtures hold the ten upstream templates", () => {
    expect(templates.map((t) => t.project).sort()).toEqual([
      "amq63-basic", "cache-service", DJANGO, "guestbook", "guestbook-list", "jenkins-ephemeral",
      "mysql-persistent", "nginx-example", NODEJS, "template-required-params",
    ]);
  });

  test("every template processes with its required parameters, and process | create makes every object in its own project", async () => {
    for (const { file, project, template } of templates) {
      const path = join(FIXTURES, file);
      const params = requiredParams(template);
      expect(await ok("new-project", project)).toContain(`Now using project "${project}" on server "https://127.0.0.1:`);

      const piped = await sh(`${quote(skiff)} process -f ${quote(path)} ${params.map(quote).join(" ")} | tee ${quote(join(work, `${project}.json`))} | ${quote(skiff)} create -n ${project} -f -`);
      expect(piped.stderr, file).toBe("");
      expect(piped.code, file).toBe(0);
      const items = processedOf(project);
      expect(items, file).toHaveLength(template.objects.length);
      const names = piped.stdout.trimEnd().split("\n").map((line) => {
        expect(line, file).toMatch(/^[a-z.]+\/\S+ created$/);
        return line.replace(/ created$/, "");
      });
      expect(names.map((n) => n.replace(/^.*\//, "")), file).toEqual(items.map((o) => o.metadata.name));
      // Everything created is there (a User is cluster-scoped: -n does not apply to it).
      const got = (await ok("get", ...names, "-n", project, "-o", "name")).trimEnd().split("\n");
      expect(got.sort(), file).toEqual([...names].sort());
    }
    // Without its required parameter, processing fails in oc's words.
    const missing = await sk("process", "-f", join(FIXTURES, "openshift-origin__template_required_params.yaml"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("parameter required_param is required and must be specified");
  }, 90_000);

  test("guestbook.json processes to upstream's guestbook_list.json modulo generated values", async () => {
    const r = await sk("process", "-f", join(FIXTURES, "openshift-library-go__guestbook.json"), "-o", "json");
    expect(r.stderr).toBe("");
    const list = JSON.parse(r.stdout) as { kind: string; apiVersion: string; items: Obj[] };
    expect(list.kind).toBe("List");
    const expected = JSON.parse(readFileSync(join(FIXTURES, "openshift-library-go__guestbook_list.json"), "utf8")) as TemplateDoc;
    const generated = (expected.parameters ?? []).filter((p) => p.generate === "expression");
    expect(generated.map((p) => p.name)).toEqual(["ADMIN_USERNAME", "ADMIN_PASSWORD", "REDIS_PASSWORD"]);
    const seen = new Map<string, string>();
    const want = unmask(expected.objects, list.items, generated, seen);
    expect(list.items).toEqual(want);
    // Every generated value was found, fits its expression, and is not upstream's seeded one.
    for (const p of generated) {
      expect(seen.get(p.name), p.name).toMatch(new RegExp(`^${p.from}$`));
      expect(seen.get(p.name), p.name).not.toBe(p.value);
    }
  }, 30_000);

  test("nodejs-postgresql-example and django-psql-persistent build, push, roll out onto minions and fill endpoints", async () => {
    // The README's main job runs alongside, in its own project.
    demo = run("bash", [join(root, "scripts", "demo.sh")], { env: { ...env, SKIFF_BIN: skiff }, timeoutMs: 120_000 });
    await Promise.all([NODEJS, DJANGO].map(async (app) => {
      const ns = app;
      const bc = processedOf(app).find((o) => o.kind === "BuildConfig")!;
      const uri = (bc["spec"] as { source: { git: { uri: string } } }).source.git.uri;
      await ok("wait", "--for=jsonpath={.status.lastVersion}=1", `bc/${app}`, "-n", ns, "--timeout=30s");
      const log = await ok("logs", "-f", `bc/${app}`, "-n", ns);
      expect(log).toContain(`Cloning "${uri}" ...`);
      expect(log).toContain("Push successful");

      const build = await getJson<{ spec: { triggeredBy: unknown; strategy: { sourceStrategy: { from: { name: string } } } }; status: { phase: string; output: { to: { imageDigest: string } } } }>("build", `${app}-1`, "-n", ns);
      expect(build.status.phase).toBe("Complete");
      expect(build.spec.triggeredBy).toEqual([{ message: "Build configuration change" }]);
      expect(build.spec.strategy.sourceStrategy.from.name).toMatch(/^image-registry\.openshift-image-registry\.svc:5000\/openshift\/(nodejs|python)@sha256:[0-9a-f]{64}$/);
      expect(await ok("get", "builds", "-n", ns)).toMatch(new RegExp(`\\n${app}-1\\s+Source\\s+Git\\s+Complete\\s`));
      const digest = build.status.output.to.imageDigest;
      expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(await ok("get", "istag", "-n", ns)).toMatch(new RegExp(`\\n${app}:latest\\s+image-registry\\.openshift-image-registry\\.svc:5000/${ns}/${app}@${digest}\\s`));

      for (const dc of [app, "postgresql"]) {
        const status = await ok("rollout", "status", `dc/${dc}`, "-n", ns, "--timeout=60s");
        expect(status).toContain(`replication controller "${dc}-1" successfully rolled out`);
        const pods = (await getJson<{ items: Pod[] }>("pods", "-n", ns, "-l", `deploymentconfig=${dc}`)).items;
        expect(pods.length, dc).toBeGreaterThan(0);
        for (const p of pods) {
          expect(p.status.phase, p.metadata.name).toBe("Running");
          expect(p.spec.nodeName, p.metadata.name).toMatch(/^minion-[1-3]$/);
        }
        const ips = pods.map((p) => p.status.podIP).sort().join(" ");
        expect(ips).toMatch(/^10\./);
        await eventually(async () => {
          expect((await ok("get", "endpoints", dc, "-n", ns, "-o", "jsonpath={.subsets[*].addresses[*].ip}")).split(" ").sort().join(" ")).toBe(ips);
        });
        expect(await ok("get", "endpoints", dc, "-n", ns)).toMatch(new RegExp(`\\n${dc}\\s+10\\.\\S+:\\d+\\s`));
      }
      const rc = await getJson<{ spec: { template: { spec: { containers: { image: string }[] } } } }>("rc", `${app}-1`, "-n", ns);
      expect(rc.spec.template.spec.containers[0]!.image).toBe(`image-registry.openshift-image-registry.svc:5000/${ns}/${app}@${digest}`);
    }));
  }, 90_000);

  test("a GitHub push to the webhook `describe bc` shows builds again and rolls out version 2 on ImageChange", async () => {
    const ns = NODEJS;
    const bc = processedOf(NODEJS).find((o) => o.kind === "BuildConfig")!;
    const secret = ((bc["spec"] as { triggers: { type: string; github?: { secret: string } }[] }).triggers.find((t) => t.type === "GitHub")!.github!).secret;
    expect(secret).toMatch(/^[a-zA-Z0-9]{40}$/);
    const described = await ok("describe", "bc", NODEJS, "-n", ns);
    const url = /Webhook GitHub:\n\s+URL:\s+(\S+)/.exec(described)?.[1];
    expect(url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:\\d+/apis/build\\.openshift\\.io/v1/namespaces/${ns}/buildconfigs/${NODEJS}/webhooks/<secret>/github$`));
    const payload = readFileSync(join(FIXTURES, "openshift-openshift-apiserver__pushevent.json"), "utf8");
    const headers = { "Content-Type": "application/json", "X-GitHub-Event": "push" };

    const wrong = await post(url!.replace("<secret>", "not-the-secret"), headers, payload);
    expect(wrong.status).not.toBe(200);
    const hook = await post(url!.replace("<secret>", secret), headers, payload);
    expect(hook.status, hook.body).toBe(200);
    expect((JSON.parse(hook.body) as Obj).metadata.name).toBe(`${NODEJS}-2`);

    const log = await ok("logs", "-f", `build/${NODEJS}-2`, "-n", ns);
    expect(log).toContain(`Commit:\t${PUSHED_COMMIT}`);
    const build = await getJson<{ spec: { revision: { git: { commit: string } } }; status: { phase: string; output: { to: { imageDigest: string } } } }>("build", `${NODEJS}-2`, "-n", ns);
    expect(build.status.phase).toBe("Complete");
    expect(build.spec.revision.git.commit).toBe(PUSHED_COMMIT);
    const is = await getJson<{ status: { tags: { tag: string; items: { image: string }[] }[] } }>("is", NODEJS, "-n", ns);
    expect(is.status.tags.find((t) => t.tag === "latest")!.items.map((i) => i.image)[0]).toBe(build.status.output.to.imageDigest);
    expect(is.status.tags.find((t) => t.tag === "latest")!.items).toHaveLength(2);

    await ok("wait", "--for=jsonpath={.status.latestVersion}=2", `dc/${NODEJS}`, "-n", ns, "--timeout=30s");
    expect(await ok("rollout", "status", `dc/${NODEJS}`, "-n", ns, "--timeout=60s")).toContain(`replication controller "${NODEJS}-2" successfully rolled out`);
    const dc = await getJson<{ status: { latestVersion: number; details: { causes: { type: string; imageTrigger?: { from: { name: string } } }[] } } }>("dc", NODEJS, "-n", ns);
    expect(dc.status.latestVersion).toBe(2);
    expect(dc.status.details.causes).toMatchObject([{ type: "ImageChange", imageTrigger: { from: { name: `${NODEJS}:latest` } } }]);
    const image = await ok("get", "rc", `${NODEJS}-2`, "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}");
    expect(image).toBe(`image-registry.openshift-image-registry.svc:5000/${ns}/${NODEJS}@${build.status.output.to.imageDigest}`);
    expect(await ok("rollout", "history", `dc/${NODEJS}`, "-n", ns)).toMatch(/\n2\s+Complete\s+image change\n/);
  }, 60_000);

  test("rollout undo returns the deployment config to version 1's image", async () => {
    const ns = NODEJS;
    const imageOf = (rc: string): Promise<string> => ok("get", "rc", rc, "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}");
    const first = await imageOf(`${NODEJS}-1`);
    expect(first).not.toBe(await imageOf(`${NODEJS}-2`));
    expect(await ok("rollout", "undo", `dc/${NODEJS}`, "-n", ns)).toBe(`deploymentconfig.apps.openshift.io/${NODEJS} rolled back\n`);
    await ok("wait", "--for=jsonpath={.status.latestVersion}=3", `dc/${NODEJS}`, "-n", ns, "--timeout=30s");
    expect(await ok("rollout", "status", `dc/${NODEJS}`, "-n", ns, "--timeout=60s")).toContain(`replication controller "${NODEJS}-3" successfully rolled out`);
    expect(await imageOf(`${NODEJS}-3`)).toBe(first);
    expect(await ok("get", "dc", NODEJS, "-n", ns, "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe(first);
    const history = await ok("rollout", "history", `dc/${NODEJS}`, "-n", ns);
    expect(history).toMatch(/\n1\s+Complete\s+config change\n2\s+Complete\s+image change\n3\s+Complete\s+config change\n/);
  }, 60_000);

  test("a failed build and a failed rollout are reported as such", async () => {
    const failedBuild = async (): Promise<void> => {
      const ns = DJANGO;
      const r = await sk("start-build", DJANGO, "-n", ns, "-e", "SKIFF_SIMULATE_BUILD_FAILURE=true", "--wait");
      expect(r.stdout).toBe(`build.build.openshift.io/${DJANGO}-2 started\n`);
      expect(r.stderr).toBe(`error: the build ${ns}/${DJANGO}-2 status is "Failed"\n`);
      expect(r.code).toBe(1);
      expect(await ok("get", "builds", "-n", ns)).toMatch(new RegExp(`\\n${DJANGO}-2\\s+Source\\s+Git\\s+Failed \\(\\w+\\)\\s`));
      // Nothing was pushed, so nothing rolled out.
      expect(await ok("get", "dc", DJANGO, "-n", ns, "-o", "jsonpath={.status.latestVersion}")).toBe("1");
    };
    const failedRollout = async (): Promise<void> => {
      const ns = "rollout-failure";
      await ok("new-project", ns, "--skip-config-write");
      const dc = {
        apiVersion: "apps.openshift.io/v1", kind: "DeploymentConfig", metadata: { name: "slow" },
        spec: {
          replicas: 2, selector: { name: "slow" },
          strategy: { type: "Rolling", rollingParams: { timeoutSeconds: 2, intervalSeconds: 1, updatePeriodSeconds: 1 } },
          triggers: [{ type: "ConfigChange" }],
          template: {
            metadata: { labels: { name: "slow" }, annotations: { "sim.skiff.io/ready-delay": "1h" } },
            spec: { containers: [{ name: "web", image: "registry.example.com/slow:1" }] },
          },
        },
      };
      writeFileSync(join(work, "slow.json"), JSON.stringify(dc));
      expect(await ok("create", "-f", join(work, "slow.json"), "-n", ns)).toBe("deploymentconfig.apps.openshift.io/slow created\n");
      const r = await sk("rollout", "status", "dc/slow", "-n", ns, "--timeout=60s");
      expect(r.stderr).toBe(`error: replication controller "slow-1" has failed progressing\n`);
      expect(r.code).toBe(1);
      expect(await ok("get", "rc", "slow-1", "-n", ns, "-o", "jsonpath={.metadata.annotations.openshift\\.io/deployment\\.phase}")).toBe("Failed");
      expect(await ok("rollout", "history", "dc/slow", "-n", ns)).toMatch(/\n1\s+Failed\s+config change\n/);
      expect(await ok("logs", "dc/slow", "-n", ns)).toContain("took longer than 2 seconds to become available");
      const cond = await ok("get", "dc", "slow", "-n", ns, "-o", "jsonpath={.status.conditions[?(@.type==\"Progressing\")].reason}");
      expect(cond).toBe("ProgressDeadlineExceeded");
    };
    await Promise.all([failedBuild(), failedRollout()]);
  }, 60_000);

  test("the README's main job: scripts/demo.sh builds and rolls out the example application onto minions, and runs again", async () => {
    const first = await demo!;
    expect(first.stderr).not.toMatch(/^demo:/m);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const out = first.stdout;
    expect(out).toContain(`Now using project "demo" on server`);
    expect(out).toContain(`deploymentconfig.apps.openshift.io "hello-node" created`);
    expect(out).toContain("Successfully pushed image-registry.openshift-image-registry.svc:5000/demo/hello-node@sha256:");
    expect(out).toContain(`replication controller "hello-node-1" successfully rolled out`);
    expect(out).toMatch(/\nhello-node-1-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+10\.\S+\s+minion-[1-3]\s/);
    expect(out).toMatch(/\ndeploymentconfig\.apps\.openshift\.io\/hello-node\s+1\s+1\s+1\s+config,image\(hello-node:latest\)\n/);
    expect(out).toContain("In project demo on server https://127.0.0.1:");
    expect(out).toContain("dc/hello-node deploys istag/hello-node:latest <-");
    expect(out).toContain("bc/hello-node source builds https://github.com/sclorg/nodejs-ex.git on openshift/nodejs:latest");
    expect(out).toMatch(/deployment #1 deployed .* - 1 pod\n/);

    const again = await run("bash", [join(root, "scripts", "demo.sh")], { env: { ...env, SKIFF_BIN: skiff }, timeoutMs: 60_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("already running at https://127.0.0.1:");
    expect(again.stdout).toMatch(/(Now using|Already on) project "demo" on server/);
    expect(again.stdout).toContain("The application hello-node is already in project demo.");
    expect(again.stdout).toContain(`replication controller "hello-node-1" successfully rolled out`);
    expect(again.stdout).toContain("dc/hello-node deploys istag/hello-node:latest <-");
  }, 120_000);
});
