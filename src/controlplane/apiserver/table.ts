// Server-side printing: meta.k8s.io/v1 Table and PartialObjectMetadata built from the resource table's columns.
import { DEFAULT_COLUMNS, podRowConditions, type Column } from "../../api/columns.ts";
import { badRequest } from "../../api/errors.ts";
import type { ResourceInfo } from "../../api/resources.ts";
import type { ApiObject, ListMeta, Pod, Table, TableRow } from "../../api/types.ts";

export type IncludeObject = "None" | "Metadata" | "Object";

/** The `includeObject` query value; Metadata when absent; 400 for anything else. */
export function parseIncludeObject(v: string | undefined): IncludeObject {
  if (v === undefined || v === "") return "Metadata";
  if (v === "None" || v === "Metadata" || v === "Object") return v;
  throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
}

/** The row's columns, or the fallback pair (Name, Created At) for kinds without printers. */
export function columnsOf(info: ResourceInfo): Column[] {
  return info.columns && info.columns.length > 0 ? info.columns : DEFAULT_COLUMNS;
}

/** PartialObjectMetadata of an object: only its metadata, as `includeObject=Metadata` sends it. */
export function partialMetadata(obj: ApiObject): ApiObject {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
}

export interface TableOptions {
  now: Date;
  includeObject: IncludeObject;
  /** False for watch events after the first: kubectl reuses the last column definitions. */
  withColumns?: boolean;
  listMeta?: ListMeta;
}

/**
 * Builds a Table of the given objects (kind/apiVersion already set). Every column's cell is
 * computed (wide ones too); a cell function that throws yields null rather than failing
 * the whole response.
 */
export function buildTable(info: ResourceInfo, objs: readonly ApiObject[], opts: TableOptions): Table {
  const cols = columnsOf(info);
  const rows = objs.map((o): TableRow => {
    const row: TableRow = {
      cells: cols.map((c) => {
        try {
          return c.cell(o, opts.now) ?? null;
        } catch {
          return null;
        }
      }),
    };
    // Finished pods carry a Completed condition, which kubectl uses to hide them unless asked.
    if (info.group === "" && info.resource === "pods") {
      const conditions = podRowConditions(o as Pod);
      if (conditions) row.conditions = conditions;
    }
    if (opts.includeObject === "Object") row.object = o;
    else if (opts.includeObject === "Metadata") row.object = partialMetadata(o);
    return row;
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: opts.listMeta ?? {},
    columnDefinitions: opts.withColumns === false ? [] : cols.map((c) => ({
      name: c.name, type: c.type, format: c.format ?? "", description: c.description ?? "", priority: c.priority,
    })),
    rows,
  };
}
