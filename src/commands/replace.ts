// `skiff replace -f`: PUT every object in the manifests (or, with --force, delete and re-create it).
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, parseDryRun, printWritten, writeEachObject, type DryRun,
} from "../cli/flags.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

interface ReplaceFlags {
  filename: string[];
  recursive?: boolean;
  dryRun?: string;
  output?: string;
  force?: boolean;
}

export interface ReplaceOptions {
  filenames: string[];
  recursive: boolean;
  dryRun: DryRun;
  output?: string;
  force: boolean;
}

export default defineCommand<ReplaceFlags, ReplaceOptions>({
  name: "replace",
  summary: "Replace a resource by filename or stdin",
  group: "Advanced Commands",
  examples: [
    "# Replace a pod using the data in pod.json\nskiff replace -f ./pod.json",
    "# Force replace: delete and then re-create the resource\nskiff replace --force -f ./pod.json",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, "to use to replace the resource")))
    .option("--force", "If true, immediately remove resources from API and bypass graceful deletion, then re-create them."),
  complete(_args, flags, deps) {
    if (flags.filename.length === 0) throw new UsageError("must specify --filename to replace");
    const o: ReplaceOptions = {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
      force: flags.force ?? false,
    };
    return o;
  },
  validate(o) {
    if (o.force && o.dryRun !== "none") throw new UsageError("--dry-run can not be used when --force is set");
  },
  async run(o, deps) {
    await writeEachObject(o, deps, "replace", "replacing", async ({ obj, body, ref, ns }, client, step) => {
      const name = obj.metadata.name ?? "";
      if (o.force) {
        step.verbing = "deleting";
        try {
          await client.delete(ref, ns, name, { gracePeriodSeconds: 0, propagationPolicy: "Background" });
          deps.io.out.write(`${ref.kind.toLowerCase()}${ref.group ? `.${ref.group}` : ""} "${name}" deleted\n`);
          await waitGone(() => client.get(ref, ns, name), deps.clock.sleep);
        } catch (e) {
          if (!isApiError(e, "NotFound")) throw e;
        }
        step.verbing = "replacing";
        const { resourceVersion: _rv, uid: _uid, ...meta } = body.metadata;
        const created = await client.create(ref, ns, { ...body, metadata: meta }, { fieldManager: "kubectl-replace", fieldValidation: "Strict" });
        await printWritten(created, ref, "replaced", o, deps);
        return;
      }
      const replaced = o.dryRun === "client" ? body
        : await client.update(ref, ns, body, { dryRun: o.dryRun === "server", fieldManager: "kubectl-replace", fieldValidation: "Strict" });
      await printWritten(replaced, ref, "replaced", o, deps);
    });
  },
});

/** Polls until get() answers NotFound (at most a minute). */
async function waitGone(get: () => Promise<unknown>, sleep: (ms: number) => Promise<void>): Promise<void> {
  for (let delay = 50, waited = 0; waited < 60_000; waited += delay, delay = Math.min(delay * 2, 1000)) {
    try {
      await get();
    } catch (e) {
      if (isApiError(e, "NotFound")) return;
      throw e;
    }
    await sleep(delay);
  }
  throw new CliError("timed out waiting for the condition");
}
