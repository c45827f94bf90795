// The image.openshift.io/triggers annotation: parsing, fieldPath forms, applying resolved tags
// (pure), one sync against a real API server, and the full loop with the controller manager
// and minions: a Deployment gets its image from a stream and rolls when the stream is pushed to.
import { afterEach, describe, expect, test } from "vitest";
import type { Deployment, ImageStream, StatefulSet } from "../../../src/api/openshift-types.ts";
import type { Pod, PodSpec } from "../../../src/api/types.ts";
import { withPushedEvent } from "../../../src/controlplane/controllers/builds/image-refs.ts";
import {
  applyImageTriggers, findContainer, ImageTriggerController, ImageTriggerError, parseContainerPath, parseImageTriggers,
  resolveStreamTag, TRIGGER_ANNOTATION, triggeredStreams, type ObjectFieldTrigger,
} from "../../../src/controlplane/controllers/image-trigger.ts";
import { eventually, liveCluster, reconcilerHarness, type LiveCluster, type ReconcilerHarness } from "./harness.ts";

const byName = (name: string, init = false): string => `spec.template.spec.${init ? "initContainers" : "containers"}[?(@.name=="${name}")].image`;

function annotated(triggers: unknown, containers: { name: string; image: string }[] = [{ name: "web", image: " " }], initContainers?: { name: string; image: string }[]): Deployment {
  return {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: "web", namespace: "app", annotations: { [TRIGGER_ANNOTATION]: typeof triggers === "string" ? triggers : JSON.stringify(triggers) } },
    spec: {
      replicas: 1, selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers, ...(initContainers ? { initContainers } : {}) } },
    },
  };
}

const ist = (name: string, fieldPath: string, extra: Partial<ObjectFieldTrigger> & { namespace?: string } = {}): ObjectFieldTrigger => {
  const { namespace, ...rest } = extra;
  return { from: { kind: "ImageStreamTag", name, ...(namespace ? { namespace } : {}) }, fieldPath, ...rest };
};

/** Resolves app/stream-1:1 and other/stream-2:1 only. */
const tags: Record<string, string> = { "app/stream-1:1": "registry/app/stream-1@sha256:aaa", "other/stream-2:1": "registry/other/stream-2@sha256:bbb" };
const resolve = (ns: string, name: string): string | undefined => tags[`${ns}/${name}`];

const images = (d: Deployment | undefined): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {};
  for (const c of d?.spec.template?.spec.initContainers ?? []) out[`-${c.name}`] = c.image;
  for (const c of d?.spec.template?.spec.containers ?? []) out[c.name] = c.image;
  return out;
};

describe("parseImageTriggers", () => {
  test.each<[string, string | undefined, ObjectFieldTrigger[] | string]>([
    ["absent", undefined, []],
    ["null", "null", []],
    ["empty array", "[]", []],
    ["the fixtures' form (space after the colon)", `[{"from":{"kind":"ImageStreamTag","name":"mysql:8.4-el10","namespace":"openshift"},"fieldPath": "spec.template.spec.containers[0].image"}]`,
      [{ from: { kind: "ImageStreamTag", name: "mysql:8.4-el10", namespace: "openshift" }, fieldPath: "spec.template.spec.containers[0].image" }]],
    ["paused", `[{"from":{"kind":"ImageStreamTag","name":"a:b"},"fieldPath":"x","paused":true}]`, [{ from: { kind: "ImageStreamTag", name: "a:b" }, fieldPath: "x", paused: true }]],
    ["missing fields read as empty", `[{}]`, [{ from: { kind: "", name: "" }, fieldPath: "" }]],
    ["not JSON", "[{", "invalid image.openshift.io/triggers annotation: "],
    ["not an array", `{"from":{}}`, "invalid image.openshift.io/triggers annotation: expected a JSON array"],
    ["an entry not an object", `["x"]`, "invalid image.openshift.io/triggers annotation: entry 0 is not an object"],
    ["a number for a string", `[{"from":{"name":1},"fieldPath":"x"}]`, "invalid image.openshift.io/triggers annotation: from.name must be a string"],
    ["a string for paused", `[{"fieldPath":"x","paused":"true"}]`, "invalid image.openshift.io/triggers annotation: entry 0: paused must be a boolean"],
    ["two triggers on one fieldPath", `[{"fieldPath":"x","from":{"name":"a:1"}},{"fieldPath":"x","from":{"name":"b:1"}}]`, "duplicate triggers are not allowed"],
  ])("%s", (_what, value, want) => {
    if (typeof want === "string") {
      expect(() => parseImageTriggers(value)).toThrow(ImageTriggerError);
      expect(() => parseImageTriggers(value)).toThrow(want);
    } else {
      expect(parseImageTriggers(value)).toEqual(want);
    }
  });
});

