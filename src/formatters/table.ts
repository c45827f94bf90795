// The human-readable `get` printer: renders server-side meta.k8s.io/v1 Tables the way kubectl's
// tableprinter does (decoration, wide columns, headers, sorting, watch rows).
import type { Table, TableColumnDefinition, TableRow } from "../api/types.ts";
import { tryParseQuantity } from "../api/quantity.ts";
import { goSprint, naturalLess } from "./go-format.ts";
import { findJsonPathResults, type CompiledJsonPath } from "./jsonpath.ts";
import { TABLE_LAYOUT, TabWriter } from "./tabwriter.ts";

/** How `get` wants tables drawn (kubectl's PrintOptions). */
export interface TableOptions {
  /** `-o wide`: also show priority-1 columns. */
  wide?: boolean;
  noHeaders?: boolean;
  /** `--show-labels`: a final LABELS column. */
  showLabels?: boolean;
  /** `-L`: one column per label key, headed by the part after the last `/`, upper-cased. */
  labelColumns?: readonly string[];
  /** `--show-kind` (or several types): prefix the name cell with the kind. */
  showKind?: boolean;
  /** Qualified lower-case kind for the name prefix, e.g. `pod`, `deployment.apps`. */
  kindPrefix?: string;
  /** `-A`: prepend NAMESPACE, read from each row's object metadata. */
  namespaceColumn?: boolean;
  /** `--sort-by`: sorts rows by this path evaluated on each row's object (needs includeObject=Object). */
  sortBy?: CompiledJsonPath;
  /** Decoration hook for data cells (colour); widths ignore ANSI codes. */
  colour?: (header: string, cell: string) => string;
}

/** A table plus the kind it lists (for the `kind/name` prefix); one per resource type. */
export interface KindTable {
  table: Table;
  kindPrefix?: string;
}

/** kubectl's message (stderr) when a list comes back empty. */
export function noResourcesMessage(namespace: string | undefined): string {
  return namespace ? `No resources found in ${namespace} namespace.` : "No resources found";
}

const EVENT_TYPES: Record<string, string> = {
  ADDED: "ADDED   ", MODIFIED: "MODIFIED", DELETED: "DELETED ", ERROR: "ERROR   ",
};

/** `app=web,tier=fe` sorted by key, `<none>` when empty (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels![k]}`).join(",");
}

/** Escapes terminal control characters the way kubectl's printers.WriteEscaped does. */
export function escapeTerminal(s: string): string {
  return s.replaceAll("\x1b", "^[").replaceAll("\r", "\\r");
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "string") {
    const cut = cell.search(/[\f\n\r]/);
    return cut >= 0 ? `${escapeTerminal(cell.slice(0, cut))}...` : escapeTerminal(cell);
  }
  return escapeTerminal(goSprint(cell));
}

function labelHeader(key: string): string {
  const parts = key.split("/");
  return parts[parts.length - 1].toUpperCase();
}

function column(name: string): TableColumnDefinition {
  return { name, type: "string", format: "", description: "", priority: 0 };
}

/** Compares two sort keys as kubectl's TableSorter does: numbers, quantities, then natural order. */
function isLess(a: unknown, b: unknown): boolean {
  if (typeof a === "number" && typeof b === "number") return a < b;
  if (typeof a === "string" && typeof b === "string") {
    const qa = tryParseQuantity(a);
    const qb = qa === undefined ? undefined : tryParseQuantity(b);
    if (qa !== undefined && qb !== undefined) return qa < qb;
    return naturalLess(a, b);
  }
  if (typeof a === "boolean" && typeof b === "boolean") return !a && b;
  return naturalLess(goSprint(a), goSprint(b));
}

/**
 * Stable sort of items by a JSONPath (kubectl's --sort-by); items where the path finds nothing
 * come first. Does not mutate `items`.
 */
export function sortByJsonPath<T>(items: readonly T[], path: CompiledJsonPath, data: (item: T) => unknown): T[] {
  const keyed = items.map((item) => {
    let key: unknown[] = [];
    try {
      key = findJsonPathResults(path, data(item), { allowMissingKeys: true })[0] ?? [];
    } catch {
      key = [];
    }
    return { item, key };
  });
  keyed.sort((x, y) => {
    const hx = x.key.length > 0;
    const hy = y.key.length > 0;
    if (!hx || !hy) return hx === hy ? 0 : hx ? 1 : -1;
    if (isLess(x.key[0], y.key[0])) return -1;
    if (isLess(y.key[0], x.key[0])) return 1;
    return 0;
  });
  return keyed.map((k) => k.item);
}

/**
 * Draws tables one after another with kubectl's state: a header whenever the column set changes,
 * widths kept across calls (so watch rows line up with the first listing).
 */
class TableWriter {
  private readonly opts: TableOptions;
  private readonly writer = new TabWriter(TABLE_LAYOUT);
  private lastColumns: TableColumnDefinition[] | undefined;
  private lastColumnsKey = "";

