// `skiff apply -f`: client-side apply — create, or a three-way patch from the last-applied configuration.
import type { Command } from "commander";
import { isApiError } from "../api/errors.ts";
import { createThreeWayMergePatch } from "../api/patch.ts";
import { resolveResource } from "../api/resources.ts";
import type { ApiObject } from "../api/types.ts";
import {
  addDryRunFlag, addFilenameFlags, addOutputFlag, parseDryRun, printWritten, writeEachObject, type DryRun,
} from "../cli/flags.ts";
import { CliError, UsageError } from "../errors.ts";
import { defineCommand } from "./command.ts";

/** The annotation client-side apply keeps the applied object in. */
export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
const FIELD_MANAGER = "kubectl-client-side-apply";

interface ApplyFlags {
  filename: string[];
  recursive?: boolean;
  dryRun?: string;
  output?: string;
}

export interface ApplyOptions {
  filenames: string[];
  recursive: boolean;
  dryRun: DryRun;
  output?: string;
}

/** JSON with object keys sorted, as Go encodes maps (what kubectl stores in the annotation). */
export function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === "object" && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
}

/**
 * The object as apply sends it: the file's object with its namespace set and the
 * last-applied annotation holding that same object (annotations `{}` rather than absent,
 * trailing newline), byte-for-byte as kubectl's GetModifiedConfiguration builds it.
 */
export function withLastApplied(obj: ApiObject): ApiObject {
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const bare: ApiObject = { ...obj, metadata: { ...obj.metadata, annotations } };
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...annotations, [LAST_APPLIED]: `${sortedJson(bare)}\n` } } };
}

export default defineCommand<ApplyFlags, ApplyOptions>({
  name: "apply",
  summary: "Apply a configuration to a resource by filename or stdin",
  group: "Application Management Commands",
  examples: [
    "# Apply the configuration in pod.json to a pod\nskiff apply -f ./pod.json",
    "# Apply the JSON passed into stdin to a pod\ncat pod.json | skiff apply -f -",
    "# Apply every manifest in a directory tree\nskiff apply -R -f ./manifests/",
  ],
  flags: (c: Command) => addOutputFlag(addDryRunFlag(addFilenameFlags(c, "that contains the configuration to apply"))),
  complete(_args, flags, deps) {
    if (flags.filename.length === 0) throw new UsageError("must specify one of -f and -k");
    return {
      filenames: flags.filename,
      recursive: flags.recursive ?? false,
      dryRun: parseDryRun(flags.dryRun, deps),
      output: flags.output,
    };
  },
  async run(o, deps) {
    await writeEachObject(o, deps, "apply", "creating", async ({ obj, body, ref, ns, source }, client, step) => {
      const name = obj.metadata.name;
      if (!name) throw new CliError(`error when retrieving current configuration of:\nResource: "${ref.resource}", GroupVersionKind: "${ref.kind}"\nName: "", Namespace: "${ns ?? ""}"\nfrom server for: "${source}": resource name may not be empty`);
      const modified = withLastApplied(body);
      let current: ApiObject | undefined;
      try {
        current = await client.get(ref, ns, name);
      } catch (e) {
        if (!isApiError(e, "NotFound")) throw e;
      }
      if (!current) {
        const created = o.dryRun === "client" ? modified
          : await client.create(ref, ns, modified, { dryRun: o.dryRun === "server", fieldManager: FIELD_MANAGER, fieldValidation: "Strict" });
        await printWritten(created, ref, "created", o, deps);
        return;
      }
      step.verbing = "patching";
      const lastText = current.metadata.annotations?.[LAST_APPLIED];
      if (lastText === undefined) {
        deps.io.err.write(`Warning: resource ${ref.group ? `${ref.resource}.${ref.group}` : ref.resource}/${name} is missing the ${LAST_APPLIED} annotation which is required by skiff apply. skiff apply should only be used on resources created declaratively by either skiff create --save-config or skiff apply. The missing annotation will be patched automatically.\n`);
      }
      let original: unknown;
      try {
        original = lastText ? JSON.parse(lastText) : undefined;
      } catch {
        original = undefined;
      }
      // Built-in kinds take a strategic merge patch; kinds only the server knows, a merge patch.
      const strategic = resolveResource(ref.resource) !== undefined;
      const patch = createThreeWayMergePatch(original, modified, current, strategic);
      if (Object.keys(patch).length === 0) {
        await printWritten(current, ref, "unchanged", o, deps);
        return;
      }
      const patched = o.dryRun === "client" ? current
        : await client.patch(ref, ns, name, strategic ? "strategic" : "merge", patch,
          { dryRun: o.dryRun === "server", fieldManager: FIELD_MANAGER, fieldValidation: "Strict" });
      await printWritten(patched, ref, "configured", o, deps);
    });
  },
});