describe("parseContainerPath and findContainer", () => {
  const spec: PodSpec = {
    initContainers: [{ name: "setup", image: "i0" }, { name: "shared", image: "i1" }],
    containers: [{ name: "web", image: "c0" }, { name: "shared", image: "c1" }],
  };
  test.each<[string, string | undefined]>([
    ["containers[0].image", "c0"],
    ["containers[1].image", "c1"],
    ["containers[2].image", undefined],
    ["containers[-1].image", undefined],
    ["initContainers[0].image", "i0"],
    [`containers[?(@.name=="web")].image`, "c0"],
    [`initContainers[?(@.name=="setup")].image`, "i0"],
    // a name is looked up among init containers first, whichever list the path names (OpenShift's lookup)
    [`containers[?(@.name=="setup")].image`, "i0"],
    [`containers[?(@.name=="shared")].image`, "i1"],
    [`containers[?(@.name=="nope")].image`, undefined],
  ])("%s → %s", (path, image) => {
    expect(findContainer(spec, parseContainerPath(path))?.image).toBe(image);
  });

  test.each<[string, string]>([
    ["containers[0]", "field path is not valid: containers[0]"],
    ["containers[0].name", "field path is not valid: containers[0].name"],
    [`containers[?(@.name=="web").image`, `field path is not valid: containers[?(@.name=="web").image`],
    ["volumes[0].image", "field path is not valid: volumes[0].image"],
    ["containers[@.name=web].image", "no such container: containers[@.name=web].image"],
    [`containers[?(@.name == "web")].image`, `no such container: containers[?(@.name == "web")].image`],
  ])("%s is refused", (path, message) => {
    expect(() => parseContainerPath(path)).toThrow(new ImageTriggerError(message));
  });
});

