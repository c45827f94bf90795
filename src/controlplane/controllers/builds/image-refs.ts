// Image references of builds: which image a BuildConfig builds from and pushes to, how an
// ImageStreamTag resolves to a pull spec, and the TagEvent a push records. Pure functions,
// shared by the instantiate action and the build controllers.
import type { BuildStrategy, CommonBuildSpec, ImageReference, ImageStream, TagEvent } from "../../../api/openshift-types.ts";
import { deepCopy } from "../../../api/copy.ts";

/** The strategy sub-object's `from` (the builder image, or the Docker base-image override). */
export function strategyFrom(strategy: BuildStrategy | undefined): ImageReference | undefined {
  const s = strategy ?? {};
  return s.sourceStrategy?.from ?? s.dockerStrategy?.from ?? s.customStrategy?.from;
}

/** "Source", "Docker", "Custom" or "JenkinsPipeline", from whichever sub-object is set. */
export function strategyType(spec: CommonBuildSpec | undefined): string {
  const s = spec?.strategy ?? {};
  if (s.sourceStrategy) return "Source";
  if (s.dockerStrategy) return "Docker";
  if (s.customStrategy) return "Custom";
  if (s.jenkinsPipelineStrategy) return "JenkinsPipeline";
  return s.type ?? "";
}

/** Splits "is:tag" (tag defaults to latest) or "is@sha256:…" (image set instead). */
export function splitStreamRef(name: string): { stream: string; tag?: string; image?: string } {
  const at = name.indexOf("@");
  if (at >= 0) return { stream: name.slice(0, at), image: name.slice(at + 1) };
  const colon = name.lastIndexOf(":");
  if (colon < 0) return { stream: name, tag: "latest" };
  return { stream: name.slice(0, colon), tag: name.slice(colon + 1) };
}

/**
 * The pull spec a tag of a stream points at now, or undefined when the tag has no image.
 * referencePolicy Local answers through the integrated registry, as OpenShift does.
 */
export function resolveTag(is: ImageStream, tag: string): string | undefined {
  const event = is.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
  if (!event) return undefined;
  const local = is.spec?.tags?.find((t) => t.name === tag)?.referencePolicy?.type === "Local";
  if (local && is.status?.dockerImageRepository) return `${is.status.dockerImageRepository}@${event.image}`;
  return event.dockerImageReference;
}

/** The pull spec of an image (`is@sha256:…`) of a stream, or undefined when no tag holds it. */
export function resolveImage(is: ImageStream, image: string): string | undefined {
  for (const t of is.status?.tags ?? []) {
    const hit = (t.items ?? []).find((e) => e.image === image);
    if (hit) return hit.dockerImageReference;
  }
  return undefined;
}

/**
 * Resolves an image reference to a pull spec: DockerImage as written, ImageStreamTag and
 * ImageStreamImage through `stream(namespace, name)` (which returns undefined when missing).
 * Returns undefined when the reference does not resolve (yet).
 */
export function resolveReference(ref: ImageReference | undefined, ns: string,
  stream: (namespace: string, name: string) => ImageStream | undefined): string | undefined {
  if (!ref?.name) return undefined;
  const kind = ref.kind || "ImageStreamTag";
  if (kind === "DockerImage") return ref.name;
  const parts = splitStreamRef(ref.name);
  const is = stream(ref.namespace || ns, parts.stream);
  if (!is) return undefined;
  if (kind === "ImageStreamImage") return parts.image ? resolveImage(is, parts.image) : undefined;
  if (kind === "ImageStreamTag") return parts.tag ? resolveTag(is, parts.tag) : undefined;
  return undefined;
}

/** The image name (`sha256:…`) of a pull spec in digest form, if it has one. */
export function digestOf(pullSpec: string): string | undefined {
  const at = pullSpec.indexOf("@");
  return at >= 0 ? pullSpec.slice(at + 1) : undefined;
}

/** 64 hex characters drawn from `random` (a fresh digest for a simulated push). */
export function randomHex(random: () => number, length = 64): string {
  let out = "";
  while (out.length < length) out += Math.floor(random() * 16).toString(16);
  return out;
}

/**
 * Returns a copy of the stream's status with `event` prepended to tag `tag`'s history (what
 * an ImageStreamMapping from the registry does). Does not mutate.
 */
export function withPushedEvent(is: ImageStream, tag: string, event: TagEvent): NonNullable<ImageStream["status"]> {
  const status = deepCopy(is.status ?? {});
  const tags = (status.tags ??= []);
  let list = tags.find((t) => t.tag === tag);
  if (!list) tags.push((list = { tag, items: [] }));
  list.items = [event, ...(list.items ?? [])];
  return status;
}
