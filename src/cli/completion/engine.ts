// The completion engine: reads the words of a partial command line (as `skiff __complete` gets
// them) against the command tree and answers candidates plus a cobra directive. Pure apart from
// the CompletionSource it is handed, which is where server and kubeconfig lookups live.
import { RESOURCE_NAMES, infoOf } from "../../api/resources.ts";
import type { CompleteArgs } from "../../commands/command.ts";
import { ARG_COMPLETIONS } from "./args.ts";
import { Directive, type Completion } from "./protocol.ts";

/** One flag as completion sees it. */
export interface FlagInfo {
  /** "output" (without dashes); absent for a short-only flag. */
  long?: string;
  /** "o" (without the dash). */
  short?: string;
  description: string;
  /** Takes a value (`-o json`), as opposed to a boolean switch. */
  takesValue: boolean;
  /** May be given more than once (`-f a -f b`), so it is offered again after use. */
  repeatable: boolean;
  /** Not offered as a candidate (still understood when typed). */
  hidden: boolean;
}

/** One command of the tree: the root is `skiff` itself. */
export interface CommandNode {
  /** Path without the program name: "" (root), "get", "cluster up". */
  path: string;
  name: string;
  aliases: string[];
  summary: string;
  hidden: boolean;
  /** Every flag the command accepts, global ones included. */
  flags: FlagInfo[];
  children: CommandNode[];
  /** Takes positional arguments at all. */
  takesArgs: boolean;
  completeArgs?: CompleteArgs;
}

/** A resource type as completion knows it: from skiff's table or the server's discovery. */
export interface TypeInfo {
  resource: string;
  group: string;
  version: string;
  kind: string;
  singular: string;
  short: string[];
  namespaced: boolean;
}

/** Where answers beyond the command tree come from. Each lookup may fail or time out: the engine then offers nothing for it. */
export interface CompletionSource {
  /** Names of one resource in the namespace in effect (cluster-scoped: all). */
  names(type: TypeInfo): Promise<string[]>;
  namespaces(): Promise<string[]>;
  /** What the server serves (discovery); [] when unreachable. */
  discover(): Promise<TypeInfo[]>;
  kubeconfig(section: "contexts" | "clusters" | "users"): Promise<string[]>;
}

/** The line, understood: where the cursor is and what came before it. */
export interface ParsedLine {
  node: CommandNode;
  /** Positional arguments before the word being completed. */
  positionals: string[];
  /** Flags given, by long name (short-only flags by their letter), with their values. */
  flags: Map<string, string[]>;
  /** The flag whose value is being completed (`-n <TAB>`, `--output=ya<TAB>`). */
  valueOf?: FlagInfo;
  /** The word being completed ("" after a space). */
  toComplete: string;
  /** A `--` came before: everything is positional. */
  afterDashDash: boolean;
}

const flagKey = (f: FlagInfo): string => f.long ?? f.short ?? "";

/**
 * Splits `words` (everything after `__complete`; the last is the word being completed) the
 * way the real parser would: subcommands, flags with their values, positionals. Never throws.
 */
export function parseLine(root: CommandNode, words: readonly string[]): ParsedLine {
  const args = words.length > 0 ? words.slice(0, -1) : [];
  let toComplete = words.length > 0 ? words[words.length - 1] : "";
  let node = root;
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  let afterDashDash = false;
  let valueOf: FlagInfo | undefined;
  const record = (f: FlagInfo, value: string): void => {
    flags.set(flagKey(f), [...(flags.get(flagKey(f)) ?? []), value]);
  };
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (afterDashDash || w === "-" || !w.startsWith("-")) {
      const child = !afterDashDash && positionals.length === 0
        ? node.children.find((c) => c.name === w || c.aliases.includes(w)) : undefined;
      if (child) node = child;
      else positionals.push(w);
      continue;
    }
    if (w === "--") { afterDashDash = true; continue; }
    if (w.startsWith("--")) {
      const eq = w.indexOf("=");
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const f = node.flags.find((x) => x.long === name);
      if (!f) continue;
      if (!f.takesValue || eq >= 0) { record(f, eq < 0 ? "true" : w.slice(eq + 1)); continue; }
      if (i + 1 < args.length) record(f, args[++i]);
      else valueOf = f;
      continue;
    }
    // -Aw, -nfoo, -n=foo, -n foo
    for (let j = 1; j < w.length; j++) {
      const f = node.flags.find((x) => x.short === w[j]);
      if (!f) break;
      if (!f.takesValue) { record(f, "true"); continue; }
      const rest = w.slice(j + 1).replace(/^=/, "");
      if (rest !== "") record(f, rest);
      else if (i + 1 < args.length) record(f, args[++i]);
      else valueOf = f;
      break;
    }
  }
  if (!valueOf && !afterDashDash && toComplete.startsWith("-") && toComplete.includes("=")) {
    const eq = toComplete.indexOf("=");
    const name = toComplete.slice(0, eq);
    const f = node.flags.find((x) => (name.startsWith("--") ? x.long === name.slice(2) : x.short === name.slice(1)));
    if (f?.takesValue) {
      valueOf = f;
      toComplete = toComplete.slice(eq + 1);
    }
  }
  return { node, positionals, flags, valueOf, toComplete, afterDashDash };
}