describe("applyImageTriggers", () => {
  const base = "spec.template.spec";
  test.each<[string, Deployment, Record<string, string> | undefined]>([
    ["by name, namespace defaulting to the object's", annotated([ist("stream-1:1", byName("web"))]), { web: tags["app/stream-1:1"]! }],
    ["by index (the templates' form)", annotated([ist("stream-1:1", "spec.template.spec.containers[0].image")]), { web: tags["app/stream-1:1"]! }],
    ["an init container", annotated([ist("stream-1:1", byName("setup", true))], [{ name: "web", image: "x" }], [{ name: "setup", image: "" }]), { "-setup": tags["app/stream-1:1"]!, web: "x" }],
    ["from another namespace", annotated([ist("stream-2:1", byName("web"), { namespace: "other" })]), { web: tags["other/stream-2:1"]! }],
    ["already at the image: no change", annotated([ist("stream-1:1", byName("web"))], [{ name: "web", image: tags["app/stream-1:1"]! }]), undefined],
    ["unresolved tag: no change", annotated([ist("stream-9:1", byName("web"))]), undefined],
    ["paused: no change", annotated([ist("stream-1:1", byName("web"), { paused: true })]), undefined],
    ["a name without a tag never resolves", annotated([ist("stream-1", byName("web"))]), undefined],
    ["not an ImageStreamTag", annotated([{ from: { kind: "DockerImage", name: "stream-1:1" }, fieldPath: byName("web") }]), undefined],
    ["outside the pod spec: skipped", annotated([ist("stream-1:1", "spec.template.metadata.annotations.x")]), undefined],
    ["one of two resolves: that one fires", annotated([ist("stream-1:1", byName("web")), ist("stream-9:1", byName("side"))], [{ name: "web", image: " " }, { name: "side", image: "old" }]),
      { web: tags["app/stream-1:1"]!, side: "old" }],
    ["two containers from one tag", annotated([ist("stream-1:1", byName("a")), ist("stream-1:1", byName("b"))], [{ name: "a", image: "" }, { name: "b", image: "" }]),
      { a: tags["app/stream-1:1"]!, b: tags["app/stream-1:1"]! }],
    // an unresolved trigger is skipped before its path is looked at, as OpenShift does
    ["unresolved with a bad path: no error", annotated([ist("stream-9:1", "spec.template.spec.containers[0]")]), undefined],
  ])("%s", (_what, d, want) => {
    const before = structuredClone(d);
    const out = applyImageTriggers(d, base, resolve);
    expect(d).toEqual(before);
    if (want === undefined) expect(out).toBeUndefined();
    else expect(images(out)).toEqual(want);
  });

  test.each<[string, Deployment, string]>([
    ["no such container", annotated([ist("stream-1:1", byName("nope"))]), `no such container: ${byName("nope")}`],
    ["no container at the index", annotated([ist("stream-1:1", "spec.template.spec.containers[3].image")]), "no such container: spec.template.spec.containers[3].image"],
    ["a path to the container, not its image", annotated([ist("stream-1:1", "spec.template.spec.containers[0]")]), "field path is not valid: spec.template.spec.containers[0]"],
    ["bad JSON", annotated("[{"), "invalid image.openshift.io/triggers annotation"],
  ])("%s: throws and changes nothing", (_what, d, message) => {
    expect(() => applyImageTriggers(d, base, resolve)).toThrow(ImageTriggerError);
    expect(() => applyImageTriggers(d, base, resolve)).toThrow(message);
  });

  test("a failing trigger stops earlier ones from applying too", () => {
    const d = annotated([ist("stream-1:1", byName("web")), ist("stream-1:1", byName("nope"))]);
    expect(() => applyImageTriggers(d, base, resolve)).toThrow("no such container");
  });

  test("triggeredStreams lists followed streams once, skipping paused and bad annotations", () => {
    expect(triggeredStreams(annotated([ist("s:1", byName("a")), ist("s:2", byName("b")), ist("t:1", byName("c"), { namespace: "o" }), ist("p:1", byName("d"), { paused: true })])))
      .toEqual(["app/s", "o/t"]);
    expect(triggeredStreams(annotated("not json"))).toEqual([]);
  });

  test("resolveStreamTag takes the newest item, through the registry for Local", () => {
    const is: ImageStream = {
      apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name: "s", namespace: "n" },
      spec: { tags: [{ name: "local", referencePolicy: { type: "Local" } }] },
      status: {
        dockerImageRepository: "reg:5000/n/s",
        tags: [
          { tag: "1", items: [{ created: "", dockerImageReference: "up/s@sha256:new", image: "sha256:new", generation: 1 }, { created: "", dockerImageReference: "up/s@sha256:old", image: "sha256:old", generation: 1 }] },
          { tag: "local", items: [{ created: "", dockerImageReference: "up/s@sha256:loc", image: "sha256:loc", generation: 1 }] },
        ],
      },
    };
    const lookup = (ns: string, name: string): ImageStream | undefined => (ns === "n" && name === "s" ? is : undefined);
    expect(resolveStreamTag("n", "s:1", lookup)).toBe("up/s@sha256:new");
    expect(resolveStreamTag("n", "s:local", lookup)).toBe("reg:5000/n/s@sha256:loc");
    expect(resolveStreamTag("n", "s:2", lookup)).toBeUndefined();
    expect(resolveStreamTag("n", "s", lookup)).toBeUndefined();
    expect(resolveStreamTag("x", "s:1", lookup)).toBeUndefined();
  });
});

function stream(name: string, ns: string, ref?: string): ImageStream {
  const is: ImageStream = { apiVersion: "image.openshift.io/v1", kind: "ImageStream", metadata: { name, namespace: ns }, spec: {} };
  if (ref) is.status = { tags: [{ tag: "latest", items: [{ created: "2024-05-01T12:00:00Z", dockerImageReference: ref, image: ref.slice(ref.indexOf("@") + 1), generation: 1 }] }] };
  return is;
}

