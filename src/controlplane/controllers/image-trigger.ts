// The image trigger controller for Kubernetes workloads: objects annotated with
// `image.openshift.io/triggers` get the container image at each trigger's fieldPath set to what
// the named ImageStreamTag points at now, so a push to the stream rolls the workload out.
import type { ImageStream } from "../../api/openshift-types.ts";
import type { Resource } from "../../api/resources.ts";
import type { ApiObject, Container, PodSpec } from "../../api/types.ts";
import { resolveTag } from "./builds/image-refs.ts";
import { QueueController } from "./queue-controller.ts";
import { keyOf } from "./informer.ts";
import type { ControllerContext } from "./shared.ts";
import { deepCopy } from "../../api/copy.ts";

/** The annotation holding an object's triggers (a JSON array of ObjectFieldTrigger). */
export const TRIGGER_ANNOTATION = "image.openshift.io/triggers";

/** One entry of the annotation, as OpenShift's ObjectFieldTrigger. */
export interface ObjectFieldTrigger {
  from: { kind: string; name: string; namespace?: string; apiVersion?: string };
  fieldPath: string;
  /** True: this trigger never updates the object. */
  paused?: boolean;
}

/** A trigger annotation or fieldPath that can never apply (bad JSON, no such container, …). */
export class ImageTriggerError extends Error {}

/**
 * The kinds whose annotation is acted on, with the path of their pod spec (the prefix every
 * fieldPath must start with). OpenShift also watches DaemonSets and CronJobs
 * (`spec.jobTemplate.spec.template.spec`).
 * TODO: add daemonsets and cronjobs rows once the resource table serves those kinds.
 */
export const TRIGGER_TARGETS: Readonly<Partial<Record<Resource, string>>> = {
  deployments: "spec.template.spec",
  statefulsets: "spec.template.spec",
};

const asString = (v: unknown, what: string): string => {
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") throw new ImageTriggerError(`invalid ${TRIGGER_ANNOTATION} annotation: ${what} must be a string`);
  return v;
};

/**
 * Parses the annotation's value (undefined or absent → no triggers). Missing fields read as
 * empty, as Go's JSON decoding leaves them. Throws ImageTriggerError for anything that is not an
 * array of objects of the right field types, and for two triggers on one fieldPath (which
 * OpenShift refuses with "duplicate triggers are not allowed").
 */
