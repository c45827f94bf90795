// Build actions (build.openshift.io/v1): buildconfigs/instantiate (a BuildRequest becomes build
// `<bc>-<n>`), buildconfigs/webhooks/<secret>/<type> (GitHub, GitLab, Bitbucket and Generic
// hooks that start builds) and builds/clone (re-run a build), as openshift-apiserver does them.
import { timingSafeEqual } from "node:crypto";
import { ApiError, badRequest, failure, isApiError, methodNotAllowed, notFound } from "../../../api/errors.ts";
import type { Build, BuildConfig, BuildTriggerPolicy, CommonBuildSpec, ImageReference, ImageStream } from "../../../api/openshift-types.ts";
import type { ApiObject, EnvVar, Secret } from "../../../api/types.ts";
import type { ApiResponse } from "../../../client/transport.ts";
import { resolveReference, strategyFrom, strategyType } from "../../controllers/builds/image-refs.ts";
import type { Registry } from "../registry.ts";
import { rfc3339 } from "../strategies/common.ts";
import type { Action, ActionContext } from "./action.ts";
import { deepCopy } from "../../../api/copy.ts";

const GROUP = "build.openshift.io";
const API_VERSION = `${GROUP}/v1`;
const JSON_HEADERS = { "content-type": "application/json" };
const CONFLICT_RETRIES = 10;

/** Label and annotation keys OpenShift puts on builds. */
export const BUILD_CONFIG_LABEL = "openshift.io/build-config.name";
export const BUILD_CONFIG_LABEL_DEPRECATED = "buildconfig";
export const BUILD_START_POLICY_LABEL = "openshift.io/build.start-policy";
export const BUILD_NUMBER_ANNOTATION = "openshift.io/build.number";
export const BUILD_POD_NAME_ANNOTATION = "openshift.io/build.pod-name";
export const BUILD_CLONE_OF_ANNOTATION = "openshift.io/build.clone-of";
export const BUILD_CONFIG_PAUSED_ANNOTATION = "openshift.io/build-config.paused";
/** The key of a webhook trigger's secretReference Secret that holds the secret. */
export const WEBHOOK_SECRET_KEY = "WebHookSecretKey";

/** A build request (the body of instantiate and clone). Only the fields skiff reads are named. */
export interface BuildRequest {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  triggeredBy?: Record<string, unknown>[];
  triggeredByImage?: ImageReference;
  from?: ImageReference;
  env?: EnvVar[];
  revision?: CommonBuildSpec["revision"];
  dockerStrategyOptions?: Record<string, unknown>;
  sourceStrategyOptions?: Record<string, unknown>;
  lastVersion?: number;
}

interface ImageChangeTriggerStatus {
  lastTriggeredImageID?: string;
  from?: { namespace?: string; name?: string };
  lastTriggerTime?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function respond(status: number, obj: unknown): ApiResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(obj) };
}

