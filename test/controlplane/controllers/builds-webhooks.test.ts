// Build webhooks over the real API server: the secret (inline or from a Secret) decides, in
// constant time; GitHub and Generic payloads from upstream's fixtures start builds with their
// revision; branch filters, pings, allowEnv and the refusals upstream answers with.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import type { Build } from "../../../src/api/openshift-types.ts";
import { secretsEqual } from "../../../src/controlplane/apiserver/actions/builds.ts";
import { builderStream, create, outputStream, sourceBC } from "./builds-harness.ts";
import { serverHarness, type ServerHarness } from "./harness.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "..", "..", "shared", "fixtures", "real");
const pushEvent = readFileSync(join(FIXTURES, "openshift-openshift-apiserver__pushevent.json"), "utf8");
const genericEnvs = readFileSync(join(FIXTURES, "openshift-openshift-apiserver__push-generic-envs.json"), "utf8");

let h: ServerHarness | undefined;
afterEach(async () => { await h?.close(); h = undefined; });

const hookPath = (bc: string, secret: string, type: string): string =>
  `/apis/build.openshift.io/v1/namespaces/default/buildconfigs/${bc}/webhooks/${secret}/${type}`;

async function hook(path: string, body: string, headers: Record<string, string> = {}) {
  const res = await h!.client.raw({ method: "POST", path, headers, body });
  return { status: res.status, body: res.body ?? "", json: (): Record<string, unknown> => JSON.parse(res.body ?? "{}") as Record<string, unknown> };
}

const GITHUB = { "content-type": "application/json", "x-github-event": "push" };

async function setup(extra: Parameters<typeof sourceBC>[1] = {}): Promise<void> {
  h = await serverHarness();
  const triggers = extra.triggers ?? [
    { type: "GitHub", github: { secret: "gh-secret" } },
    { type: "Generic", generic: { secret: "gen-secret", allowEnv: true } },
  ];
  await create(h.client, builderStream(), outputStream("web"), sourceBC("web", { ...extra, triggers }));
}

