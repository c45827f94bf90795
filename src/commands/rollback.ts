// `skiff rollback`: oc's older rollback verb for DeploymentConfigs — the rollback subresource,
// then the update, with the warning about the image triggers it turned off.
import type { Command } from "commander";
import type { DeploymentConfig } from "../api/openshift-types.ts";
import type { ApiObject } from "../api/types.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface RollbackFlags {
  toVersion?: string;
  dryRun?: boolean;
  changeTriggers?: boolean;
  changeStrategy?: boolean;
  changeScalingSettings?: boolean;
}

export interface RollbackOptions {
  name: string;
  toVersion: number;
  dryRun: boolean;
  changeTriggers: boolean;
  changeStrategy: boolean;
  changeScalingSettings: boolean;
}

export default defineCommand<RollbackFlags, RollbackOptions>({
  name: "rollback",
  summary: "Revert part of an application back to a previous deployment",
  group: "Build and Deploy Commands",
  args: "[args...]",
  examples: ["# Roll back to the previous deployment\nskiff rollback frontend", "# Roll back to deployment 3\nskiff rollback frontend --to-version=3"],
  completeArgs: { resources: ["deploymentconfigs"] },
  flags: (c: Command) => c
    .option("--to-version <n>", "A config version to rollback to. Specifying version 0 is the same as omitting a version (use the previous deployment).", "0")
    .option("--dry-run", "Instead of performing the rollback, describe what the rollback will look like in human-readable form.")
    .option("--change-triggers", "If true, include the previous deployment's triggers in the rollback.")
    .option("--change-strategy", "If true, include the previous deployment's strategy in the rollback.")
    .option("--change-scaling-settings", "If true, include the previous deployment's replicationController replica count and selector in the rollback."),
  complete(args, flags) {
    if (args.length !== 1) throw new UsageError("a deployment or deployment config name is required");
    const word = args[0]!;
    const slash = word.indexOf("/");
    if (slash >= 0 && !["dc", "deploymentconfig", "deploymentconfigs"].includes(word.slice(0, slash).toLowerCase())) {
      throw new UsageError(`a deployment config name is required, not ${word.slice(0, slash)}`);
    }
    const v = flags.toVersion ?? "0";
    if (!/^\d+$/.test(v)) throw new UsageError(`invalid argument "${v}" for "--to-version" flag: strconv.ParseInt: parsing "${v}": invalid syntax`);
    return {
      name: slash >= 0 ? word.slice(slash + 1) : word, toVersion: Number(v), dryRun: flags.dryRun ?? false,
      changeTriggers: flags.changeTriggers ?? false, changeStrategy: flags.changeStrategy ?? false, changeScalingSettings: flags.changeScalingSettings ?? false,
    };
  },
  async run(o, deps: Deps) {
    const client = await deps.client();
    const ns = (await deps.config()).namespace;
    const dc = await client.get("deploymentconfigs", ns, o.name);
    const target = o.toVersion > 0 ? o.toVersion : (dc.status?.latestVersion ?? 0) - 1;
    const rb = await client.postSubresource("deploymentconfigs", ns, o.name, "rollback", {
      kind: "DeploymentConfigRollback", apiVersion: "apps.openshift.io/v1", name: o.name,
      spec: { from: { name: "" }, revision: o.toVersion, includeTemplate: true, includeTriggers: o.changeTriggers,
        includeReplicationMeta: o.changeScalingSettings, includeStrategy: o.changeStrategy },
    } as unknown as ApiObject) as DeploymentConfig;
    // The generator turns automatic image triggers off; name the ones that were on.
    const disabled = (dc.spec.triggers ?? []).filter((t, i) => t?.type === "ImageChange" && t.imageChangeParams?.automatic
      && rb.spec.triggers?.[i]?.imageChangeParams?.automatic === false).map((t) => t.imageChangeParams?.from?.name ?? "");
    if (o.dryRun) {
      const { dump } = await import("js-yaml");
      deps.io.out.write(dump(rb.spec.template, { noRefs: true }));
      return;
    }
    if (!rb.status?.latestVersion) throw new CliError("the rollback returned no new version");
    await client.update("deploymentconfigs", ns, { ...rb, metadata: { ...rb.metadata, resourceVersion: dc.metadata.resourceVersion } });
    deps.io.out.write(`#${rb.status.latestVersion} rolled back to ${o.name}-${target}\n`);
    if (disabled.length > 0) {
      deps.io.err.write(`Warning: the following images triggers were disabled: ${disabled.join(", ")}\n  You can re-enable them with: oc set triggers dc/${o.name} --auto\n`);
    }
  },
});