function parseBody(ctx: ActionContext): Record<string, unknown> {
  const text = ctx.req.body ?? "";
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!isObject(v)) throw badRequest("the body of the request could not be decoded as a BuildRequest");
    return v;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`the body of the request could not be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function getOrUndefined<T extends ApiObject>(registry: Registry, r: "imagestreams" | "secrets" | "buildconfigs" | "builds", ns: string, name: string): T | undefined {
  try {
    return registry.get(r, ns, name) as T;
  } catch (e) {
    if (isApiError(e, "NotFound")) return undefined;
    throw e;
  }
}

/** Label values are at most 63 characters (upstream truncates rather than failing). */
const labelValue = (v: string): string => (v.length > 63 ? v.slice(0, 63) : v);

/** FNV-32a, which upstream's namer uses to shorten names that would be too long. */
function fnv32a(s: string): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** `<bc>-<n>`, or (beyond 253 characters) a prefix, an 8-hex hash and the number (library-go's namer). */
export function buildNameFor(bc: string, n: number): string {
  const name = `${bc}-${n}`;
  if (name.length <= 253) return name;
  const suffix = String(n);
  const hash = fnv32a(bc);
  return `${bc.slice(0, 253 - suffix.length - hash.length - 2)}-${hash}-${suffix}`;
}

/** Merges env entries into a list: same name replaced, others appended. Returns a new list. */
export function mergeEnv(base: EnvVar[] | undefined, extra: EnvVar[] | undefined): EnvVar[] {
  const out = [...(base ?? [])].map((e) => ({ ...e }));
  for (const e of extra ?? []) {
    if (!isObject(e) || typeof e.name !== "string") continue;
    const i = out.findIndex((x) => x.name === e.name);
    if (i >= 0) out[i] = { ...e };
    else out.push({ ...e });
  }
  return out;
}

/** The strategy sub-object carrying env (source/docker/custom), created empty if needed. */
function strategyEnvHolder(spec: CommonBuildSpec): { env?: EnvVar[] } | undefined {
  const s = spec.strategy ?? {};
  return s.sourceStrategy ?? s.dockerStrategy ?? s.customStrategy ?? undefined;
}

/** What an ImageChange trigger follows: its own `from`, else the strategy's (with the BC's namespace). */
export function triggerFrom(bc: BuildConfig, t: BuildTriggerPolicy): ImageReference | undefined {
  const from = t.imageChange?.from ?? strategyFrom(bc.spec.strategy);
  if (!from?.name) return undefined;
  return { kind: from.kind || "ImageStreamTag", name: from.name, namespace: from.namespace || bc.metadata.namespace };
}

const sameRef = (a: ImageReference | undefined, b: ImageReference | undefined, ns: string): boolean =>
  !!a && !!b && a.name === b.name && (a.namespace || ns) === (b.namespace || ns) && (a.kind || "ImageStreamTag") === (b.kind || "ImageStreamTag");

interface InstantiateDeps {
  registry: Registry;
  clock: { now(): Date };
  dryRun: boolean;
}

/**
 * Creates the next build of a BuildConfig from a BuildRequest (generator.Instantiate): checks
 * paused, lastVersion, strategy options and duplicate image triggers; bumps
 * status.lastVersion with an optimistic-lock retry; copies the common spec; resolves image
 * stream references to pull specs; sets labels, annotations, owner and phase New. Returns the
 * created Build. Throws ApiError (400 for refused requests, 404 for a missing BuildConfig).
 */
export async function instantiateBuild(d: InstantiateDeps, ns: string, name: string, req: BuildRequest): Promise<Build> {
  for (let attempt = 0; ; attempt++) {
    const bc = d.registry.get("buildconfigs", ns, name) as BuildConfig;
    if (bc.metadata.annotations?.[BUILD_CONFIG_PAUSED_ANNOTATION] === "true") {
      throw badRequest(`can't instantiate from BuildConfig ${ns}/${name}: BuildConfig is paused`);
    }
    const last = bc.status?.lastVersion ?? 0;
    if (typeof req.lastVersion === "number" && req.lastVersion !== last) {
      throw badRequest(`the LastVersion(${req.lastVersion}) on build config ${ns}/${name} does not match the build request LastVersion(${last})`);
    }
    const type = strategyType(bc.spec);
    if (req.dockerStrategyOptions && type !== "Docker") throw badRequest(`Cannot specify Docker build specific options on ${ns}/${name}, not a Docker build.`);
    if (req.sourceStrategyOptions && type !== "Source") throw badRequest(`Cannot specify Source build specific options on ${ns}/${name}, not a Source build.`);
    const now = d.clock.now();
    const status = deepCopy(bc.status ?? {});
    // An image change build records the image, and is refused when that image already built.
    if (req.triggeredByImage?.name && req.from?.name) {
      const records = (Array.isArray(status.imageChangeTriggers) ? status.imageChangeTriggers : []) as ImageChangeTriggerStatus[];
      const from = { namespace: req.from.namespace || ns, name: req.from.name };
      const rec = records.find((r) => r.from?.name === from.name && (r.from?.namespace || ns) === from.namespace);
      if (rec?.lastTriggeredImageID === req.triggeredByImage.name) {
        throw badRequest(`build config ${ns}/${name} has already instantiated a build for imageid ${req.triggeredByImage.name}`);
      }
      const next: ImageChangeTriggerStatus = { lastTriggeredImageID: req.triggeredByImage.name, from, lastTriggerTime: rfc3339(now) };
      status.imageChangeTriggers = [...records.filter((r) => r !== rec), next];
    }
    const n = last + 1;
    status.lastVersion = n;
    const stream = (sns: string, sname: string): ImageStream | undefined => getOrUndefined<ImageStream>(d.registry, "imagestreams", sns, sname);
    const build = buildFromConfig(bc, n, req, now, stream);
    recordBuilderImage(bc, status, build, now);
    if (d.dryRun) return build;
    try {
      await d.registry.update("buildconfigs", ns, name, { ...bc, status }, { dryRun: false });
    } catch (e) {
      if (isApiError(e, "Conflict") && attempt < CONFLICT_RETRIES) continue;
      throw e;
    }
    return await d.registry.create("builds", ns, build, { dryRun: false }) as Build;
  }
}

