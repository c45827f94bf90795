// Defaulting and validation of the OpenShift kinds and the apps/v1 workloads, through their strategies.
import { describe, expect, test } from "vitest";
import type { ApiObject } from "../../../src/api/types.ts";
import type {
  Build, BuildConfig, Deployment, DeploymentConfig, ImageStream, RoleBinding, Route, StatefulSet,
} from "../../../src/api/openshift-types.ts";
import { deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from "../../../src/controlplane/apiserver/strategies/apps.ts";
import { buildConfigStrategy, buildStrategy } from "../../../src/controlplane/apiserver/strategies/build.ts";
import { deploymentConfigStrategy } from "../../../src/controlplane/apiserver/strategies/deployment-config.ts";
import { imageStreamStrategy, importedDigest } from "../../../src/controlplane/apiserver/strategies/image-stream.ts";
import { roleBindingStrategy } from "../../../src/controlplane/apiserver/strategies/role-binding.ts";
import { routeStrategy } from "../../../src/controlplane/apiserver/strategies/route.ts";
import { templateStrategy } from "../../../src/controlplane/apiserver/strategies/template.ts";
import type { Strategy } from "../../../src/controlplane/apiserver/strategy.ts";

const ctx = { now: new Date("2024-05-01T12:00:00Z"), random: () => 0.5 };
const meta = (name: string) => ({ name, namespace: "demo" });
const template = (labels: Record<string, string> = { app: "web" }) => ({ metadata: { labels }, spec: { containers: [{ name: "c", image: "nginx" }] } });

/** prepareForCreate then validate, as the registry runs them on a new object. */
function create<T extends ApiObject>(s: Strategy<T>, obj: T): { obj: T; errors: string[] } {
  s.prepareForCreate?.(obj, ctx);
  return { obj, errors: s.validate(obj).map((e) => `${e.field}: ${e.message}`) };
}

describe("DeploymentConfig", () => {
  test("defaults: ConfigChange trigger, Rolling 1/1/600 25%/25%, selector from labels, history 10, zero status", () => {
    const { obj, errors } = create(deploymentConfigStrategy, { metadata: meta("web"), spec: { template: template() } } as DeploymentConfig);
    expect(errors).toEqual([]);
    expect(obj.spec.triggers).toEqual([{ type: "ConfigChange" }]);
    expect(obj.spec.selector).toEqual({ app: "web" });
    expect(obj.spec.replicas).toBe(0);
    expect(obj.spec.revisionHistoryLimit).toBe(10);
    expect(obj.spec.strategy).toMatchObject({
      type: "Rolling", activeDeadlineSeconds: 21600,
      rollingParams: { updatePeriodSeconds: 1, intervalSeconds: 1, timeoutSeconds: 600, maxUnavailable: "25%", maxSurge: "25%" },
    });
    expect(obj.status).toMatchObject({ latestVersion: 0, updatedReplicas: 0 });
  });

  test.each([
    [{ maxSurge: 0 }, { maxSurge: 0, maxUnavailable: "25%" }],
    [{ maxUnavailable: "0%" }, { maxUnavailable: "0%", maxSurge: "25%" }],
    [{ maxSurge: "10%" }, { maxSurge: "10%" }],
  ])("rollingParams %j default to %j", (given, want) => {
    const { obj } = create(deploymentConfigStrategy, { metadata: meta("web"), spec: { template: template(), strategy: { type: "Rolling", rollingParams: given } } } as DeploymentConfig);
    const p = obj.spec.strategy!.rollingParams!;
    const unset = { maxSurge: undefined, maxUnavailable: undefined };
    expect({ maxSurge: p.maxSurge, maxUnavailable: p.maxUnavailable }).toEqual({ ...unset, ...want });
  });

  test("an explicit empty trigger list stays empty; image triggers get kind and namespace; their containers may have a blank image", () => {
    const none = create(deploymentConfigStrategy, { metadata: meta("a"), spec: { triggers: [], template: template() } } as DeploymentConfig);
    expect(none.obj.spec.triggers).toEqual([]);
    const dc = create(deploymentConfigStrategy, {
      metadata: meta("b"),
      spec: {
        triggers: [{ type: "ImageChange", imageChangeParams: { automatic: true, containerNames: ["c"], from: { name: "app:latest" } } }],
        template: { metadata: { labels: { app: "b" } }, spec: { containers: [{ name: "c", image: " " }] } },
      },
    } as DeploymentConfig);
    expect(dc.errors).toEqual([]);
    expect(dc.obj.spec.triggers?.[0]?.imageChangeParams?.from).toEqual({ kind: "ImageStreamTag", name: "app:latest", namespace: "demo" });
  });

  test("validation: template required, selector must match, trigger containers must exist", () => {
    expect(create(deploymentConfigStrategy, { metadata: meta("x"), spec: {} } as DeploymentConfig).errors)
      .toEqual(["spec.selector: Required value", "spec.template: Required value"]);
    expect(create(deploymentConfigStrategy, { metadata: meta("x"), spec: { selector: { app: "other" }, template: template() } } as DeploymentConfig).errors)
      .toEqual(['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']);
    expect(create(deploymentConfigStrategy, {
      metadata: meta("x"),
      spec: { template: template(), triggers: [{ type: "ImageChange", imageChangeParams: { containerNames: ["nope"], from: { name: "app:latest" } } }] },
    } as DeploymentConfig).errors).toEqual(['spec.triggers[0].imageChangeParams.containerNames[0]: Invalid value: "nope": must match a container name in the pod template']);
  });

  test("status is kept on update and written only through /status", () => {
    const prev = create(deploymentConfigStrategy, { metadata: meta("web"), spec: { template: template() } } as DeploymentConfig).obj;
    prev.status = { ...prev.status, latestVersion: 3 };
    const next = structuredClone(prev);
    next.status = { latestVersion: 0 };
    next.spec.replicas = 5;
    deploymentConfigStrategy.prepareForUpdate!(next, prev, ctx);
    expect(next.status?.latestVersion).toBe(3);
    expect(next.metadata.generation).toBe(2);
  });
});

describe("BuildConfig and Build", () => {
  const bc = (spec: Record<string, unknown>): BuildConfig => ({ metadata: meta("app"), spec } as BuildConfig);
  const source = { git: { uri: "https://example.com/app.git" } };

  test("defaults: Serial, 5/5 history, strategy and source types, legacy trigger spellings, lastVersion 0", () => {
    const { obj, errors } = create(buildConfigStrategy, bc({
      source, strategy: { sourceStrategy: { from: { name: "nodejs:20-ubi8", namespace: "openshift" } } },
      triggers: [{ type: "github", github: { secret: "s" } }, { type: "ImageChange" }, { type: "ConfigChange" }],
      output: { to: { kind: "ImageStreamTag", name: "app:latest" } },
    }));
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ runPolicy: "Serial", successfulBuildsHistoryLimit: 5, failedBuildsHistoryLimit: 5 });
    expect(obj.spec.strategy).toMatchObject({ type: "Source", sourceStrategy: { from: { kind: "ImageStreamTag" } } });
    expect(obj.spec.source?.type).toBe("Git");
    expect(obj.spec.triggers?.map((t) => t.type)).toEqual(["GitHub", "ImageChange", "ConfigChange"]);
    expect(obj.spec.triggers?.[1]?.imageChange).toEqual({});
    expect(obj.status).toEqual({ lastVersion: 0 });
  });

  test.each([
    [{ source }, ["spec.strategy: Invalid value: \"\": must provide a value for exactly one of sourceStrategy, customStrategy, dockerStrategy, or jenkinsPipelineStrategy"]],
    [{ strategy: { dockerStrategy: {} } }, ["spec.source: Invalid value: \"None\": must provide a value for at least one source input(git, binary, dockerfile, images)."]],
    [{ source, strategy: { sourceStrategy: {} } }, ["spec.strategy.sourceStrategy.from: Required value"]],
    [{ source, strategy: { dockerStrategy: {} }, output: { to: { kind: "ImageStreamTag", name: "app" } } },
      ["spec.output.to.name: Invalid value: \"app\": ImageStreamTag object references must be in the form <name>:<tag>"]],
    [{ source, strategy: { dockerStrategy: {} }, runPolicy: "Sometimes" },
      ["spec.runPolicy: Unsupported value: \"Sometimes\": supported values: \"Parallel\", \"Serial\", \"SerialLatestOnly\""]],
    [{ source, strategy: { dockerStrategy: {} }, triggers: [{ type: "Generic", generic: {} }] }, ["spec.triggers[0].generic.secret: Required value"]],
  ])("%j is refused", (spec, want) => {
    expect(create(buildConfigStrategy, bc(spec)).errors).toEqual(want);
  });

  test("lastVersion never goes back on update", () => {
    const prev = create(buildConfigStrategy, bc({ source, strategy: { dockerStrategy: {} } })).obj;
    prev.status = { lastVersion: 4 };
    const next = structuredClone(prev);
    next.status = { lastVersion: 1 };
    buildConfigStrategy.prepareForUpdate!(next, prev, ctx);
    expect(next.status.lastVersion).toBe(4);
  });

  test("a build starts New; spec is immutable and a terminal phase is final", () => {
    const { obj, errors } = create(buildStrategy, { metadata: meta("app-1"), spec: { source, strategy: { dockerStrategy: {} } } } as Build);
    expect(errors).toEqual([]);
    expect(obj.status?.phase).toBe("New");
    expect(obj.spec.serviceAccount).toBe("builder");
    const done = structuredClone(obj);
    done.status = { phase: "Complete" };
    const back = structuredClone(done);
    back.status = { phase: "Running" };
    back.spec.source = { git: { uri: "https://example.com/other.git" } };
    expect(buildStrategy.validateUpdate!(back, done).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'status.phase: Invalid value: "Running": phase cannot be updated from a terminal state',
      "spec: Forbidden: spec is immutable",
    ]);
  });
});

