// ImageStream rules (image.openshift.io/v1): defaults (lookupPolicy, tag generations and
// policies), the integrated registry's repository in status, validation of tags, and an
// emulated image import: a spec tag from a DockerImage resolves at once to a deterministic
// digest, and a tag tracking another tag of the same stream follows it (there is no registry
// to contact, so this stands in for the import controller).
import { createHash } from "node:crypto";
import { fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { ImageStream, NamedTagEventList, TagEvent, TagReference } from "../../../api/openshift-types.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy, StrategyContext } from "../strategy.ts";
import { deepEqual, isObject, prepareUpdate, rfc3339, takeStatusOnly } from "./common.ts";
import { deepCopy } from "../../../api/copy.ts";

/** Host and port of the integrated registry, as OpenShift 4 names its service. */
export const REGISTRY_HOST = "image-registry.openshift-image-registry.svc:5000";

const TAG_NAME = /^[\w][\w.-]{0,127}$/;

/** The repository of a pull spec: "registry.io/a/b:1" and "registry.io/a/b@sha256:…" → "registry.io/a/b". */
export function repositoryOf(pullSpec: string): string {
  const at = pullSpec.indexOf("@");
  const ref = at >= 0 ? pullSpec.slice(0, at) : pullSpec;
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  return colon > slash ? ref.slice(0, colon) : ref;
}

/** The digest an emulated import gives a pull spec: sha256 of the spec itself, so it is stable. */
export function importedDigest(pullSpec: string): string {
  const at = pullSpec.indexOf("@");
  if (at >= 0 && pullSpec.slice(at + 1).startsWith("sha256:")) return pullSpec.slice(at + 1);
  return `sha256:${createHash("sha256").update(pullSpec).digest("hex")}`;
}

/** The tag an ImageStreamTag `from` names inside this stream ("tag" or "<stream>:tag"), if any. */
function sameStreamTag(is: ImageStream, from: TagReference["from"]): string | undefined {
  if (!from?.name || (from.namespace && from.namespace !== is.metadata.namespace)) return undefined;
  const colon = from.name.lastIndexOf(":");
  if (colon < 0) return from.name;
  return from.name.slice(0, colon) === is.metadata.name ? from.name.slice(colon + 1) : undefined;
}

/** Prepends an event to a status tag unless its newest event already points at the same image. */
function recordEvent(tags: NamedTagEventList[], tag: string, event: TagEvent): void {
  let list = tags.find((t) => t.tag === tag);
  if (!list) tags.push((list = { tag, items: [] }));
  const items = list.items ?? [];
  if (items[0]?.dockerImageReference === event.dockerImageReference && items[0]?.image === event.image) return;
  list.items = [event, ...items];
}

/**
 * Resolves spec tags into status, as an import would: DockerImage sources get an event with
 * `<repository>@sha256:<digest>`; tags following another tag of this stream copy its newest event.
 * Idempotent. Mutates.
 */
export function importSpecTags(is: ImageStream, now: Date): void {
  const spec = is.spec?.tags ?? [];
  if (spec.length === 0) return;
  const status = (is.status ??= {});
  const tags = (status.tags ??= []);
  for (const t of spec) {
    if (t.from?.kind !== "DockerImage" || !t.from.name) continue;
    const image = importedDigest(t.from.name);
    recordEvent(tags, t.name, {
      created: rfc3339(now), dockerImageReference: `${repositoryOf(t.from.name)}@${image}`, image, generation: t.generation ?? 1,
    });
  }
  // Tracking tags may chain (latest → 20 → 20-ubi8): a few passes settle them.
  for (let pass = 0; pass < 3; pass++) {
    for (const t of spec) {
      if (t.from?.kind !== "ImageStreamTag") continue;
      const source = sameStreamTag(is, t.from);
      const event = source === undefined ? undefined : tags.find((x) => x.tag === source)?.items?.[0];
      if (event) recordEvent(tags, t.name, { ...event, generation: t.generation ?? event.generation });
    }
  }
}

/** A spec tag's defaults; `generation` (when given) fills a missing one. Mutates. */
function defaultTag(t: TagReference, generation?: number): void {
  if (!isObject(t)) return;
  t.annotations ??= null;
  if (generation !== undefined) t.generation ??= generation;
  t.importPolicy ??= {};
  t.importPolicy.importMode ||= "Legacy";
  t.referencePolicy ??= {};
  t.referencePolicy.type ||= "Source";
}

/** Spec defaults and the repository in status. Mutates. */
function defaultImageStream(is: ImageStream, generation: number): void {
  if (!isObject(is.spec)) is.spec = {};
  is.spec.lookupPolicy ??= { local: false };
  for (const t of is.spec.tags ?? []) defaultTag(t, generation);
  if (!isObject(is.status)) is.status = {};
  is.status.dockerImageRepository = `${REGISTRY_HOST}/${is.metadata.namespace ?? ""}/${is.metadata.name ?? ""}`;
}

/** ValidateImageStream: name, spec tags (names, sources, policies), the upstream repository. */
export function validateImageStream(is: ImageStream): FieldError[] {
  const errs = validateObjectMeta(is.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  const seen = new Set<string>();
  for (const t of is.spec?.tags ?? []) {
    if (!isObject(t)) continue;
    const p = `spec.tags[${t.name ?? ""}]`;
    if (!t.name) errs.push(fieldRequired("spec.tags.name"));
    else if (!TAG_NAME.test(t.name)) errs.push(fieldInvalid(`${p}.name`, t.name, "tag names must match [\\w][\\w.-]{0,127}"));
    if (t.name && seen.has(t.name)) errs.push(fieldDuplicate(`${p}.name`, t.name));
    if (t.name) seen.add(t.name);
    if (isObject(t.from)) {
      const kind = t.from.kind ?? "";
      if (!["DockerImage", "ImageStreamImage", "ImageStreamTag"].includes(kind)) {
        errs.push(fieldInvalid(`${p}.from.kind`, kind, "valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"));
      } else if (!t.from.name) {
        errs.push(fieldRequired(`${p}.from.name`));
      }
    }
    const rp = t.referencePolicy?.type;
    if (rp !== undefined && rp !== "Source" && rp !== "Local") errs.push(fieldNotSupported(`${p}.referencePolicy.type`, rp, ["Local", "Source"]));
  }
  return errs;
}

/** Tags equal to the stored ones but for generation keep their generation (clients omit it). */
function carryTagGenerations(next: ImageStream, prev: ImageStream): void {
  const old = new Map((prev.spec?.tags ?? []).map((t) => [t.name, t]));
  for (const t of next.spec?.tags ?? []) {
    const p = old.get(t?.name);
    if (!p || t.generation !== undefined && t.generation !== null) continue;
    const { generation: _g, ...rest } = p;
    const candidate = deepCopy(t);
    defaultTag(candidate);
    const { generation: _n, ...restNext } = candidate;
    if (deepEqual(rest, restNext)) t.generation = p.generation;
  }
}

export const imageStreamStrategy: Strategy<ImageStream> = {
  prepareForCreate(is, ctx: StrategyContext) {
    is.metadata.generation = 1;
    is.status = {};
    defaultImageStream(is, 1);
    importSpecTags(is, ctx.now);
  },
  validate: validateImageStream,
  prepareForUpdate(next, prev, ctx) {
    if (!isObject(next.spec)) next.spec = {};
    carryTagGenerations(next, prev);
    next.spec.lookupPolicy ??= prev.spec?.lookupPolicy ?? { local: false };
    // Defaults first, so a client that omits them does not count as a change of the spec.
    for (const t of next.spec.tags ?? []) defaultTag(t);
    prepareUpdate(next, prev, true);
    defaultImageStream(next, next.metadata.generation ?? 1);
    importSpecTags(next, ctx.now);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateImageStream(next)],
  prepareForStatusUpdate: takeStatusOnly,
};