/**
 * Every ImageChange trigger following the strategy's image remembers the image this build
 * pinned, so the image trigger does not build the same image again (a ConfigChange build
 * counts as having consumed it). Mutates `status`.
 */
function recordBuilderImage(bc: BuildConfig, status: NonNullable<BuildConfig["status"]>, build: Build, now: Date): void {
  const ns = bc.metadata.namespace ?? "";
  const image = strategyFrom(build.spec.strategy)?.name;
  const from = strategyFrom(bc.spec.strategy);
  if (!image || !from?.name || (from.kind && from.kind !== "ImageStreamTag")) return;
  const follows = (bc.spec.triggers ?? []).some((t) => t.type === "ImageChange" && sameRef(triggerFrom(bc, t), { ...from, namespace: from.namespace || ns }, ns));
  if (!follows) return;
  const ref = { namespace: from.namespace || ns, name: from.name };
  const records = (Array.isArray(status.imageChangeTriggers) ? status.imageChangeTriggers : []) as ImageChangeTriggerStatus[];
  const rest = records.filter((r) => !(r.from?.name === ref.name && (r.from?.namespace || ns) === ref.namespace));
  const prev = records.find((r) => !rest.includes(r));
  if (prev?.lastTriggeredImageID === image) return;
  status.imageChangeTriggers = [...rest, { lastTriggeredImageID: image, from: ref, lastTriggerTime: prev?.lastTriggerTime ?? rfc3339(now) }];
}

