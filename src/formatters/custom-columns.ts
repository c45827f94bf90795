// `-o custom-columns=HEADER:path,…` and `-o custom-columns-file=f`: spec parsing with kubectl's
// error texts, and the printer (tab-aligned, `<none>` for missing values, `,` between several).
import type { ApiObject } from "../api/types.ts";
import { goSprint } from "./go-format.ts";
import { compileJsonPath, findJsonPathResults, relaxedJsonPath, type CompiledJsonPath } from "./jsonpath.ts";
import { escapeTerminal } from "./table.ts";
import { TABLE_LAYOUT, TabWriter } from "./tabwriter.ts";

/** One parsed column: the header as given and its compiled path. */
export interface CustomColumn {
  header: string;
  fieldSpec: string;
  path: CompiledJsonPath;
}

/** A malformed spec or template; the message is kubectl's. */
export class CustomColumnsError extends Error {}

function compileColumn(header: string, expr: string): CustomColumn {
  let fieldSpec: string;
  try {
    fieldSpec = relaxedJsonPath(expr);
  } catch (e) {
    throw new CustomColumnsError((e as Error).message);
  }
  return { header, fieldSpec, path: compileJsonPath(fieldSpec) };
}

/** Parses `NAME:.metadata.name,STATUS:.status.phase`. Throws CustomColumnsError or JsonPathError. */
export function parseColumnSpec(spec: string): CustomColumn[] {
  if (spec.length === 0) throw new CustomColumnsError("custom-columns format specified but no custom columns given");
  return spec.split(",").map((part) => {
    const colon = part.indexOf(":");
    if (colon < 0) {
      throw new CustomColumnsError(`unexpected custom-columns spec: ${part}, expected <header>:<json-path-expr>`);
    }
    return compileColumn(part.slice(0, colon), part.slice(colon + 1));
  });
}

const splitWords = (line: string): string[] => line.split(/[ \t\n\v\f\r\u0085\u00a0]+/).filter((w) => w !== "");
const HELP = "Expected format is one line of space separated headers, one line of space separated column specs.";

/** Parses a custom-columns file: a header line and a spec line. Throws CustomColumnsError. */
export function parseColumnTemplate(text: string): CustomColumn[] {
  // bufio.Scanner lines: a final newline does not start another line.
  const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n").map((l) => l.replace(/\r$/, ""));
  if (text.length === 0) throw new CustomColumnsError(`invalid template, missing header line. ${HELP}`);
  const headers = splitWords(lines[0]);
  if (lines.length < 2) throw new CustomColumnsError(`invalid template, missing spec line. ${HELP}`);
  const specs = splitWords(lines[1]);
  if (headers.length !== specs.length) {
    throw new CustomColumnsError(
      `number of headers (${headers.length}) and field specifications (${specs.length}) don't match`);
  }
  return headers.map((h, i) => compileColumn(h, specs[i]));
}

/** Options for printing. */
export interface CustomColumnsOptions {
  noHeaders?: boolean;
}

/**
 * A custom-columns printer. Keeps kubectl's per-printer state: the header is printed once, and
 * column widths carry over between calls (watch).
 */
export class CustomColumnsPrinter {
  private readonly columns: CustomColumn[];
  private readonly noHeaders: boolean;
  private readonly writer = new TabWriter(TABLE_LAYOUT);
  private printedHeader = false;

  constructor(columns: CustomColumn[], opts: CustomColumnsOptions = {}) {
    this.columns = columns;
    this.noHeaders = opts.noHeaders ?? false;
  }

  /** One line per object (list wrappers are expanded by the caller), header first. */
  print(objs: readonly ApiObject[]): string {
    if (!this.noHeaders && !this.printedHeader) {
      this.writer.write(`${this.columns.map((c) => c.header).join("\t")}\n`);
      this.printedHeader = true;
    }
    for (const obj of objs) this.writer.write(`${this.row(obj).join("\t")}\n`);
    return this.writer.flush();
  }

  private row(obj: ApiObject): string[] {
    return this.columns.map((c) => {
      const results = findJsonPathResults(c.path, obj, { allowMissingKeys: true });
      const values: string[] = [];
      if (results.length === 0 || results[0].length === 0) values.push("<none>");
      for (const set of results) for (const v of set) values.push(escapeTerminal(goSprint(v)));
      return values.join(",");
    });
  }
}
