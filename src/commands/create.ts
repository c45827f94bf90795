// `skiff create -f`: POST every object in the manifests, reporting each failure and carrying on.
import type { Command } from "commander";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, parseDryRun, printWritten, writeEachObject, type DryRun,
} from "../cli/flags.ts";
import { UsageError } from "../errors.ts";
import { withLastApplied } from "./apply.ts";
import { defineCommand } from "./command.ts";

interface CreateFlags {
  filename: string[];
  recursive?: boolean;
  dryRun?: string;
  output?: string;
  saveConfig?: boolean;
}

export interface CreateOptions {
  filenames: string[];
  recursive: boolean;
  dryRun: DryRun;
  output?: string;
  saveConfig: boolean;
}

export default defineCommand<CreateFlags, CreateOptions>({
  name: "create",
  summary: "Create a resource from a file or from stdin",
  group: "Application Management Commands",
  examples: [
    "# Create a pod using the data in pod.json\nskiff create -f ./pod.json",
    "# Create a pod based on the JSON passed into stdin\ncat pod.json | skiff create -f -",
    "# Create every manifest in a directory tree\nskiff create -R -f ./manifests/",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, "to use to create the resource")))
    .option("--save-config", "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform skiff apply on this object in the future."),
  complete(_args, flags, deps) {
    if (flags.filename.length === 0) throw new UsageError("must specify one of -f and -k");
    return {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
      saveConfig: flags.saveConfig ?? false,
    };
  },
  async run(o, deps) {
    await writeEachObject(o, deps, "create", "creating", async ({ body, ref, ns }, client) => {
      const sent = o.saveConfig ? withLastApplied(body) : body;
      const created = o.dryRun === "client" ? sent
        : await client.create(ref, ns, sent, { dryRun: o.dryRun === "server", fieldManager: "kubectl-create", fieldValidation: "Strict" });
      await printWritten(created, ref, "created", o, deps);
    });
  },
});
