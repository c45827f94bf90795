// `skiff edit`: GET, open the object as YAML in $KUBE_EDITOR/$EDITOR, PATCH what changed.
import { spawn } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { createTwoWayMergePatch } from "../api/patch.ts";
import { resolveResource } from "../api/resources.ts";
import type { ApiObject } from "../api/types.ts";
import type { ResourceRef } from "../client/api-client.ts";
import { addOutputFlag, objectName, printWritten } from "../cli/flags.ts";
import { parseManifest } from "../cli/manifests.ts";
import { parseTargets, resolveTargets, type TargetArgs } from "../cli/targets.ts";
import type { Deps } from "../deps.ts";
import { CliError } from "../errors.ts";
import { defineCommand } from "./command.ts";
import { deepCopy } from "../api/copy.ts";

interface EditFlags {
  output?: string;
  showManagedFields?: boolean;
}

export interface EditOptions {
  targets: TargetArgs;
  output?: string;
  showManagedFields: boolean;
}

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** The text without `#` comment lines, as kubectl compares edits. */
export function stripComments(text: string): string {
  return text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
}

/** Runs `editor file` through sh, as kubectl does, with the terminal attached. */
function runEditor(editor: string, file: string, env: Deps["env"]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", `${editor} "$1"`, "sh", file], { stdio: "inherit", env: { ...env } });
    child.on("error", (e) => reject(new CliError(`there was a problem with the editor "${editor}": ${e.message}`)));
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new CliError(`there was a problem with the editor "${editor}"`))));
  });
}

export default defineCommand<EditFlags, EditOptions>({
  name: "edit",
  summary: "Edit a resource on the server",
  group: "Application Management Commands",
  args: "[args...]",
  examples: [
    "# Edit the service named 'registry'\nskiff edit svc/registry",
    "# Use an alternative editor\nKUBE_EDITOR=\"nano\" skiff edit svc/registry",
  ],
  flags: (c: Command) => addOutputFlag(c)
    .option("--show-managed-fields", "If true, keep the managedFields when printing objects in JSON or YAML format."),
  complete(args, flags) {
    const targets = parseTargets(args, "edit");
    if (targets.form === "types" && targets.names.length === 0) throw new CliError("resource(s) were provided, but no name was specified");
    return { targets, output: flags.output, showManagedFields: flags.showManagedFields ?? false };
  },
  async run(o, deps) {
    if (o.output) await (await import("../cli/print.ts")).checkOutputFormat(o.output);
    const client = await deps.client();
    for (const t of await resolveTargets(o.targets, client)) {
      const ns = t.ref.namespaced ? client.namespace : undefined;
      for (const name of t.names) await editOne(t.ref, ns, name, o, deps);
    }
  },
});

async function editOne(ref: ResourceRef, ns: string | undefined, name: string, o: EditOptions, deps: Deps): Promise<void> {
  const client = await deps.client();
  const live = await client.get(ref, ns, name);
  const original: ApiObject = deepCopy(live);
  if (!o.showManagedFields) delete original.metadata.managedFields;
  const { toYaml } = await import("../formatters/json-yaml.ts");
  const text = HEADER + toYaml(original);
  const suffix = Math.floor(deps.random() * 1e10).toString().padStart(10, "0");
  const file = join(tmpdir(), `skiff-edit-${suffix}.yaml`);
  await writeFile(file, text, { mode: 0o600 });
  const editor = deps.env.KUBE_EDITOR || deps.env.EDITOR || "vi";
  try {
    await runEditor(editor, file, deps.env);
  } catch (e) {
    await rm(file, { force: true });
    throw e;
  }
  const edited = await readFile(file, "utf8");
  const keep = (why: string): never => {
    deps.io.err.write(`error: ${why}\nA copy of your changes has been stored to "${file}"\n`);
    throw new CliError("Edit cancelled, no valid changes were saved.");
  };
  if (stripComments(edited).trim() === "") {
    await rm(file, { force: true });
    deps.io.err.write("Edit cancelled, saved file was empty.\n");
    return;
  }
  if (stripComments(edited) === stripComments(text)) {
    await rm(file, { force: true });
    deps.io.err.write("Edit cancelled, no changes made.\n");
    return;
  }
  let objects: ApiObject[] = [];
  try {
    objects = await parseManifest(edited, file);
  } catch (e) {
    keep(e instanceof Error ? e.message : String(e));
  }
  if (objects.length !== 1) keep(`the edited file must hold exactly one object, found ${objects.length}`);
  const changed = objects[0];
  if (changed.apiVersion !== original.apiVersion || changed.kind !== original.kind || changed.metadata.name !== original.metadata.name) {
    keep("At least one of apiVersion, kind and name was changed");
  }
  // Built-in kinds take a strategic merge patch; kinds only the server knows, a merge patch.
  const strategic = resolveResource(ref.resource) !== undefined;
  const patch = createTwoWayMergePatch(original, changed, strategic);
  if (Object.keys(patch).length === 0) {
    await rm(file, { force: true });
    deps.io.out.write(`${objectName(ref, name)} skipped\n`);
    return;
  }
  let result: ApiObject;
  try {
    result = await client.patch(ref, ns, name, strategic ? "strategic" : "merge", patch, { fieldManager: "kubectl-edit" });
  } catch (e) {
    deps.io.err.write(`A copy of your changes has been stored to "${file}"\n`);
    throw e;
  }
  await rm(file, { force: true });
  await printWritten(result, ref, "edited", { output: o.output, dryRun: "none" }, deps);
}
