// `describe` layouts for OpenShift kinds, as oc's describers print them (Template for now).
import type { ApiObject } from "../api/types.ts";
import type { Parameter, Template } from "../template/types.ts";
import { DESCRIBE_LAYOUT, formatTabbed } from "./tabwriter.ts";
import { relativeTime } from "./project-status.ts";

// oc's formatString: `label:<TAB>value`, further lines of a multi-line value under the value.
function field(label: string, value: unknown): string {
  const lines = String(value ?? "").replace(/\n$/, "").split("\n");
  return `${label}:\t${lines[0]}\n${lines.slice(1).map((l) => `\t${l}\n`).join("")}`;
}

function mapText(m: Record<string, string> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length === 0 ? "<none>" : keys.map((k) => `${k}=${m![k]}`).join(",");
}

function parameterBlock(params: readonly Parameter[]): string {
  const indent = "    ";
  let out = field("Parameters", " ");
  for (const p of params) {
    out += field(`${indent}Name`, p.name);
    if (p.displayName) out += field(`${indent}Display Name`, p.displayName);
    if (p.description) out += field(`${indent}Description`, p.description);
    out += field(`${indent}Required`, p.required === true);
    if (!p.generate) {
      out += `${field(`${indent}Value`, p.value ?? "")}\n`;
      continue;
    }
    if (p.value) out += field(`${indent}Value`, p.value) + field(`${indent}Generated (ignored)`, p.generate) + field(`${indent}From`, p.from ?? "");
    else out += field(`${indent}Generated`, p.generate) + field(`${indent}From`, p.from ?? "");
    out += "\n";
  }
  return out;
}

function objectLine(obj: ApiObject): string {
  const slash = (obj.apiVersion ?? "").indexOf("/");
  const group = slash < 0 ? "" : (obj.apiVersion ?? "").slice(0, slash);
  const kind = group ? `${obj.kind ?? ""}.${group}` : obj.kind ?? "";
  const name = obj.metadata?.name || (obj.metadata?.generateName ? `${obj.metadata.generateName}<random>` : "<generated name>");
  return `    ${kind}\t${name}\n`;
}

/**
 * oc's template describer (`describe template/x`, `process -o describe`): metadata, every
 * parameter with its value or generator, object labels, message and the objects by kind. Pure.
 */
export function describeTemplate(t: Template, now: Date): string {
  const m = t.metadata ?? {};
  let meta = field("Name", m.name ?? "") + field("Namespace", m.namespace ?? "");
  if (m.creationTimestamp) meta += field("Created", `${relativeTime(m.creationTimestamp, now)} ago`);
  meta += field("Labels", mapText(m.labels));
  const annotations = Object.keys(m.annotations ?? {}).sort().map((k) => `${k}=${m.annotations![k]}`);
  meta += field("Annotations", annotations.length === 0 ? "<none>" : annotations.join("\n"));
  let rest = "\n" + parameterBlock(Array.isArray(t.parameters) ? t.parameters : []);
  rest += "\n" + field("Object Labels", mapText(t.labels));
  rest += "\n" + field("Message", t.message || "<none>");
  rest += "\nObjects:\n";
  for (const obj of Array.isArray(t.objects) ? t.objects : []) rest += objectLine(obj);
  return formatTabbed(meta, DESCRIBE_LAYOUT) + formatTabbed(rest, DESCRIBE_LAYOUT);
}