describe("ImageTriggerController.sync", () => {
  let h: ReconcilerHarness | undefined;
  afterEach(async () => { await h?.close(); h = undefined; });

  test("writes the resolved image into a Deployment and a StatefulSet, then nothing on a second sync", async () => {
    h = await reconcilerHarness();
    await h.seed(stream("app", "default", "reg/default/app@sha256:111"));
    const d = annotated([ist("app:latest", byName("web"))]);
    d.metadata.namespace = "default";
    const sts: StatefulSet = {
      apiVersion: "apps/v1", kind: "StatefulSet",
      metadata: { name: "db", annotations: { [TRIGGER_ANNOTATION]: JSON.stringify([ist("app:latest", "spec.template.spec.containers[0].image")]) } },
      spec: { serviceName: "db", selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: " " }] } } },
    };
    await h.seed(d, sts, { ...annotated([]), metadata: { name: "plain", namespace: "default" } });
    const c = new ImageTriggerController(h.ctx);
    c.register();
    await h.syncInformers();
    await c.sync("deployments/default/web");
    await c.sync("statefulsets/default/db");
    await c.sync("deployments/default/plain");
    await c.sync("deployments/default/missing");
    expect(h.writes.map((w) => `${w.verb} ${w.resource}/${w.name}`)).toEqual(["update deployments/web", "update statefulsets/db"]);
    expect((await h.client.get("deployments", "default", "web")).spec.template?.spec.containers[0]?.image).toBe("reg/default/app@sha256:111");
    expect((await h.client.get("statefulsets", "default", "db")).spec.template?.spec.containers[0]?.image).toBe("reg/default/app@sha256:111");
    await eventually(() => h!.ctx.informers.get("deployments").get("default/web")?.spec.template?.spec.containers[0]?.image === "reg/default/app@sha256:111");
    await eventually(() => h!.ctx.informers.get("statefulsets").get("default/db")?.spec.template?.spec.containers[0]?.image === "reg/default/app@sha256:111");
    h.writes.length = 0;
    await c.sync("deployments/default/web");
    await c.sync("statefulsets/default/db");
    expect(h.writes).toEqual([]);
  });

  test("a bad fieldPath leaves the object alone and is reported once, without a stack", async () => {
    h = await reconcilerHarness();
    const errors: string[] = [];
    h.ctx.onError = (where, err) => { errors.push(`${where}: ${err instanceof Error ? err.message : String(err)}`); };
    await h.seed(stream("app", "default", "reg/default/app@sha256:111"));
    const d = annotated([ist("app:latest", byName("nope"))]);
    d.metadata.namespace = "default";
    await h.seed(d);
    const c = new ImageTriggerController(h.ctx);
    c.register();
    await h.syncInformers();
    await c.sync("deployments/default/web");
    await c.sync("deployments/default/web");
    expect(h.writes).toEqual([]);
    expect(errors).toEqual([`image-trigger: deployments/default/web: no such container: ${byName("nope")}`]);
  });
});

describe("the image trigger loop", () => {
  let c: LiveCluster | undefined;
  afterEach(async () => { await c?.close(); c = undefined; });

  const running = (p: Pod): boolean => p.status?.phase === "Running" && !p.metadata.deletionTimestamp;

  async function runningImages(cl: LiveCluster, label: string): Promise<string[]> {
    const pods = (await cl.client.list("pods", "default", { labelSelector: label })).items;
    return pods.filter(running).map((p) => p.spec.containers[0]!.image ?? "");
  }

  test("a Deployment gets the stream's image, its pods run, and a push rolls it to the new image", async () => {
    c = await liveCluster({ minions: 2 });
    await c.seed(stream("app", "default", "reg/default/app@sha256:111"));
    const d = annotated([ist("app:latest", byName("web"))]);
    d.metadata.namespace = "default";
    d.spec.replicas = 2;
    await c.seed(d);
    await eventually(async () => {
      const imgs = await runningImages(c!, "app=web");
      return imgs.length === 2 && imgs.every((i) => i === "reg/default/app@sha256:111");
    }, 20_000, "2 pods running the first image");
    const is = await c.client.get("imagestreams", "default", "app");
    const ref = "reg/default/app@sha256:222";
    await c.client.updateStatus("imagestreams", "default", { ...is, status: withPushedEvent(is, "latest", { created: "2024-05-01T12:05:00Z", dockerImageReference: ref, image: "sha256:222", generation: 1 }) });
    await eventually(async () => {
      const imgs = await runningImages(c!, "app=web");
      const dep = await c!.client.get("deployments", "default", "web");
      return imgs.length === 2 && imgs.every((i) => i === ref) && dep.spec.template?.spec.containers[0]?.image === ref;
    }, 30_000, "2 pods running the pushed image");
    const rss = (await c.client.list("replicasets", "default")).items;
    const images = rss.map((r) => [r.spec.template?.spec.containers[0]?.image, r.spec.replicas]);
    expect(images).toContainEqual([ref, 2]);
    expect(images).toContainEqual(["reg/default/app@sha256:111", 0]);
  }, 60_000);
});
