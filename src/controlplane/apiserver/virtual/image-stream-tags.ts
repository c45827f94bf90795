// ImageStreamTags (image.openshift.io/v1): `<stream>:<tag>` views over one tag of an image
// stream. Reads need the tag resolved in status; writes set the spec tag (creating the stream
// when missing) and deletes remove the tag from spec and status.
import { ApiError, alreadyExists, badRequest, fieldRequired, invalid, notFound } from "../../../api/errors.ts";
import type { ImageStream, ImageStreamTag, TagEvent, TagReference } from "../../../api/openshift-types.ts";
import { infoOf } from "../../../api/resources.ts";
import type { ApiObject } from "../../../api/types.ts";
import type { ObjectFilter, WriteOptions } from "../registry.ts";
import { rfc3339 } from "../strategies/common.ts";
import { deletedStatus, type VirtualContext, type VirtualResource } from "./virtual.ts";
import { deepCopy } from "../../../api/copy.ts";

const GROUP = "image.openshift.io";
const RESOURCE = `imagestreamtags.${GROUP}`;
const everything = Object.assign(() => true, { trivial: true }) as ObjectFilter;
const RETRIES = 5;

/** Splits `stream:tag`; 400 as upstream when the name has another shape. */
export function splitTagName(name: string): { stream: string; tag: string } {
  const i = name.indexOf(":");
  if (i <= 0 || i === name.length - 1 || name.indexOf(":", i + 1) >= 0) {
    throw badRequest(`"${name}" is an invalid image stream tag name; must be of the form <stream_name>:<tag>`);
  }
  return { stream: name.slice(0, i), tag: name.slice(i + 1) };
}

/** The ImageStreamTag view of one tag, or undefined when the tag is not resolved to an image. */
export function tagOf(is: ImageStream, tag: string): ImageStreamTag | undefined {
  const event = is.status?.tags?.find((t) => t.tag === tag)?.items?.[0];
  if (!event) return undefined;
  const spec = is.spec?.tags?.find((t) => t.name === tag);
  const metadata: ApiObject["metadata"] = {
    name: `${is.metadata.name}:${tag}`, namespace: is.metadata.namespace, uid: is.metadata.uid,
    resourceVersion: is.metadata.resourceVersion, creationTimestamp: event.created,
  };
  if (spec?.annotations) metadata.annotations = { ...spec.annotations };
  return {
    kind: "ImageStreamTag", apiVersion: `${GROUP}/v1`, metadata,
    tag: spec ? deepCopy(spec) : null,
    generation: event.generation,
    lookupPolicy: is.spec?.lookupPolicy ?? { local: false },
    image: {
      metadata: { name: event.image, creationTimestamp: event.created },
      dockerImageReference: event.dockerImageReference,
      dockerImageMetadata: { kind: "DockerImage", apiVersion: "1.0", Created: event.created },
      dockerImageMetadataVersion: "1.0",
    },
  };
}

function readStream(c: VirtualContext, ns: string | undefined, stream: string): ImageStream | undefined {
  try {
    return c.registry.get("imagestreams", ns, stream) as ImageStream;
  } catch (e) {
    if (e instanceof ApiError && e.status.reason === "NotFound") return undefined;
    throw e;
  }
}

/** The view returned after a write: resolved when the stream resolved it, else the tag alone. */
function afterWrite(is: ImageStream, tag: string): ImageStreamTag {
  const view = tagOf(is, tag);
  if (view) return view;
  const spec = is.spec?.tags?.find((t) => t.name === tag) ?? null;
  return {
    kind: "ImageStreamTag", apiVersion: `${GROUP}/v1`,
    metadata: { name: `${is.metadata.name}:${tag}`, namespace: is.metadata.namespace, uid: is.metadata.uid, resourceVersion: is.metadata.resourceVersion, creationTimestamp: is.metadata.creationTimestamp },
    tag: spec, generation: spec?.generation ?? 0, lookupPolicy: is.spec?.lookupPolicy ?? { local: false },
    image: { metadata: {} },
  };
}