export function parseImageTriggers(value: string | undefined): ObjectFieldTrigger[] {
  if (value === undefined) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch (e) {
    throw new ImageTriggerError(`invalid ${TRIGGER_ANNOTATION} annotation: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new ImageTriggerError(`invalid ${TRIGGER_ANNOTATION} annotation: expected a JSON array`);
  const out = raw.map((t: unknown, i): ObjectFieldTrigger => {
    if (typeof t !== "object" || t === null || Array.isArray(t)) throw new ImageTriggerError(`invalid ${TRIGGER_ANNOTATION} annotation: entry ${i} is not an object`);
    const o = t as Record<string, unknown>;
    const from = (o["from"] ?? {}) as Record<string, unknown>;
    if (typeof from !== "object" || Array.isArray(from)) throw new ImageTriggerError(`invalid ${TRIGGER_ANNOTATION} annotation: entry ${i}: from must be an object`);
    if (o["paused"] !== undefined && o["paused"] !== null && typeof o["paused"] !== "boolean") throw new ImageTriggerError(`invalid ${TRIGGER_ANNOTATION} annotation: entry ${i}: paused must be a boolean`);
    const trigger: ObjectFieldTrigger = {
      from: { kind: asString(from["kind"], "from.kind"), name: asString(from["name"], "from.name") },
      fieldPath: asString(o["fieldPath"], "fieldPath"),
    };
    const ns = asString(from["namespace"], "from.namespace");
    if (ns) trigger.from.namespace = ns;
    const apiVersion = asString(from["apiVersion"], "from.apiVersion");
    if (apiVersion) trigger.from.apiVersion = apiVersion;
    if (o["paused"] === true) trigger.paused = true;
    return trigger;
  });
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      if (out[i]!.fieldPath === out[j]!.fieldPath) throw new ImageTriggerError("duplicate triggers are not allowed");
    }
  }
  return out;
}

/** Which container a fieldPath names: by index (in containers or initContainers) or by name. */
export type ContainerSelector = { init: boolean; index: number } | { init: boolean; name: string };

/**
 * Parses the part of a fieldPath below the pod spec: `containers[0].image`,
 * `initContainers[1].image`, `containers[?(@.name=="web")].image`. Throws ImageTriggerError
 * naming `fieldPath` when the path is not one of those forms (OpenShift accepts exactly these).
 */
export function parseContainerPath(rest: string, fieldPath = rest): ContainerSelector {
  const invalid = (): ImageTriggerError => new ImageTriggerError(`field path is not valid: ${fieldPath}`);
  const m = /^(containers|initContainers)\[([^\]]*)\]\.?(.*)$/s.exec(rest);
  if (!m || m[3] !== "image") throw invalid();
  const init = m[1] === "initContainers";
  const selector = m[2]!;
  if (/^[+-]?\d+$/.test(selector)) return { init, index: Number(selector) };
  // matches OpenShift, which takes only this exact spelling (no whitespace, double quotes)
  const named = /^\?\(@\.name=="(.*)"\)$/s.exec(selector);
  if (named) return { init, name: named[1]! };
  throw new ImageTriggerError(`no such container: ${fieldPath}`);
}

/**
 * The container a selector names in `spec`, or undefined. A name is looked up among the init
 * containers first and then the containers, whichever list the path named, as OpenShift does.
 */
export function findContainer(spec: PodSpec | undefined, sel: ContainerSelector): Container | undefined {
  if (!spec) return undefined;
  if ("index" in sel) return (sel.init ? spec.initContainers : spec.containers)?.[sel.index];
  return spec.initContainers?.find((c) => c.name === sel.name) ?? spec.containers?.find((c) => c.name === sel.name);
}

/** The value at a dotted path of plain fields (`spec.template.spec`), or undefined. */
function atPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** True for a trigger that follows an image stream tag (what OpenShift's trigger index covers). */
export function followsStreamTag(t: ObjectFieldTrigger): boolean {
  return t.from.kind === "ImageStreamTag" && !t.from.apiVersion && !t.paused && t.from.name.includes(":");
}

/** `namespace/stream` of each stream the object's active triggers follow (bad annotation → none). */
export function triggeredStreams(obj: ApiObject): string[] {
  let triggers: ObjectFieldTrigger[];
  try {
    triggers = parseImageTriggers(obj.metadata.annotations?.[TRIGGER_ANNOTATION]);
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const t of triggers.filter(followsStreamTag)) {
    out.add(`${t.from.namespace || obj.metadata.namespace || ""}/${t.from.name.slice(0, t.from.name.indexOf(":"))}`);
  }
  return [...out];
}

/**
 * The pull spec `is:tag` in `namespace` points at now (the newest status item, through the
 * integrated registry for referencePolicy Local), or undefined when the name has no `:tag`,
 * the stream is missing or the tag has no image yet.
 */
export function resolveStreamTag(namespace: string, name: string, stream: (namespace: string, name: string) => ImageStream | undefined): string | undefined {
  const colon = name.indexOf(":");
  if (colon < 0) return undefined;
  const is = stream(namespace, name.slice(0, colon));
  return is ? resolveTag(is, name.slice(colon + 1) || "latest") : undefined;
}

/**
 * Applies the object's triggers: each active one whose fieldPath lies under `podSpecPath` and
 * whose tag resolves (through `resolve(namespace, "is:tag")`, namespace defaulting to the
 * object's) sets that container's image. Returns a changed copy, or undefined when every image
 * already matches or nothing resolves; never mutates `obj`. Throws ImageTriggerError for a bad
 * annotation, or a resolved trigger whose fieldPath is malformed or names no container — the
 * whole object is then left alone, as OpenShift does.
 */
export function applyImageTriggers<T extends ApiObject>(obj: T, podSpecPath: string, resolve: (namespace: string, name: string) => string | undefined): T | undefined {
  const triggers = parseImageTriggers(obj.metadata.annotations?.[TRIGGER_ANNOTATION]);
  const base = `${podSpecPath}.`;
  let updated: T | undefined;
  for (const t of triggers) {
    if (!followsStreamTag(t) || !t.fieldPath.startsWith(base)) continue;
    const ref = resolve(t.from.namespace || obj.metadata.namespace || "", t.from.name);
    if (ref === undefined) continue;
    const sel = parseContainerPath(t.fieldPath.slice(base.length), t.fieldPath);
    const container = findContainer(atPath(updated ?? obj, podSpecPath) as PodSpec | undefined, sel);
    if (!container) throw new ImageTriggerError(`no such container: ${t.fieldPath}`);
    if (container.image === ref) continue;
    if (!updated) {
      updated = deepCopy(obj);
      findContainer(atPath(updated, podSpecPath) as PodSpec, sel)!.image = ref;
    } else {
      container.image = ref;
    }
  }
  return updated;
}

const STREAM_INDEX = "imageTriggerStream";
const hasTriggers = (obj: ApiObject): boolean => obj.metadata.annotations?.[TRIGGER_ANNOTATION] !== undefined;

/**
 * Keeps annotated Deployments and StatefulSets on the images their triggers name. Keys are
 * `resource/namespace/name`. Level-triggered: an object is synced when it changes and when a
 * stream one of its triggers follows changes; a sync writes only when some image differs.
 * Unresolved tags leave the object as it is; a bad annotation is reported once per object
 * and value, and not retried (editing the object syncs it again).
 */
export class ImageTriggerController extends QueueController {
  readonly name = "image-trigger";
  readonly resources: readonly Resource[];
  private readonly targets: [Resource, string][];
  private readonly reported = new Map<string, string>();

  constructor(ctx: ControllerContext, targets: Readonly<Partial<Record<Resource, string>>> = TRIGGER_TARGETS) {
    super(ctx, 2);
    this.targets = Object.entries(targets) as [Resource, string][];
    this.resources = ["imagestreams", ...this.targets.map(([r]) => r)];
  }

  private get streams() { return this.ctx.informers.get("imagestreams"); }

  register(): void {
    for (const [resource] of this.targets) {
      const inf = this.ctx.informers.get(resource);
      inf.addIndex(STREAM_INDEX, triggeredStreams);
      const changed = (obj: ApiObject): void => { if (hasTriggers(obj)) this.enqueue(`${resource}/${keyOf(obj)}`); };
      inf.addEventHandler({ onAdd: changed, onUpdate: (_o, obj) => changed(obj), onDelete: (obj) => this.reported.delete(`${resource}/${keyOf(obj)}`) });
    }
    const streamChanged = (is: ImageStream): void => {
      const key = keyOf(is);
      for (const [resource] of this.targets) {
        for (const obj of this.ctx.informers.get(resource).byIndex(STREAM_INDEX, key)) this.enqueue(`${resource}/${keyOf(obj)}`);
      }
    };
    this.streams.addEventHandler({ onAdd: streamChanged, onUpdate: (_o, is) => streamChanged(is) });
  }

  protected initialKeys(): string[] {
    return this.targets.flatMap(([resource]) => this.ctx.informers.get(resource).list().filter(hasTriggers).map((o) => `${resource}/${keyOf(o)}`));
  }

  /** Syncs one object (`resource/namespace/name`). Exposed for tests. */
  async sync(key: string): Promise<void> {
    const slash = key.indexOf("/");
    const resource = key.slice(0, slash) as Resource;
    const podSpecPath = this.targets.find(([r]) => r === resource)?.[1];
    if (!podSpecPath) return;
    const obj = this.ctx.informers.get(resource).get(key.slice(slash + 1));
    if (!obj || obj.metadata.deletionTimestamp) return;
    let next: ApiObject | undefined;
    try {
      next = applyImageTriggers(obj, podSpecPath, (ns, name) => resolveStreamTag(ns, name, (n, s) => this.streams.get(`${n}/${s}`)));
    } catch (e) {
      if (!(e instanceof ImageTriggerError)) throw e;
      if (this.reported.get(key) !== e.message) this.ctx.onError(`${this.name}: ${key}`, e);
      this.reported.set(key, e.message);
      return;
    }
    this.reported.delete(key);
    if (next) await this.ctx.client.update(resource, obj.metadata.namespace, next);
  }
}
