// `skiff tag`: point image stream tags at an image, another tag (tracked with --alias) or an
// external image, or delete tags (-d), as `oc tag` does; writes go through imagestreamtags.
import { isApiError } from "../api/errors.ts";
import type { ImageStreamTag, TagReference } from "../api/openshift-types.ts";
import type { ApiObject } from "../api/types.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface TagFlags {
  alias?: boolean;
  reference?: boolean;
  source?: string;
  delete?: boolean;
  scheduled?: boolean;
  insecure?: boolean;
  referencePolicy?: string;
}

export interface TagSource {
  kind: "DockerImage" | "ImageStreamTag" | "ImageStreamImage";
  /** Pull spec, `is:tag` or `is@sha256:…`. */
  name: string;
  namespace?: string;
}

export interface TagOptions {
  source?: TagSource;
  destinations: { namespace?: string; stream: string; tag: string }[];
  delete: boolean;
  alias: boolean;
  reference: boolean;
  scheduled: boolean;
  insecure: boolean;
  referencePolicy: "Source" | "Local";
}

const SOURCE_KINDS: Record<string, TagSource["kind"]> = {
  istag: "ImageStreamTag", imagestreamtag: "ImageStreamTag", isimage: "ImageStreamImage", imagestreamimage: "ImageStreamImage", docker: "DockerImage",
};

/** Does the first path component name a registry (has a dot or port, or is localhost)? */
function hasRegistryHost(s: string): boolean {
  const slash = s.indexOf("/");
  if (slash < 0) return false;
  const first = s.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost";
}

/** oc's source detection: registry host → DockerImage; `@digest` → ImageStreamImage; `:tag` → ImageStreamTag; else DockerImage. */
export function parseTagSource(arg: string, forced?: string): TagSource {
  let kind: TagSource["kind"] | undefined;
  if (forced !== undefined) {
    kind = SOURCE_KINDS[forced.toLowerCase()];
    if (!kind) throw new UsageError(`please specify a valid --source: one of istag, imagestreamtag, isimage, imagestreamimage, docker`);
  } else if (hasRegistryHost(arg)) kind = "DockerImage";
  else if (arg.includes("@")) kind = "ImageStreamImage";
  else if (arg.includes(":")) kind = "ImageStreamTag";
  else kind = "DockerImage";
  if (kind === "DockerImage") return { kind, name: arg };
  const slash = arg.indexOf("/");
  const namespace = slash >= 0 ? arg.slice(0, slash) : undefined;
  let name = slash >= 0 ? arg.slice(slash + 1) : arg;
  if (kind === "ImageStreamTag" && !name.includes(":")) name = `${name}:latest`;
  if (kind === "ImageStreamImage" && !name.includes("@")) throw new UsageError(`"${arg}" must be of the form <stream_name>@<digest>`);
  return namespace ? { kind, name, namespace } : { kind, name };
}