/** The newest event a tag source in another stream points at (`is:tag` or `is@sha256:…`), if resolved. */
function sourceEvent(c: VirtualContext, ns: string | undefined, from: TagReference["from"]): TagEvent | undefined {
  if (!from?.name) return undefined;
  const srcNs = from.namespace || ns;
  if (from.kind === "ImageStreamTag") {
    const i = from.name.indexOf(":");
    if (i <= 0) return undefined;
    return readStream(c, srcNs, from.name.slice(0, i))?.status?.tags?.find((t) => t.tag === from.name!.slice(i + 1))?.items?.[0] ?? undefined;
  }
  if (from.kind === "ImageStreamImage") {
    const i = from.name.indexOf("@");
    if (i <= 0) return undefined;
    const image = from.name.slice(i + 1);
    for (const t of readStream(c, srcNs, from.name.slice(0, i))?.status?.tags ?? []) {
      const hit = (t.items ?? []).find((e) => e.image === image);
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * Resolves a tag whose source is another stream (what the server's import does for
 * `oc tag`): prepends the source's event to the tag's status. Returns the stream as written.
 */
async function resolveFromOtherStream(c: VirtualContext, ns: string | undefined, is: ImageStream, tag: string, opts: WriteOptions): Promise<ImageStream> {
  if (tagOf(is, tag) || opts.dryRun) return is;
  const spec = is.spec?.tags?.find((t) => t.name === tag);
  const event = sourceEvent(c, ns, spec?.from);
  if (!spec || !event) return is;
  const tags = [...(is.status?.tags ?? [])].filter((t) => t.tag !== tag);
  tags.push({ tag, items: [{ ...event, created: rfc3339(c.now()), generation: spec.generation ?? is.metadata.generation ?? 1 }] });
  return await c.registry.updateStatus("imagestreams", ns, is.metadata.name!, { ...is, status: { ...(is.status ?? {}), tags } }, opts) as ImageStream;
}

/** Writes a spec tag; `mustBeNew` makes an existing spec tag an AlreadyExists. Retries on conflicts. */
async function writeTag(c: VirtualContext, ns: string | undefined, name: string, body: ImageStreamTag, opts: WriteOptions, mustBeNew: boolean): Promise<{ object: ApiObject; created: boolean }> {
  const { stream, tag } = splitTagName(name);
  if (!body.tag || typeof body.tag !== "object") throw invalid(`ImageStreamTag.${GROUP}`, name, [fieldRequired("tag")], GROUP);
  const ref: TagReference = { ...deepCopy(body.tag), name: tag };
  if (body.metadata.annotations) ref.annotations = { ...body.metadata.annotations };
  delete ref.generation;
  for (let attempt = 0; ; attempt++) {
    const cur = readStream(c, ns, stream);
    try {
      if (!cur) {
        const is: ApiObject = { apiVersion: `${GROUP}/v1`, kind: "ImageStream", metadata: { name: stream, namespace: ns }, spec: { tags: [ref] } };
        const made = await c.registry.create("imagestreams", ns, is, opts) as ImageStream;
        return { object: afterWrite(await resolveFromOtherStream(c, ns, made, tag, opts), tag), created: true };
      }
      const tags = [...(cur.spec?.tags ?? [])];
      const i = tags.findIndex((t) => t.name === tag);
      if (i >= 0 && mustBeNew) throw alreadyExists(RESOURCE, name);
      if (i >= 0) tags[i] = ref; else tags.push(ref);
      const next = { ...cur, spec: { ...(cur.spec ?? {}), tags } };
      const res = await c.registry.update("imagestreams", ns, stream, next, opts);
      return { object: afterWrite(await resolveFromOtherStream(c, ns, res.object as ImageStream, tag, opts), tag), created: i < 0 };
    } catch (e) {
      const retry = e instanceof ApiError && (e.status.reason === "Conflict" || (e.status.reason === "AlreadyExists" && !cur));
      if (retry && attempt < RETRIES) continue;
      throw e;
    }
  }
}

export const imageStreamTagsAdapter: VirtualResource = {
  get(c, ns, name) {
    const { stream, tag } = splitTagName(name);
    const is = readStream(c, ns, stream);
    const view = is && tagOf(is, tag);
    if (!view) throw notFound(RESOURCE, name);
    return view;
  },
  list(c, ns) {
    const page = c.registry.list("imagestreams", ns, { filter: everything });
    const items: ApiObject[] = [];
    for (const is of page.items as ImageStream[]) {
      for (const t of is.status?.tags ?? []) {
        const view = tagOf(is, t.tag);
        if (view) items.push(view);
      }
    }
    return { items, rev: page.rev };
  },
  async create(c, ns, body, opts) {
    const name = body.metadata.name ?? "";
    if (!name) throw invalid(`ImageStreamTag.${GROUP}`, "", [fieldRequired("metadata.name", "name or generateName is required")], GROUP);
    return (await writeTag(c, ns, name, body as ImageStreamTag, opts, true)).object;
  },
  async update(c, ns, name, body, opts) {
    if (body.metadata.name && body.metadata.name !== name) {
      throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    }
    return writeTag(c, ns, name, body as ImageStreamTag, opts, false);
  },
  async delete(c, ns, name, opts) {
    const { stream, tag } = splitTagName(name);
    for (let attempt = 0; ; attempt++) {
      const cur = readStream(c, ns, stream);
      const inSpec = cur?.spec?.tags?.some((t) => t.name === tag) ?? false;
      const inStatus = cur?.status?.tags?.some((t) => t.tag === tag) ?? false;
      if (!cur || (!inSpec && !inStatus)) throw notFound(RESOURCE, name);
      try {
        let is = cur;
        if (inSpec) {
          const next = { ...is, spec: { ...(is.spec ?? {}), tags: (is.spec?.tags ?? []).filter((t) => t.name !== tag) } };
          is = (await c.registry.update("imagestreams", ns, stream, next, opts)).object as ImageStream;
        }
        if (inStatus && !opts.dryRun) {
          const next = { ...is, status: { ...(is.status ?? {}), tags: (is.status?.tags ?? []).filter((t) => t.tag !== tag) } };
          await c.registry.updateStatus("imagestreams", ns, stream, next, opts);
        }
        return deletedStatus(infoOf("imagestreamtags"), name, cur.metadata.uid);
      } catch (e) {
        if (e instanceof ApiError && e.status.reason === "Conflict" && attempt < RETRIES) continue;
        throw e;
      }
    }
  },
};