/** Candidates starting with prefix (descriptions after a tab are not matched). */
function withPrefix(candidates: readonly string[], prefix: string): string[] {
  return candidates.filter((c) => c.split("\t", 1)[0].startsWith(prefix));
}

const noFiles = (candidates: string[]): Completion => ({ candidates, directive: Directive.NoFileComp });

/** Output formats, read from the -o flag's own help text so the two never disagree. */
function outputFormats(f: FlagInfo): string[] {
  const listed = /One of: \(([^)]*)\)/.exec(f.description)?.[1];
  if (listed) return listed.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return ["json", "yaml", "name", "go-template", "go-template-file", "template", "templatefile", "jsonpath",
    "jsonpath-as-json", "jsonpath-file", "custom-columns", "custom-columns-file", "wide"];
}

/** Values of a flag: `-o` formats, namespaces, kubeconfig names, manifest files; else cobra's default (files). */
async function flagValues(f: FlagInfo, prefix: string, source: CompletionSource): Promise<Completion> {
  switch (f.long) {
    case "output":
      return noFiles(withPrefix(outputFormats(f), prefix));
    case "namespace":
      return noFiles(withPrefix(await safely(source.namespaces()), prefix));
    case "context":
      return noFiles(withPrefix(await safely(source.kubeconfig("contexts")), prefix));
    case "cluster":
      return noFiles(withPrefix(await safely(source.kubeconfig("clusters")), prefix));
    case "user":
      return noFiles(withPrefix(await safely(source.kubeconfig("users")), prefix));
    case "filename":
      // matches kubectl, which filters -f to manifests
      return { candidates: ["json", "yaml", "yml"], directive: Directive.FilterFileExt };
    default:
      return { candidates: [], directive: Directive.Default };
  }
}

async function safely<T>(p: Promise<T[]>): Promise<T[]> {
  try {
    return await p;
  } catch {
    return [];
  }
}

/** Flag names for `-<TAB>`: long and short, each with its help text; used single-value flags are not offered again. */
function flagNames(p: ParsedLine): Completion {
  const out: string[] = [];
  for (const f of p.node.flags) {
    if (f.hidden) continue;
    if (p.flags.has(flagKey(f)) && !f.repeatable) continue;
    if (f.long && `--${f.long}`.startsWith(p.toComplete)) out.push(`--${f.long}\t${f.description}`);
    if (f.short && `-${f.short}`.startsWith(p.toComplete)) out.push(`-${f.short}\t${f.description}`);
  }
  return noFiles(out);
}

function visibleChildren(node: CommandNode): CommandNode[] {
  return node.children.filter((c) => !c.hidden);
}

/** Subcommands matching the prefix, with their summaries (root also offers `help`, as cobra does). */
function subcommands(node: CommandNode, prefix: string, isRoot: boolean): string[] {
  const out = visibleChildren(node).filter((c) => c.name.startsWith(prefix)).map((c) => `${c.name}\t${c.summary}`);
  if (isRoot && "help".startsWith(prefix) && !node.children.some((c) => c.name === "help")) out.push("help\tHelp about any command");
  return out;
}

const TABLE_TYPES: TypeInfo[] = RESOURCE_NAMES.map((r) => {
  const i = infoOf(r);
  return { resource: i.resource, group: i.group, version: i.version, kind: i.kind, singular: i.singular, short: i.short, namespaced: i.namespaced };
});

/** skiff's table, then what the server adds (by resource + group). */
function mergeTypes(served: readonly TypeInfo[]): TypeInfo[] {
  const seen = new Set(TABLE_TYPES.map((t) => `${t.group}/${t.resource}`));
  return [...TABLE_TYPES, ...served.filter((t) => !seen.has(`${t.group}/${t.resource}`) && !t.resource.includes("/"))];
}

/** The type a word names: plural, singular, short name or kind (case-insensitive), optionally `.group`. */
export function findType(types: readonly TypeInfo[], word: string): TypeInfo | undefined {
  const w = word.toLowerCase();
  for (const t of types) {
    const names = [t.resource, t.singular, t.kind.toLowerCase(), ...t.short].filter((n) => n !== "");
    if (names.includes(w) || (t.group && names.some((n) => `${n}.${t.group}` === w))) return t;
  }
  return undefined;
}

/**
 * How a type is offered: its plural, qualified by group (`deployments.apps`) when another
 * group serves the same plural, as `kubectl api-resources -o name` prints them.
 */
function typeWords(types: readonly TypeInfo[]): string[] {
  const count = new Map<string, number>();
  for (const t of types) count.set(t.resource, (count.get(t.resource) ?? 0) + 1);
  return types.map((t) => ((count.get(t.resource) ?? 0) > 1 && t.group ? `${t.resource}.${t.group}` : t.resource));
}

/**
 * Type candidates for a prefix: plurals first; a short name, singular or kind only when no
 * plural matches (so `po<TAB>` completes to `pods` but `rc<TAB>` keeps `rc`).
 */