describe("webhooks", () => {
  test("the GitHub push fixture starts a build carrying its commit", async () => {
    await setup();
    const res = await hook(hookPath("web", "gh-secret", "github"), pushEvent, GITHUB);
    expect(res.status).toBe(200);
    const b = res.json() as unknown as Build;
    expect(b.metadata.name).toBe("web-1");
    expect(b.spec.revision).toEqual({ type: "Git", git: {
      commit: "9bdc3a26ff933b32f3e558636b58aea86a69f051", message: "Added license",
      author: { name: "Anonymous User", email: "anonUser@example.com" }, committer: { name: "Anonymous User", email: "anonUser@example.com" } } });
    expect(b.spec.triggeredBy).toEqual([{ message: "GitHub WebHook", githubWebHook: { revision: b.spec.revision, secret: "<secret>" } }]);
  });

  test("the Generic fixture starts a build; its env is used because allowEnv is set", async () => {
    await setup();
    const res = await hook(hookPath("web", "gen-secret", "generic"), genericEnvs, { "content-type": "application/json" });
    expect(res.status).toBe(200);
    const b = res.json() as unknown as Build;
    expect(b.spec.revision?.git?.commit).toBe("9bdc3a26ff933b32f3e558636b58aea86a69f051");
    expect(b.spec.strategy?.sourceStrategy?.env).toEqual([{ name: "EXAMPLE", value: "sample-app" }]);
    expect(b.spec.triggeredBy?.[0]).toMatchObject({ message: "Generic WebHook", genericWebHook: { secret: "<secret>" } });
  });

  test("without allowEnv the payload's env is ignored", async () => {
    await setup({ triggers: [{ type: "Generic", generic: { secret: "gen-secret" } }] });
    const b = (await hook(hookPath("web", "gen-secret", "generic"), genericEnvs, { "content-type": "application/json" })).json() as unknown as Build;
    expect(b.spec.strategy?.sourceStrategy?.env).toBeUndefined();
  });

  test("a generic hook with no body (or a non-JSON one) still builds", async () => {
    await setup();
    expect((await hook(hookPath("web", "gen-secret", "generic"), "")).status).toBe(200);
    expect((await hook(hookPath("web", "gen-secret", "generic"), "hello", { "content-type": "text/plain" })).status).toBe(200);
    expect((await h!.client.list("builds", "default")).items.map((b) => b.metadata.name)).toEqual(["web-1", "web-2"]);
  });

  test("the secret may come from a Secret's WebHookSecretKey", async () => {
    h = await serverHarness();
    await h.seed({ apiVersion: "v1", kind: "Secret", metadata: { name: "hook" }, data: { WebHookSecretKey: Buffer.from("from-secret").toString("base64") } } as never);
    await create(h.client, builderStream(), outputStream("web"), sourceBC("web", { triggers: [{ type: "GitHub", github: { secretReference: { name: "hook" } } }] }));
    expect((await hook(hookPath("web", "from-secret", "github"), pushEvent, GITHUB)).status).toBe(200);
    expect((await hook(hookPath("web", "hook", "github"), pushEvent, GITHUB)).status).toBe(401);
  });

  test.each([
    ["a wrong secret", hookPath("web", "wrong", "github"), "github", "web"],
    ["a secret of the other hook type", hookPath("web", "gen-secret", "github"), "github", "web"],
    ["a secret one character short", hookPath("web", "gh-secre", "github"), "github", "web"],
    ["an unknown BuildConfig", hookPath("nope", "gh-secret", "github"), "github", "nope"],
    ["a type without a trigger", hookPath("web", "gh-secret", "gitlab"), "gitlab", "web"],
  ])("%s is refused with 401 and the same message", async (_what, path, type, bc) => {
    await setup();
    const res = await hook(path, pushEvent, { ...GITHUB, "x-gitlab-event": "Push Hook" });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ kind: "Status", reason: "Unauthorized", message: `the webhook "${type}" for "${bc}" did not accept your secret` });
    expect((await h!.client.list("builds", "default")).items).toEqual([]);
  });

  test.each([
    ["no event header", { "content-type": "application/json" }, 400, "missing X-GitHub-Event or X-Gogs-Event"],
    ["an unknown event", { ...GITHUB, "x-github-event": "issues" }, 400, "Unknown X-GitHub-Event or X-Gogs-Event issues"],
    ["a ping", { ...GITHUB, "x-github-event": "ping" }, 200, ""],
  ])("GitHub with %s → %i, no build", async (_what, headers, status, message) => {
    await setup();
    const res = await hook(hookPath("web", "gh-secret", "github"), pushEvent, headers);
    expect(res.status).toBe(status);
    if (message) expect(res.json().message).toBe(message);
    expect((await h!.client.list("builds", "default")).items).toEqual([]);
  });

  test("a push to another branch is accepted without a build", async () => {
    await setup({ ref: "main" });
    expect((await hook(hookPath("web", "gh-secret", "github"), pushEvent, GITHUB)).status).toBe(200);
    const generic = await hook(hookPath("web", "gen-secret", "generic"), genericEnvs, { "content-type": "application/json" });
    expect(generic.status).toBe(200);
    expect(generic.body).toBe('skipping build. Branch reference from "refs/heads/master" does not match configuration');
    expect((await h!.client.list("builds", "default")).items).toEqual([]);
  });

  test("bad paths and types", async () => {
    await setup();
    const short = await h!.client.raw({ method: "POST", path: "/apis/build.openshift.io/v1/namespaces/default/buildconfigs/web/webhooks/gh-secret", body: "" });
    expect(short.status).toBe(400);
    expect(JSON.parse(short.body ?? "").message).toBe("unexpected hook subpath gh-secret");
    const unknown = await hook(hookPath("web", "gh-secret", "svn"), "");
    expect(unknown.status).toBe(404);
    expect(unknown.json().message).toBe('buildconfighook.build.openshift.io "svn" not found');
  });

  test("secretsEqual compares whole secrets only", () => {
    expect(secretsEqual("abc", "abc")).toBe(true);
    expect(secretsEqual("abd", "abc")).toBe(false);
    expect(secretsEqual("ab", "abc")).toBe(false);
    expect(secretsEqual("", "")).toBe(true);
  });
});