/** `[ns/]stream:tag`; UsageError with oc's wording otherwise. */
export function parseTagDestination(arg: string): { namespace?: string; stream: string; tag: string } {
  const slash = arg.indexOf("/");
  const namespace = slash >= 0 ? arg.slice(0, slash) : undefined;
  const rest = slash >= 0 ? arg.slice(slash + 1) : arg;
  const colon = rest.indexOf(":");
  if (rest.includes("/") || colon <= 0 || colon === rest.length - 1 || rest.includes("@") || rest.indexOf(":", colon + 1) >= 0) {
    throw new UsageError(`"${arg}" must be of the form <stream_name>:<tag>`);
  }
  const d = { stream: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return namespace ? { namespace, ...d } : d;
}

export default defineCommand<TagFlags, TagOptions>({
  name: "tag",
  summary: "Tag existing images into image streams",
  group: "Build and Deploy Commands",
  args: "[args...]",
  examples: [
    "# Tag the current image for the image stream 'openshift/ruby' and tag '2.0' into the image stream 'yourproject/ruby with tag 'tip'\nskiff tag openshift/ruby:2.0 yourproject/ruby:tip",
    "# Tag a specific image\nskiff tag openshift/ruby@sha256:6b646fa6bf5e5e4c7fa41056c27910e679c03ebe7f93e361e6515a9da7e258cc yourproject/ruby:tip",
    "# Tag an external container image\nskiff tag --source=docker openshift/origin-control-plane:latest yourproject/ruby:tip",
    "# Track the tag 'latest' of the image stream 'web' as 'prod'\nskiff tag --alias web:latest web:prod",
    "# Remove the specified spec tag from an image stream\nskiff tag -d yourproject/ruby:tip",
  ],
  flags: (c) => c
    .option("--alias", "Should the destination tag be updated whenever the source tag changes. Applies only to a single image stream.")
    .option("--reference", "Should the destination tag continue to pull from the source namespace.")
    .option("--source <kind>", "Optional hint for the source type; valid values are 'imagestreamtag', 'istag', 'imagestreamimage', 'isimage', and 'docker'.")
    .option("-d, --delete", "Delete the provided spec tags.")
    .option("--scheduled", "Set a DockerImage tag to be periodically imported from a remote repository.")
    .option("--insecure", "Set to true if importing the specified container image requires HTTP or has a self-signed certificate.")
    .option("--reference-policy <policy>", "Allow to request pullthrough for external image when set to 'local'.", "source"),
  complete(args, flags) {
    const policy = (flags.referencePolicy ?? "source").toLowerCase();
    if (policy !== "source" && policy !== "local") throw new UsageError("reference policy must be set to 'source' or 'local'");
    const common = {
      delete: flags.delete ?? false, alias: flags.alias ?? false, reference: flags.reference ?? false,
      scheduled: flags.scheduled ?? false, insecure: flags.insecure ?? false,
      referencePolicy: (policy === "local" ? "Local" : "Source") as "Source" | "Local",
    };
    if (common.delete) {
      if (args.length === 0) throw new UsageError("you must specify at least one image stream tag to remove");
      return { ...common, destinations: args.map(parseTagDestination) };
    }
    if (args.length < 2) throw new UsageError("you must specify a source and at least one destination or one or more tags to delete");
    const source = parseTagSource(args[0]!, flags.source);
    return { ...common, source, destinations: args.slice(1).map(parseTagDestination) };
  },
  validate(o) {
    if (o.delete && (o.alias || o.reference || o.scheduled)) throw new UsageError("--delete and --alias, --reference or --scheduled may not be combined");
    if (o.alias && o.source?.kind !== "ImageStreamTag") throw new UsageError("cannot specify alias when the source is not an image stream tag");
    if (o.scheduled && o.source && o.source.kind !== "DockerImage") throw new UsageError("only Docker images can have importing set to scheduled");
  },
  async run(o, deps) {
    const client = await deps.client();
    const ns = client.namespace;
    const shown = (dns: string | undefined, text: string): string => (dns && dns !== ns ? `${dns}/${text}` : text);
    if (o.delete) {
      for (const d of o.destinations) {
        const dns = d.namespace ?? ns;
        await client.delete("imagestreamtags", dns, `${d.stream}:${d.tag}`);
        deps.io.out.write(`Deleted tag ${dns}/${d.stream}:${d.tag}.\n`);
      }
      return;
    }
    const src = o.source!;
    let from: NonNullable<TagReference["from"]> = { kind: src.kind, name: src.name };
    if (src.namespace) from.namespace = src.namespace;
    let shownSource = src.kind === "DockerImage" ? src.name : shown(src.namespace, src.name);
    // Without --alias an image stream tag is copied as the image it points at now.
    if (src.kind === "ImageStreamTag" && !o.alias) {
      let view: ImageStreamTag;
      try {
        view = await client.get("imagestreamtags", src.namespace ?? ns, src.name) as ImageStreamTag;
      } catch (e) {
        if (isApiError(e, "NotFound")) throw new CliError(`"${shown(src.namespace, src.name)}" is not currently pointing to an image, cannot use it as the source of a tag`);
        throw e;
      }
      const image = view.image?.metadata.name;
      if (!image) throw new CliError(`"${shown(src.namespace, src.name)}" is not currently pointing to an image, cannot use it as the source of a tag`);
      const stream = src.name.slice(0, src.name.indexOf(":"));
      from = { kind: "ImageStreamImage", name: `${stream}@${image}`, ...(src.namespace ? { namespace: src.namespace } : {}) };
      shownSource = shown(src.namespace, `${stream}@${image}`);
    }
    for (const d of o.destinations) {
      const dns = d.namespace ?? ns;
      if (o.alias && (src.namespace ?? ns) !== dns) throw new CliError("cannot set alias across different Image Streams");
      const tag: TagReference = {
        name: d.tag, from: { ...from }, reference: o.reference,
        importPolicy: { ...(o.scheduled ? { scheduled: true } : {}), ...(o.insecure ? { insecure: true } : {}) },
        referencePolicy: { type: o.referencePolicy },
      };
      // A cross-namespace source is written with its namespace so the tag resolves from here.
      if (src.kind !== "DockerImage" && !tag.from!.namespace && dns !== ns) tag.from!.namespace = ns;
      const body = { apiVersion: "image.openshift.io/v1", kind: "ImageStreamTag", metadata: { name: `${d.stream}:${d.tag}`, namespace: dns }, tag } as unknown as ApiObject;
      await client.update("imagestreamtags", dns, body);
      const dest = shown(d.namespace, `${d.stream}:${d.tag}`);
      if (o.alias) deps.io.out.write(`Tag ${dest} set up to track ${shown(src.namespace, src.name)}.\n`);
      else if (o.scheduled) deps.io.out.write(`Tag ${dest} set to import ${shownSource} periodically.\n`);
      else deps.io.out.write(`Tag ${dest} set to ${shownSource}.\n`);
    }
  },
});