function typeCandidates(types: readonly TypeInfo[], prefix: string): string[] {
  const p = prefix.toLowerCase();
  const plurals = [...new Set(typeWords(types))].filter((w) => w.startsWith(p));
  if (plurals.length > 0) return plurals;
  const aliases = new Set<string>();
  for (const t of types) for (const a of [...t.short, t.singular, t.kind.toLowerCase()]) if (a && a.startsWith(p)) aliases.add(a);
  return [...aliases];
}

/** Positional arguments: what the command's CompleteArgs (or the table's row) says. */
async function positionalArgs(p: ParsedLine, source: CompletionSource): Promise<Completion> {
  const spec = p.node.completeArgs ?? ARG_COMPLETIONS[p.node.path];
  if (spec === undefined) return { candidates: [], directive: p.node.takesArgs ? Directive.Default : Directive.NoFileComp };
  if (spec === "none") return noFiles([]);
  if (spec === "resource-then-names") return resourceThenNames(p, source, undefined);
  if ("resources" in spec) return resourceThenNames(p, source, spec.resources);
  if ("resource" in spec) {
    if (spec.max !== undefined && p.positionals.length >= spec.max) return noFiles([]);
    const types = mergeTypes(await safely(source.discover()));
    const t = findType(types, spec.resource);
    if (!t) return noFiles([]);
    const names = (await safely(source.names(t))).filter((n) => !p.positionals.includes(n));
    return noFiles(withPrefix(names, p.toComplete));
  }
  if (spec.max !== undefined && p.positionals.length >= spec.max) return noFiles([]);
  if ("values" in spec) return noFiles(withPrefix(spec.values, p.toComplete));
  return noFiles(withPrefix(await safely(source.kubeconfig(spec.kubeconfig)), p.toComplete));
}

/** `get <type>[,<type>…] <names…>` or `get <type>/<name>…`, optionally limited to some types. */
async function resourceThenNames(p: ParsedLine, source: CompletionSource, only: readonly string[] | undefined): Promise<Completion> {
  let typesPromise: Promise<TypeInfo[]> | undefined;
  const allTypes = (): Promise<TypeInfo[]> => (typesPromise ??= safely(source.discover()).then((served) => {
    const merged = mergeTypes(served);
    if (!only) return merged;
    return merged.filter((t) => only.some((o) => findType([t], o) !== undefined || t.resource === o));
  }));
  const word = p.toComplete;
  const slashed = p.positionals.some((a) => a.includes("/"));

  // type/name form: complete the name after the slash, keeping the type as typed
  const slash = word.indexOf("/");
  if (slash >= 0) {
    const t = findType(await allTypes(), word.slice(0, slash));
    if (!t) return noFiles([]);
    const typed = word.slice(0, slash + 1);
    const given = new Set(p.positionals.filter((a) => a.startsWith(typed)).map((a) => a.slice(typed.length)));
    const names = (await safely(source.names(t))).filter((n) => !given.has(n)).map((n) => `${typed}${n}`);
    return noFiles(withPrefix(names, word));
  }

  if (p.positionals.length === 0 || slashed) {
    const types = await allTypes();
    if (slashed || only) {
      // matches kubectl: after a first type/name (or for verbs that take only type/name), types come with their slash
      const words = typeCandidates(types, word).map((w) => `${w}/`);
      if (slashed || words.length > 0) return { candidates: words, directive: Directive.NoFileComp | Directive.NoSpace };
    }
    const comma = word.lastIndexOf(",");
    const head = word.slice(0, comma + 1);
    const already = new Set(head.split(",").filter((x) => x !== ""));
    const candidates = typeCandidates(types, word.slice(comma + 1)).filter((w) => !already.has(w)).map((w) => `${head}${w}`);
    return noFiles(candidates);
  }

  // names of the one type named first (a comma list of types has no single set of names)
  const first = p.positionals[0];
  if (first.includes(",")) return noFiles([]);
  const t = findType(await allTypes(), first);
  if (!t) return noFiles([]);
  const given = new Set(p.positionals.slice(1));
  const names = (await safely(source.names(t))).filter((n) => !given.has(n));
  return noFiles(withPrefix(names, word));
}

/** Completes a parsed line: flag values, flag names, subcommands or positional arguments. */
export async function completeLine(p: ParsedLine, root: CommandNode, source: CompletionSource): Promise<Completion> {
  if (p.valueOf) return flagValues(p.valueOf, p.toComplete, source);
  if (!p.afterDashDash && p.toComplete.startsWith("-")) return flagNames(p);
  if (p.node === root && p.positionals[0] === "help") {
    // `help <TAB>` walks the tree like the command it asks about
    let at = root;
    for (const w of p.positionals.slice(1)) at = at.children.find((c) => c.name === w || c.aliases.includes(w)) ?? at;
    return noFiles(subcommands(at, p.toComplete, false));
  }
  if (p.positionals.length === 0 && visibleChildren(p.node).length > 0) {
    return noFiles(subcommands(p.node, p.toComplete, p.node === root));
  }
  return positionalArgs(p, source);
}
