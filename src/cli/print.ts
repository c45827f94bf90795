// The -o printers for objects as the verbs use them: a thin layer over the formatters' pickPrinter.
import { readFileSync } from "node:fs";
import type { ApiObject } from "../api/types.ts";
import type { Deps } from "../deps.ts";
import type { ObjectPrinter as FormatterObjectPrinter } from "../formatters/index.ts";

/** Prints objects in one -o format; stateful like kubectl's printers (YAML `---`, column widths). */
export interface ObjectPrinter {
  /** `single`: one object asked for by name prints bare; otherwise a List (json/yaml/jsonpath). */
  print(objs: readonly ApiObject[], single: boolean): string;
  /** One watch event with --output-watch-events: `{"type":…,"object":…}` (names stay names). */
  printEvent(type: string, obj: ApiObject): string;
}

/**
 * Builds the printer for `output` (`json`, `jsonpath={.x}`, `custom-columns=A:.a`…), parsing
 * templates up front so a bad one fails before any request. Table formats (`wide`) print
 * names here: verbs print what they wrote, not tables. Throws CliError in kubectl's words.
 */
export async function createObjectPrinter(output: string, opts: { noHeaders?: boolean } = {}): Promise<ObjectPrinter> {
  const { pickPrinter } = await import("../formatters/index.ts");
  const picked = pickPrinter(output, { noHeaders: opts.noHeaders, readFile: (path) => readFileSync(path, "utf8") });
  const p = (picked.kind === "objects" ? picked : pickPrinter("name")) as FormatterObjectPrinter;
  const names = output === "name" || picked.kind === "table";
  return {
    print: (objs, single) => p.print(objs, { list: !single }),
    printEvent: (type, obj) => (names ? p.print([obj]) : p.print([{ type, object: obj } as unknown as ApiObject], { list: false })),
  };
}

/** Throws kubectl's error for an unknown or unusable -o value, before any request is made. */
export async function checkOutputFormat(output: string): Promise<void> {
  if (output === "" || output === "wide") return;
  await createObjectPrinter(output);
}

/** Prints objs in the -o format to deps.io.out (see ObjectPrinter.print for `single`). */
export async function printObjects(objs: readonly ApiObject[], output: string, deps: Pick<Deps, "io">,
  opts: { single: boolean; noHeaders?: boolean }): Promise<void> {
  const p = await createObjectPrinter(output, { noHeaders: opts.noHeaders });
  deps.io.out.write(p.print(objs, opts.single));
}