describe("ImageStream", () => {
  test("repository in status, lookupPolicy, and spec tags resolved by the emulated import", () => {
    const { obj, errors } = create(imageStreamStrategy, {
      metadata: meta("nodejs"),
      spec: { tags: [
        { name: "20", from: { kind: "DockerImage", name: "registry.redhat.io/ubi8/nodejs-20:latest" } },
        { name: "latest", from: { kind: "ImageStreamTag", name: "20" } },
      ] },
    } as ImageStream);
    expect(errors).toEqual([]);
    expect(obj.spec?.lookupPolicy).toEqual({ local: false });
    expect(obj.status?.dockerImageRepository).toBe("image-registry.openshift-image-registry.svc:5000/demo/nodejs");
    const digest = importedDigest("registry.redhat.io/ubi8/nodejs-20:latest");
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const event = { created: "2024-05-01T12:00:00Z", dockerImageReference: `registry.redhat.io/ubi8/nodejs-20@${digest}`, image: digest, generation: 1 };
    expect(obj.status?.tags).toEqual([{ tag: "20", items: [event] }, { tag: "latest", items: [event] }]);
    expect(obj.spec?.tags?.[0]).toMatchObject({ generation: 1, referencePolicy: { type: "Source" }, importPolicy: { importMode: "Legacy" } });
  });

  test("a resent unchanged spec does not bump the generation; a changed tag gets the new one", () => {
    const prev = create(imageStreamStrategy, { metadata: meta("s"), spec: { tags: [{ name: "a", from: { kind: "DockerImage", name: "x.io/a:1" } }] } } as ImageStream).obj;
    const same = { metadata: { ...prev.metadata }, spec: { tags: [{ name: "a", from: { kind: "DockerImage", name: "x.io/a:1" } }] } } as ImageStream;
    imageStreamStrategy.prepareForUpdate!(same, prev, ctx);
    expect(same.metadata.generation).toBe(1);
    const changed = { metadata: { ...prev.metadata }, spec: { tags: [{ name: "a", from: { kind: "DockerImage", name: "x.io/a:2" } }] } } as ImageStream;
    imageStreamStrategy.prepareForUpdate!(changed, prev, ctx);
    expect(changed.metadata.generation).toBe(2);
    expect(changed.spec?.tags?.[0]?.generation).toBe(2);
    expect(changed.status?.tags?.[0]?.items?.map((i) => i.dockerImageReference.split("@")[0])).toEqual(["x.io/a", "x.io/a"]);
  });

  test("bad tag sources are refused", () => {
    expect(create(imageStreamStrategy, { metadata: meta("s"), spec: { tags: [{ name: "a", from: { kind: "Git", name: "x" } }] } } as ImageStream).errors)
      .toEqual(["spec.tags[a].from.kind: Invalid value: \"Git\": valid values are 'DockerImage', 'ImageStreamImage', 'ImageStreamTag'"]);
  });
});

