// The BuildConfig trigger controller: a ConfigChange trigger starts the first build of a new
// BuildConfig; an ImageChange trigger starts a build when the image stream tag it follows (its
// own `from`, or the strategy's builder image) points at an image it has not built from yet.
import { isApiError } from "../../../api/errors.ts";
import type { BuildConfig, ImageStream } from "../../../api/openshift-types.ts";
import type { ApiObject } from "../../../api/types.ts";
import { triggerFrom } from "../../apiserver/actions/builds.ts";
import { keyOf } from "../informer.ts";
import { QueueController } from "../queue-controller.ts";
import type { ControllerContext } from "../shared.ts";
import { resolveReference, splitStreamRef } from "./image-refs.ts";

export const BUILD_CONFIG_COMPONENT = "buildconfig-controller";

interface TriggerRecord {
  lastTriggeredImageID?: string;
  from?: { namespace?: string; name?: string };
}

/** Refusals that mean someone else already built (or the BC moved on): not worth a retry. */
const SETTLED = [/does not match the build request LastVersion/, /has already instantiated a build for imageid/, /BuildConfig is paused/];

/**
 * Reconciles BuildConfigs' ConfigChange and ImageChange triggers by calling `instantiate`, whose
 * lastVersion precondition and image records make a repeated sync harmless.
 */
export class BuildConfigController extends QueueController {
  readonly name = "buildconfig";
  readonly resources = ["buildconfigs", "imagestreams"] as const;

  constructor(ctx: ControllerContext, opts: { workers?: number } = {}) {
    super(ctx, opts.workers ?? 2);
  }

  private get configs() { return this.ctx.informers.get("buildconfigs"); }
  private get streams() { return this.ctx.informers.get("imagestreams"); }

  register(): void {
    this.configs.addEventHandler({ onAdd: (bc) => this.enqueue(keyOf(bc)), onUpdate: (_o, bc) => this.enqueue(keyOf(bc)) });
    const streamChanged = (is: ImageStream): void => {
      for (const bc of this.configs.list()) if (this.follows(bc, is)) this.enqueue(keyOf(bc));
    };
    this.streams.addEventHandler({ onAdd: streamChanged, onUpdate: (_o, is) => streamChanged(is) });
  }

  protected initialKeys(): string[] {
    return this.configs.list().map(keyOf);
  }

  /** Does one of the BC's image triggers follow a tag of this stream? */
  private follows(bc: BuildConfig, is: ImageStream): boolean {
    return (bc.spec.triggers ?? []).some((t) => {
      if (t.type !== "ImageChange") return false;
      const from = triggerFrom(bc, t);
      return !!from?.name && from.namespace === is.metadata.namespace && splitStreamRef(from.name).stream === is.metadata.name;
    });
  }

  private async instantiate(bc: BuildConfig, body: Record<string, unknown>): Promise<void> {
    try {
      await this.ctx.client.postSubresource("buildconfigs", bc.metadata.namespace, bc.metadata.name ?? "", "instantiate",
        { kind: "BuildRequest", apiVersion: "build.openshift.io/v1", metadata: { name: bc.metadata.name }, ...body } as unknown as ApiObject);
    } catch (e) {
      if (isApiError(e) && SETTLED.some((re) => re.test(e.message))) return;
      this.ctx.recorder(BUILD_CONFIG_COMPONENT).event(bc, "Warning", "BuildConfigInstantiateFailed",
        `error instantiating Build from BuildConfig ${bc.metadata.namespace}/${bc.metadata.name}: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  }

  /** Syncs one BuildConfig. Exposed for tests. */
  async sync(key: string): Promise<void> {
    const bc = this.configs.get(key);
    if (!bc) return;
    const ns = bc.metadata.namespace ?? "";
    const triggers = bc.spec.triggers ?? [];
    const neverBuilt = (bc.status?.lastVersion ?? 0) === 0;
    const configChange = triggers.some((t) => t.type === "ConfigChange");
    if (configChange && neverBuilt) {
      await this.instantiate(bc, { lastVersion: 0, triggeredBy: [{ message: "Build configuration change" }] });
      return;
    }
    const records = (Array.isArray(bc.status?.imageChangeTriggers) ? bc.status.imageChangeTriggers : []) as TriggerRecord[];
    for (const t of triggers) {
      if (t.type !== "ImageChange" || t.imageChange?.paused) continue;
      const from = triggerFrom(bc, t);
      if (!from?.name || from.kind !== "ImageStreamTag") continue;
      const image = resolveReference(from, ns, (sns, name) => this.streams.get(`${sns}/${name}`));
      if (!image) continue;
      const rec = records.find((r) => r.from?.name === from.name && (r.from?.namespace || ns) === from.namespace);
      const last = rec?.lastTriggeredImageID ?? t.imageChange?.lastTriggeredImageID;
      if (last === image) continue;
      await this.instantiate(bc, {
        triggeredBy: [{ message: "Image change", imageChangeBuild: { imageID: image, fromRef: { kind: "ImageStreamTag", namespace: from.namespace, name: from.name } } }],
        triggeredByImage: { kind: "DockerImage", name: image },
        from: { kind: "ImageStreamTag", namespace: from.namespace, name: from.name },
      });
      // One build per sync: the BC update it causes brings the next trigger round.
      return;
    }
  }
}