/** The Build object number `n` of a BuildConfig would get for `req` (not stored). */
export function buildFromConfig(bc: BuildConfig, n: number, req: BuildRequest, now: Date,
  stream: (ns: string, name: string) => ImageStream | undefined): Build {
  const ns = bc.metadata.namespace ?? "";
  const bcName = bc.metadata.name ?? "";
  const name = buildNameFor(bcName, n);
  const { triggers: _t, runPolicy: _r, successfulBuildsHistoryLimit: _s, failedBuildsHistoryLimit: _f, ...common } = deepCopy(bc.spec);
  const spec: Build["spec"] = { ...common, triggeredBy: req.triggeredBy ?? [] };
  if (req.revision) spec.revision = deepCopy(req.revision);
  const holder = strategyEnvHolder(spec);
  if (holder && req.env && req.env.length > 0) holder.env = mergeEnv(holder.env, req.env);
  if (req.dockerStrategyOptions && spec.strategy?.dockerStrategy) Object.assign(spec.strategy.dockerStrategy, deepCopy(req.dockerStrategyOptions));
  if (req.sourceStrategyOptions && spec.strategy?.sourceStrategy) Object.assign(spec.strategy.sourceStrategy, deepCopy(req.sourceStrategyOptions));
  // The builder image is pinned to what its stream points at now, as the generator does.
  const from = strategyFrom(spec.strategy);
  if (from?.name && from.kind !== "DockerImage") {
    const pinned = req.triggeredByImage?.name && sameRef(req.from, { ...from, namespace: from.namespace || ns }, ns)
      ? req.triggeredByImage.name
      : resolveReference(from, ns, stream);
    if (!pinned) {
      throw badRequest(`Error resolving ${from.kind ?? "ImageStreamTag"} ${from.name} in namespace ${from.namespace || ns}: unable to find latest tagged image`);
    }
    for (const k of ["sourceStrategy", "dockerStrategy", "customStrategy"] as const) {
      const sub = spec.strategy?.[k];
      if (sub?.from) sub.from = { kind: "DockerImage", name: pinned };
    }
  }
  const labels: Record<string, string> = { ...(req.metadata?.labels ?? {}), ...(bc.metadata.labels ?? {}) };
  labels[BUILD_CONFIG_LABEL_DEPRECATED] = labelValue(bcName);
  labels[BUILD_CONFIG_LABEL] = labelValue(bcName);
  labels[BUILD_START_POLICY_LABEL] = bc.spec.runPolicy ?? "Serial";
  const annotations: Record<string, string> = { ...(req.metadata?.annotations ?? {}) };
  annotations[BUILD_CONFIG_LABEL] = bcName;
  annotations[BUILD_NUMBER_ANNOTATION] = String(n);
  annotations[BUILD_POD_NAME_ANNOTATION] = `${name}-build`;
  const t = rfc3339(now);
  return {
    apiVersion: API_VERSION, kind: "Build",
    metadata: {
      name, namespace: ns, labels, annotations,
      ownerReferences: [{ apiVersion: API_VERSION, kind: "BuildConfig", name: bcName, uid: bc.metadata.uid ?? "", controller: true }],
    },
    spec,
    status: {
      phase: "New",
      config: { kind: "BuildConfig", namespace: ns, name: bcName },
      output: {},
      conditions: [{ type: "New", status: "True", lastUpdateTime: t, lastTransitionTime: t }],
    },
  };
}

/** Copies a BuildRequest out of a body, keeping only well-formed fields. */
function toBuildRequest(body: Record<string, unknown>): BuildRequest {
  const req: BuildRequest = {};
  if (isObject(body.metadata)) req.metadata = body.metadata as BuildRequest["metadata"];
  if (Array.isArray(body.triggeredBy)) req.triggeredBy = body.triggeredBy.filter(isObject);
  if (isObject(body.triggeredByImage)) req.triggeredByImage = body.triggeredByImage as ImageReference;
  if (isObject(body.from)) req.from = body.from as ImageReference;
  if (Array.isArray(body.env)) req.env = body.env.filter(isObject) as unknown as EnvVar[];
  if (isObject(body.revision)) req.revision = body.revision as BuildRequest["revision"];
  if (isObject(body.dockerStrategyOptions)) req.dockerStrategyOptions = body.dockerStrategyOptions;
  if (isObject(body.sourceStrategyOptions)) req.sourceStrategyOptions = body.sourceStrategyOptions;
  if (typeof body.lastVersion === "number") req.lastVersion = body.lastVersion;
  return req;
}

const instantiate: Action = async (ctx) => {
  if (ctx.req.method !== "POST") throw methodNotAllowed("get", `buildconfigs.${GROUP}/instantiate`);
  if (ctx.rest.length > 0) throw notFound("buildconfigs", ctx.rest.join("/"));
  const req = toBuildRequest(parseBody(ctx));
  const build = await instantiateBuild(ctx, ctx.namespace ?? "", ctx.name, req);
  return respond(201, build);
};

