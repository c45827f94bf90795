// `skiff cordon` (and, through cordonCommand, `skiff uncordon`): mark nodes (un)schedulable via spec.unschedulable.
import type { Command } from "commander";
import type { Node } from "../api/types.ts";
import type { ApiClient } from "../client/api-client.ts";
import { addDryRunFlag, dryRunSuffix, parseDryRun, type DryRun } from "../cli/flags.ts";
import type { Deps } from "../deps.ts";
import { UsageError } from "../errors.ts";
import { defineCommand, type CommandSpec } from "./command.ts";

interface CordonFlags {
  selector?: string;
  dryRun?: string;
}

export interface CordonOptions {
  nodes: string[];
  selector?: string;
  dryRun: DryRun;
}

/** The nodes named, or those matching the selector (kubectl's drain/cordon node lookup). */
export async function nodesFor(client: ApiClient, names: readonly string[], selector: string | undefined): Promise<Node[]> {
  if (names.length > 0) {
    const out: Node[] = [];
    for (const n of names) out.push(await client.get("nodes", undefined, n));
    return out;
  }
  return (await client.list("nodes", undefined, { labelSelector: selector })).items;
}

/**
 * Sets spec.unschedulable on each node as kubectl's CordonHelper does (a strategic merge patch,
 * `null` to uncordon), printing `node/NAME cordoned` / `already cordoned` / `uncordoned` /
 * `already uncordoned`. Idempotent.
 */
export async function setUnschedulable(client: ApiClient, nodes: readonly Node[], desired: boolean, dryRun: DryRun, deps: Deps): Promise<void> {
  const verb = desired ? "cordoned" : "uncordoned";
  for (const node of nodes) {
    const name = node.metadata.name ?? "";
    if ((node.spec?.unschedulable ?? false) === desired) {
      deps.io.out.write(`node/${name} already ${verb}${dryRunSuffix(dryRun)}\n`);
      continue;
    }
    if (dryRun !== "client") {
      await client.patch("nodes", undefined, name, "strategic", { spec: { unschedulable: desired ? true : null } },
        { dryRun: dryRun === "server" });
    }
    deps.io.out.write(`node/${name} ${verb}${dryRunSuffix(dryRun)}\n`);
  }
}

/** `cordon` or `uncordon`. */
export function cordonCommand(desired: boolean): CommandSpec<CordonFlags, CordonOptions> {
  const name = desired ? "cordon" : "uncordon";
  return defineCommand<CordonFlags, CordonOptions>({
    name,
    summary: desired ? "Mark node as unschedulable" : "Mark node as schedulable",
    group: "Advanced Commands",
    args: "[args...]",
    completeArgs: { resource: "nodes" },
    examples: desired
      ? ["# Mark node \"minion-1\" as unschedulable\nskiff cordon minion-1"]
      : ["# Mark node \"minion-1\" as schedulable\nskiff uncordon minion-1"],
    flags: (c: Command) => addDryRunFlag(c)
      .option("-l, --selector <selector>", "Selector (label query) to filter on"),
    complete(args, flags, deps) {
      if (args.length === 0 && flags.selector === undefined) throw new UsageError(`USAGE: ${name} NODE [flags]`);
      return { nodes: args, selector: flags.selector, dryRun: parseDryRun(flags.dryRun, deps) };
    },
    async run(o, deps) {
      const client = await deps.client();
      await setUnschedulable(client, await nodesFor(client, o.nodes, o.selector), desired, o.dryRun, deps);
    },
  });
}

export default cordonCommand(true);
