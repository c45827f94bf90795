// The image stream tag tracker: a spec tag whose `from` is another ImageStreamTag (`oc tag
// --alias`, or template streams whose `latest` follows a versioned tag) follows that tag's
// newest image, also after a build pushes or another stream changes. What it writes to
// status is what fires the ImageChange triggers of builds and deployment configs.
import type { ImageStream, TagReference } from "../../../api/openshift-types.ts";
import { keyOf } from "../informer.ts";
import { QueueController } from "../queue-controller.ts";
import { wireTime, type ControllerContext } from "../shared.ts";
import { withPushedEvent } from "./image-refs.ts";

/** The stream key and tag a tracking spec tag follows, or undefined for other sources. */
export function trackedSource(is: ImageStream, t: TagReference): { key: string; tag: string } | undefined {
  if (t.from?.kind !== "ImageStreamTag" || !t.from.name) return undefined;
  const ns = t.from.namespace || is.metadata.namespace || "";
  const colon = t.from.name.lastIndexOf(":");
  if (colon < 0) return { key: `${ns}/${is.metadata.name}`, tag: t.from.name };
  return { key: `${ns}/${t.from.name.slice(0, colon)}`, tag: t.from.name.slice(colon + 1) };
}

/**
 * Keeps tracking tags in step with their sources. Level-triggered: a tag whose newest image
 * differs from its source's newest gets that image prepended; nothing else is written.
 */
export class ImageStreamTagTracker extends QueueController {
  readonly name = "imagestream-tags";
  readonly resources = ["imagestreams"] as const;

  constructor(ctx: ControllerContext) {
    super(ctx, 2);
  }

  private get streams() { return this.ctx.informers.get("imagestreams"); }

  register(): void {
    const changed = (is: ImageStream): void => {
      const key = keyOf(is);
      this.enqueue(key);
      for (const other of this.streams.list()) {
        if ((other.spec?.tags ?? []).some((t) => trackedSource(other, t)?.key === key)) this.enqueue(keyOf(other));
      }
    };
    this.streams.addEventHandler({ onAdd: changed, onUpdate: (_o, is) => changed(is) });
  }

  protected initialKeys(): string[] {
    return this.streams.list().map(keyOf);
  }

  /** Syncs one stream. Exposed for tests. */
  async sync(key: string): Promise<void> {
    const is = this.streams.get(key);
    if (!is) return;
    let next: ImageStream = is;
    let dirty = false;
    // Chains inside one stream (latest → 20 → 20-ubi8) settle in a few passes.
    for (let pass = 0; pass < 3; pass++) {
      for (const t of is.spec?.tags ?? []) {
        const src = trackedSource(is, t);
        if (!src) continue;
        const source = src.key === key ? next : this.streams.get(src.key);
        const event = source?.status?.tags?.find((x) => x.tag === src.tag)?.items?.[0];
        const head = next.status?.tags?.find((x) => x.tag === t.name)?.items?.[0];
        if (!event || (head?.image === event.image && head.dockerImageReference === event.dockerImageReference)) continue;
        next = { ...next, status: withPushedEvent(next, t.name, { ...event, created: wireTime(this.ctx.clock.now()), generation: t.generation ?? event.generation }) };
        dirty = true;
      }
    }
    if (dirty) await this.ctx.client.updateStatus("imagestreams", is.metadata.namespace, next);
  }
}
