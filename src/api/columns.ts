// Server-side printer columns per kind (what `get` shows), as kube-apiserver's printers build them.
import type { ApiObject } from "./types.ts";

/** One Table column: the definition sent to clients and how to compute its cell. */
export interface Column<T extends ApiObject = ApiObject> {
  name: string;                 // "Name", "Ready", "Cluster-IP"… (kubectl upper-cases it)
  type: "string" | "integer" | "number" | "boolean" | "date";
  format?: string;              // "name" for the name column
  description?: string;
  priority: 0 | 1;              // 1 = only with -o wide
  cell: (obj: T, now: Date) => string | number | boolean | null;
}

// TODO(columns): filled in per kind.
export const COLUMNS: Record<string, Column<any>[]> = {};