describe("Route", () => {
  test("a route without a host gets <name>-<namespace>.apps.skiff.local, weight 100, and is admitted", () => {
    const { obj, errors } = create(routeStrategy, { metadata: meta("web"), spec: { to: { name: "web" } } } as Route);
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ host: "web-demo.apps.skiff.local", to: { kind: "Service", name: "web", weight: 100 }, wildcardPolicy: "None" });
    expect(obj.metadata.annotations).toEqual({ "openshift.io/host.generated": "true" });
    expect(obj.status?.ingress?.[0]).toMatchObject({ host: "web-demo.apps.skiff.local", routerName: "default", conditions: [{ type: "Admitted", status: "True" }] });
  });

  test.each([
    [{}, ["spec.to.name: Required value"]],
    [{ to: { name: "s" }, path: "x" }, ['spec.path: Invalid value: "x": path must begin with /']],
    [{ to: { name: "s" }, tls: { termination: "tunnel" } },
      ['spec.tls.termination: Invalid value: "tunnel": invalid value for termination, acceptable values are edge, passthrough, reencrypt, or empty (no tls specified)']],
  ])("%j is refused", (spec, want) => {
    expect(create(routeStrategy, { metadata: meta("r"), spec } as Route).errors).toEqual(want);
  });
});

describe("apps/v1 workloads", () => {
  const selector = { matchLabels: { app: "web" } };

  test("Deployment defaults and selector rules", () => {
    const { obj, errors } = create(deploymentStrategy, { metadata: meta("web"), spec: { selector, template: template() } } as Deployment);
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
    });
    expect(create(deploymentStrategy, { metadata: meta("x"), spec: { template: template() } } as Deployment).errors).toEqual(["spec.selector: Required value"]);
    expect(create(deploymentStrategy, { metadata: meta("x"), spec: { selector: { matchLabels: { app: "db" } }, template: template() } } as Deployment).errors)
      .toEqual(['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']);
    const next = structuredClone(obj);
    next.spec.selector = { matchLabels: { app: "web", v: "2" } };
    next.spec.template!.metadata!.labels = { app: "web", v: "2" };
    expect(deploymentStrategy.validateUpdate!(next, obj).map((e) => e.field)).toEqual(["spec.selector"]);
  });

  test("ReplicaSet and StatefulSet defaults; StatefulSet updates are limited", () => {
    expect(create(replicaSetStrategy, { metadata: meta("rs"), spec: { selector, template: template() } } as never).obj).toMatchObject({ spec: { replicas: 1 }, status: { replicas: 0 } });
    const { obj, errors } = create(statefulSetStrategy, { metadata: meta("db"), spec: { selector, serviceName: "db", template: template() } } as StatefulSet);
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ replicas: 1, podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } });
    const next = structuredClone(obj);
    next.spec.serviceName = "other";
    expect(statefulSetStrategy.validateUpdate!(next, obj).map((e) => `${e.field}: ${e.message}`)).toEqual([
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });
});

describe("RoleBinding and Template", () => {
  test("RBAC subjects get their apiGroup; names may hold underscores; roleRef cannot change", () => {
    const { obj, errors } = create(roleBindingStrategy, {
      metadata: meta("jenkins_edit"),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [{ kind: "ServiceAccount", name: "jenkins", namespace: "demo" }, { kind: "User", name: "alice" }],
    } as RoleBinding);
    expect(errors).toEqual([]);
    expect(obj.subjects?.map((s) => s.apiGroup)).toEqual(["", "rbac.authorization.k8s.io"]);
    const next = structuredClone(obj);
    next.roleRef = { ...next.roleRef, name: "admin" };
    expect(roleBindingStrategy.validateUpdate!(next, obj).map((e) => `${e.field}: ${e.message}`))
      .toEqual(['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"admin"}: cannot change roleRef']);
  });

  test("template parameter names are checked", () => {
    expect(create(templateStrategy, { metadata: meta("t"), parameters: [{ name: "A-B" }, { name: "C" }, { name: "C" }] } as never).errors)
      .toEqual(['parameters[0].name: Invalid value: "A-B": does not match ^[a-zA-Z0-9_]+$', 'parameters[2].name: Duplicate value: "C"']);
  });
});