/** builds/clone: the build's BC makes its next build with the same revision, env and causes. */
const clone: Action = async (ctx) => {
  if (ctx.req.method !== "POST") throw methodNotAllowed("get", `builds.${GROUP}/clone`);
  const ns = ctx.namespace ?? "";
  const old = ctx.registry.get("builds", ns, ctx.name) as Build;
  const bcName = old.status?.config?.name ?? old.metadata.annotations?.[BUILD_CONFIG_LABEL];
  const body = toBuildRequest(parseBody(ctx));
  const holder = strategyEnvHolder(old.spec);
  const req: BuildRequest = {
    ...body,
    triggeredBy: body.triggeredBy ?? [{ message: `Manually triggered` }],
    env: mergeEnv(holder?.env, body.env),
    revision: body.revision ?? old.spec.revision,
    metadata: { annotations: { ...(body.metadata?.annotations ?? {}), [BUILD_CLONE_OF_ANNOTATION]: ctx.name } },
  };
  if (!bcName) throw badRequest(`build ${ns}/${ctx.name} was not created from a build config and cannot be cloned`);
  return respond(201, await instantiateBuild(ctx, ns, bcName, req));
};

// ---- webhooks ----

const HOOK_TYPES: Record<string, { trigger: string; cause: string; causeKey: string }> = {
  github: { trigger: "GitHub", cause: "GitHub WebHook", causeKey: "githubWebHook" },
  gitlab: { trigger: "GitLab", cause: "GitLab WebHook", causeKey: "gitlabWebHook" },
  bitbucket: { trigger: "Bitbucket", cause: "Bitbucket WebHook", causeKey: "bitbucketWebHook" },
  generic: { trigger: "Generic", cause: "Generic WebHook", causeKey: "genericWebHook" },
};

interface WebHookTrigger {
  secret?: string;
  secretReference?: { name?: string };
  allowEnv?: boolean;
}

