// parseTargets: kubectl's resource-builder argument forms and errors.
import { expect, test } from "vitest";
import { parseTargets, tableCategory, type TargetArgs } from "../../src/cli/targets.ts";
import { UsageError } from "../../src/errors.ts";

test.each<[string[], TargetArgs | string]>([
  [["pods"], { form: "types", types: ["pods"], names: [] }],
  [["pods", "web", "db"], { form: "types", types: ["pods"], names: ["web", "db"] }],
  [["pods,rc"], { form: "types", types: ["pods", "rc"], names: [] }],
  [["po,svc", "web"], { form: "types", types: ["po", "svc"], names: ["web"] }],
  [["po/web"], { form: "pairs", pairs: [{ type: "po", name: "web" }] }],
  [["rc/web", "pod/x"], { form: "pairs", pairs: [{ type: "rc", name: "web" }, { type: "pod", name: "x" }] }],
  [["all"], { form: "types", types: ["all"], names: [] }],
  [[], 'you must specify the type of resource to get. Use "skiff api-resources" for a complete list of supported resources.'],
  [["pods", "pod/web"], "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'skiff get resource/<resource_name>' instead of 'skiff get resource resource/<resource_name>'"],
  [["pod/"], "arguments in resource/name form must have a single resource and name"],
  [["a/b/c"], "arguments in resource/name form may not have more than one slash"],
])("%j", (args, want) => {
  if (typeof want === "string") {
    expect(() => parseTargets(args)).toThrow(UsageError);
    expect(() => parseTargets(args)).toThrow(want);
  } else {
    expect(parseTargets(args)).toEqual(want);
  }
});

test("the all category comes from the resource table", () => {
  expect(tableCategory("all").map((r) => r.resource)).toEqual([
    "pods", "services", "replicationcontrollers", "deployments", "replicasets", "statefulsets",
    "buildconfigs", "builds", "imagestreams", "deploymentconfigs", "routes",
  ]);
});