  constructor(opts: TableOptions) {
    this.opts = opts;
  }

  /** Writes one table's lines (unflushed); returns how many lines were written. */
  write(input: Table, kindPrefix: string | undefined, eventType?: string): number {
    const o = this.opts;
    let columns = input.columnDefinitions ?? [];
    let noHeaders = o.noHeaders ?? false;
    const key = JSON.stringify(columns);
    if (columns.length === 0 || key === this.lastColumnsKey) noHeaders = true;
    if (columns.length === 0) columns = this.lastColumns ?? [];
    else if (key !== this.lastColumnsKey) {
      this.lastColumns = columns;
      this.lastColumnsKey = key;
    }

    let rows: readonly TableRow[] = input.rows ?? [];
    if (o.sortBy) rows = sortByJsonPath(rows, o.sortBy, (r) => r.object);

    const prefix = o.showKind && kindPrefix ? kindPrefix : undefined;
    const nameColumn = prefix ? columns.findIndex((c) => c.format === "name" && c.type === "string") : -1;
    const labelKeys = o.labelColumns ?? [];
    const defs: TableColumnDefinition[] = [
      ...(eventType ? [column("Event")] : []),
      ...(o.namespaceColumn ? [column("Namespace")] : []),
      ...columns,
      ...labelKeys.map((k) => column(labelHeader(k))),
      ...(o.showLabels ? [column("Labels")] : []),
    ];

    const lines: string[] = [];
    if (!noHeaders && rows.length > 0) {
      lines.push(defs.filter((d) => o.wide || d.priority === 0).map((d) => d.name.toUpperCase()).join("\t"));
    }
    for (const row of rows) {
      const cells: unknown[] = row.cells.slice(0, columns.length);
      if (nameColumn >= 0) cells[nameColumn] = `${prefix}/${goSprint(cells[nameColumn])}`;
      const meta = row.object?.metadata;
      if (o.namespaceColumn) cells.unshift(meta ? meta.namespace ?? "" : null);
      if (meta) {
        for (const k of labelKeys) cells.push(meta.labels?.[k] ?? "");
        if (o.showLabels) cells.push(formatLabels(meta.labels));
      }
      if (eventType) cells.unshift(EVENT_TYPES[eventType] ?? eventType);
      const out: string[] = [];
      for (let i = 0; i < cells.length && i < defs.length; i++) {
        const def = defs[i];
        if (!o.wide && def.priority !== 0) continue;
        const text = cellText(cells[i]);
        out.push(o.colour ? o.colour(def.name.toUpperCase(), text) : text);
      }
      lines.push(out.join("\t"));
    }
    if (lines.length > 0) this.writer.write(lines.map((l) => `${l}\n`).join(""));
    return lines.length;
  }

  flush(): string {
    return this.writer.flush();
  }
}

function groupKey(t: KindTable): string {
  return `${t.kindPrefix ?? ""}\u0000${JSON.stringify(t.table.columnDefinitions ?? [])}`;
}

/**
 * Renders tables as `kubectl get` prints them: each resource type aligned on its own with its own
 * header, a blank line between types (unless --no-headers), consecutive tables of one type
 * (same kind and columns) merged under one header. Empty tables print nothing.
 */
export function printTable(input: Table | KindTable | readonly (Table | KindTable)[], opts: TableOptions = {}): string {
  const list = (Array.isArray(input) ? input : [input]) as (Table | KindTable)[];
  const items: KindTable[] = list.map((t) => ("table" in t ? t : { table: t, kindPrefix: opts.kindPrefix }));
  let out = "";
  let writer: TableWriter | undefined;
  let lastKey: string | undefined;
  for (const item of items) {
    const key = groupKey(item);
    if (writer === undefined || key !== lastKey) {
      if (writer) out += writer.flush();
      writer = new TableWriter(opts);
      if (lastKey !== undefined && !opts.noHeaders && out.length > 0) out += "\n";
      lastKey = key;
    }
    writer.write(item.table, item.kindPrefix ?? opts.kindPrefix);
  }
  if (writer) out += writer.flush();
  return out;
}

/** The streaming printer behind `get --watch`. */
export interface WatchTablePrinter {
  /**
   * Text for one Table (the initial list, or a watch event's one-row table; an event may omit
   * columnDefinitions to reuse the last ones). Headers print once per column set; widths never
   * shrink, so later rows line up with earlier ones. `eventType` (with --output-watch-events)
   * adds the EVENT column.
   */
  printRows(table: Table, eventType?: string): string;
}

/** Creates the stateful watch printer (one per `get --watch`). */
export function createWatchTablePrinter(opts: TableOptions = {}): WatchTablePrinter {
  const writer = new TableWriter(opts);
  return {
    printRows(table, eventType) {
      writer.write(table, opts.kindPrefix, eventType);
      return writer.flush();
    },
  };
}