/** Compares two secrets in time independent of where they differ (lengths are not secret). */
export function secretsEqual(given: string, want: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The secret value of a webhook trigger: inline, or the Secret's WebHookSecretKey. */
function triggerSecret(registry: Registry, ns: string, hook: WebHookTrigger): string | undefined {
  if (typeof hook.secret === "string" && hook.secret !== "") return hook.secret;
  const ref = hook.secretReference?.name;
  if (!ref) return undefined;
  const secret = getOrUndefined<Secret>(registry, "secrets", ns, ref);
  const data = secret?.data?.[WEBHOOK_SECRET_KEY];
  if (typeof data === "string") return Buffer.from(data, "base64").toString("utf8");
  const plain = (secret as (Secret & { stringData?: Record<string, string> }) | undefined)?.stringData?.[WEBHOOK_SECRET_KEY];
  return typeof plain === "string" ? plain : undefined;
}

/** "refs/heads/main" → "main". */
const stripRef = (ref: string): string => ref.replace(/^refs\/heads\//, "");

/** Does an event's ref name the BC's branch (its source.git.ref, or master when it has none)? */
function refMatches(eventRef: string | undefined, bc: BuildConfig): boolean {
  const git = bc.spec.source?.git;
  if (!git) return true;
  const want = stripRef(git.ref || "master");
  return stripRef(eventRef ?? "") === want;
}

interface GitInfo {
  commit?: string;
  message?: string;
  author?: { name?: string; email?: string };
  committer?: { name?: string; email?: string };
}

function revisionOf(g: GitInfo): NonNullable<CommonBuildSpec["revision"]> {
  const git: Record<string, unknown> = {};
  if (g.commit) git.commit = g.commit;
  if (g.author) git.author = { name: g.author.name ?? "", email: g.author.email ?? "" };
  if (g.committer) git.committer = { name: g.committer.name ?? "", email: g.committer.email ?? "" };
  if (g.message) git.message = g.message;
  return { type: "Git", git };
}

const mediaType = (ct: string | undefined): string => (ct ?? "").split(";")[0]!.trim().toLowerCase();

interface Extracted {
  /** False: accepted, but no build (ping, other branch). */
  proceed: boolean;
  revision?: CommonBuildSpec["revision"];
  env?: EnvVar[];
  dockerStrategyOptions?: Record<string, unknown>;
  /** Plain-text answer when not proceeding. */
  message?: string;
}

function jsonBody(text: string | undefined): Record<string, unknown> {
  try {
    const v = JSON.parse(text ?? "") as unknown;
    if (isObject(v)) return v;
  } catch { /* handled below */ }
  throw badRequest("error unmarshalling payload: the body is not a JSON object");
}

function extractGitHub(ctx: ActionContext, bc: BuildConfig): Extracted {
  const h = ctx.req.headers ?? {};
  if (mediaType(h["content-type"]) !== "application/json") throw badRequest(`non-json content type: ${h["content-type"] ?? ""}`);
  const event = h["x-github-event"] ?? h["x-gogs-event"];
  if (!event) throw badRequest("missing X-GitHub-Event or X-Gogs-Event");
  if (event !== "push" && event !== "ping") throw badRequest(`Unknown X-GitHub-Event or X-Gogs-Event ${event}`);
  if (event === "ping") return { proceed: false };
  const body = jsonBody(ctx.req.body);
  const ref = typeof body.ref === "string" ? body.ref : "";
  if (!refMatches(ref, bc)) return { proceed: false };
  const head = (isObject(body.head_commit) ? body.head_commit : {}) as GitInfo & { id?: string };
  return { proceed: true, revision: revisionOf({ ...head, commit: head.id }) };
}

function extractGitLab(ctx: ActionContext, bc: BuildConfig): Extracted {
  const h = ctx.req.headers ?? {};
  if (mediaType(h["content-type"]) !== "application/json") throw badRequest(`non-json content type: ${h["content-type"] ?? ""}`);
  const event = h["x-gitlab-event"];
  if (!event) throw badRequest("missing X-Gitlab-Event");
  if (event !== "Push Hook") throw badRequest(`Unknown X-Gitlab-Event ${event}`);
  const body = jsonBody(ctx.req.body);
  if (!refMatches(typeof body.ref === "string" ? body.ref : "", bc)) return { proceed: false };
  const commits = Array.isArray(body.commits) ? body.commits.filter(isObject) : [];
  const lastCommit = (commits.at(-1) ?? {}) as GitInfo & { id?: string };
  return { proceed: true, revision: revisionOf({ ...lastCommit, commit: lastCommit.id }) };
}

function extractBitbucket(ctx: ActionContext, bc: BuildConfig): Extracted {
  const h = ctx.req.headers ?? {};
  if (mediaType(h["content-type"]) !== "application/json") throw badRequest(`non-json content type: ${h["content-type"] ?? ""}`);
  const event = h["x-event-key"];
  if (!event) throw badRequest("missing X-Event-Key");
  if (event !== "repo:push" && event !== "repo:refs_changed") throw badRequest(`Unknown X-Event-Key ${event}`);
  const body = jsonBody(ctx.req.body);
  // Cloud: push.changes[].new.{name,target}; Server: changes[].{ref.displayId,toHash}.
  const push = isObject(body.push) && Array.isArray(body.push.changes) ? body.push.changes.filter(isObject) : [];
  const change = push.at(-1)?.new;
  if (isObject(change)) {
    if (!refMatches(typeof change.name === "string" ? change.name : "", bc)) return { proceed: false };
    const target = (isObject(change.target) ? change.target : {}) as { hash?: string; message?: string };
    return { proceed: true, revision: revisionOf({ commit: target.hash, message: target.message }) };
  }
  const changes = Array.isArray(body.changes) ? body.changes.filter(isObject) : [];
  const last = changes.at(-1) ?? {};
  const ref = isObject(last.ref) && typeof last.ref.displayId === "string" ? last.ref.displayId : "";
  if (!refMatches(ref, bc)) return { proceed: false };
  return { proceed: true, revision: revisionOf({ commit: typeof last.toHash === "string" ? last.toHash : undefined }) };
}

function extractGeneric(ctx: ActionContext, bc: BuildConfig, hook: WebHookTrigger): Extracted {
  const h = ctx.req.headers ?? {};
  const mt = mediaType(h["content-type"]);
  const text = ctx.req.body ?? "";
  // Upstream ignores a body of any other type (and still builds).
  if (text.trim() === "" || (mt !== "application/json" && mt !== "application/yaml")) return { proceed: true };
  let body: Record<string, unknown>;
  if (mt === "application/json") body = jsonBody(text);
  else {
    try {
      body = parseBody(ctx);
    } catch {
      return { proceed: true };
    }
  }
  const out: Extracted = { proceed: true };
  if (isObject(body.git)) {
    const git = body.git as GitInfo & { ref?: string };
    if (!refMatches(git.ref, bc)) {
      return { proceed: false, message: `skipping build. Branch reference from "${git.ref ?? ""}" does not match configuration` };
    }
    out.revision = revisionOf(git);
  }
  if (hook.allowEnv && Array.isArray(body.env)) out.env = body.env.filter(isObject) as unknown as EnvVar[];
  if (isObject(body.dockerStrategyOptions)) out.dockerStrategyOptions = body.dockerStrategyOptions;
  return out;
}

/**
 * buildconfigs/webhooks: POST …/webhooks/<secret>/<type>. Unauthenticated (the secret is the
 * credential), so every refusal about the BC or the secret reads the same (401), to avoid
 * telling which BuildConfigs exist.
 */
const webhooks: Action = async (ctx) => {
  if (ctx.rest.length !== 2) throw badRequest(`unexpected hook subpath ${ctx.rest.join("/")}`);
  const [secret, type] = ctx.rest as [string, string];
  const kind = HOOK_TYPES[type];
  if (!kind) throw new ApiError(failure(404, "NotFound", `buildconfighook.${GROUP} "${type}" not found`, { name: type, group: GROUP, kind: "buildconfighook" }));
  if (ctx.req.method !== "POST") throw methodNotAllowed(ctx.req.method.toLowerCase(), `buildconfighook.${GROUP}`);
  const ns = ctx.namespace ?? "";
  const refused = (): ApiError => new ApiError(failure(401, "Unauthorized", `the webhook "${type}" for "${ctx.name}" did not accept your secret`));
  const bc = getOrUndefined<BuildConfig>(ctx.registry, "buildconfigs", ns, ctx.name);
  if (!bc) throw refused();
  const key = kind.trigger.toLowerCase() as "github" | "gitlab" | "bitbucket" | "generic";
  const hooks = (bc.spec.triggers ?? []).filter((t) => t.type === kind.trigger && isObject(t[key])).map((t) => t[key] as WebHookTrigger);
  // Every trigger is compared, so the time taken does not say which one matched.
  let hook: WebHookTrigger | undefined;
  for (const hk of hooks) {
    const want = triggerSecret(ctx.registry, ns, hk);
    if (want !== undefined && secretsEqual(secret, want) && !hook) hook = hk;
  }
  if (!hook) throw refused();
  const ex = type === "github" ? extractGitHub(ctx, bc) : type === "gitlab" ? extractGitLab(ctx, bc)
    : type === "bitbucket" ? extractBitbucket(ctx, bc) : extractGeneric(ctx, bc, hook);
  if (!ex.proceed) {
    return ex.message ? { status: 200, headers: { "content-type": "text/plain" }, body: ex.message } : { status: 200, headers: {}, body: "" };
  }
  const cause: Record<string, unknown> = { message: kind.cause, [kind.causeKey]: { ...(ex.revision ? { revision: ex.revision } : {}), secret: "<secret>" } };
  const req: BuildRequest = { triggeredBy: [cause] };
  if (ex.revision) req.revision = ex.revision;
  if (ex.env) req.env = ex.env;
  if (ex.dockerStrategyOptions && strategyType(bc.spec) === "Docker") req.dockerStrategyOptions = ex.dockerStrategyOptions;
  let build: Build;
  try {
    build = await instantiateBuild(ctx, ns, ctx.name, req);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new ApiError(failure(500, "InternalError", `Internal error occurred: could not generate a build: ${why}`));
  }
  return respond(200, build);
};

/** The action table of this file, spread into ACTIONS. */
export const BUILD_ACTIONS: Record<string, Action> = {
  "buildconfigs/instantiate": instantiate,
  "buildconfigs/webhooks": webhooks,
  "builds/clone": clone,
};
