// The real templates whose apps/v1 Deployments take their image from an image stream through
// the image.openshift.io/triggers annotation (mysql-persistent, nginx-example): every processed
// object is created against the live control plane, and the Deployment ends up running pods of
// the resolved image (nginx-example's only after its build has pushed to the stream).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";
import { infoForKind } from "../../src/api/resources.ts";
import type { ApiObject, Pod } from "../../src/api/types.ts";
import { OPENSHIFT_IMAGE_STREAMS, OPENSHIFT_NAMESPACE, openShiftImageStream } from "../../src/controlplane/apiserver/bootstrap-openshift.ts";
import { TRIGGER_ANNOTATION } from "../../src/controlplane/controllers/image-trigger.ts";
import { groupifyObject } from "../../src/template/legacy.ts";
import { processTemplate } from "../../src/template/process.ts";
import type { Template } from "../../src/template/types.ts";
import { eventually, liveCluster, type LiveCluster } from "./controllers/harness.ts";

const DIR = join(import.meta.dirname, "..", "..", "..", "shared", "fixtures", "real");

let c: LiveCluster | undefined;
afterEach(async () => { await c?.close(); c = undefined; });

let n = 0;
const random = (): number => { n = (n * 7919 + 104729) % 1000003; return n / 1000003; };

/** What an OpenShift cluster starts with: the `openshift` namespace and its image streams. */
async function seedOpenShift(cl: LiveCluster): Promise<void> {
  await cl.client.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: OPENSHIFT_NAMESPACE } });
  for (const [name, tags] of Object.entries(OPENSHIFT_IMAGE_STREAMS)) {
    await cl.client.create("imagestreams", OPENSHIFT_NAMESPACE, openShiftImageStream(name, tags));
  }
}

const ready = (p: Pod): boolean => p.status?.phase === "Running" && !p.metadata.deletionTimestamp
  && p.status.conditions?.find((x) => x.type === "Ready")?.status === "True";

test.each([
  ["openshift-library__mysql-persistent.json", "mysql", "openshift", "mysql:8.4-el10"],
  ["openshift-library__nginx-example.json", "nginx-example", "tpl", "nginx-example:latest"],
])("%s: every object is created and the triggered Deployment runs the stream's image", async (file, deployment, streamNs, streamTag) => {
  c = await liveCluster({ minions: 2, manager: { builds: { stepMs: 5 } } });
  await seedOpenShift(c);
  const ns = "tpl";
  await c.client.create("namespaces", undefined, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  const template = JSON.parse(readFileSync(join(DIR, file), "utf8")) as Template;
  const processed = processTemplate(template, {}, { random, namespace: ns });
  for (const raw of processed.objects) {
    const obj = groupifyObject(structuredClone(raw)) as ApiObject;
    const info = infoForKind(obj.apiVersion, obj.kind)!;
    await c.client.create(info, info.namespaced ? ns : undefined, obj);
  }
  const created = await c.client.get("deployments", ns, deployment);
  expect(created.metadata.annotations?.[TRIGGER_ANNOTATION]).toContain(streamTag);
  const [streamName, tag] = streamTag.split(":") as [string, string];
  const is = await eventually(async () => {
    const s = await c!.client.get("imagestreams", streamNs, streamName);
    return s.status?.tags?.find((t) => t.tag === tag)?.items?.[0] ? s : undefined;
  }, 30_000, `${streamNs}/${streamTag} resolved`);
  const item = is.status!.tags!.find((t) => t.tag === tag)!.items![0]!;
  // the openshift streams use referencePolicy Local: the pull spec goes through the integrated registry
  const local = is.spec?.tags?.find((t) => t.name === tag)?.referencePolicy?.type === "Local";
  const want = local ? `${is.status!.dockerImageRepository}@${item.image}` : item.dockerImageReference;
  const pods = await eventually(async () => {
    const d = await c!.client.get("deployments", ns, deployment);
    const selector = Object.entries(d.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
    const ps = (await c!.client.list("pods", ns, { labelSelector: selector })).items.filter(ready);
    return d.spec.template?.spec.containers[0]?.image === want && d.status?.availableReplicas === 1 && ps.length === 1 ? ps : undefined;
  }, 45_000, `deployment ${deployment} available with ${want}`);
  expect(pods[0]!.spec.containers[0]!.image).toBe(want);
}, 90_000);
