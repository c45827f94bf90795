// argv → commander → command, and the ONE place where errors become text and an exit code.
import { Command, CommanderError, Option } from "commander";
import type { Help } from "commander";
import { ApiError } from "./api/errors.ts";
import type { Status } from "./api/types.ts";
import { ConnectionError } from "./client/transport.ts";
import type { CommandGroup, CommandSpec } from "./commands/command.ts";
import { isCompletionRequest, runCompletionRequest } from "./commands/complete.ts";
import { COMMANDS } from "./commands/index.ts";
import type { ConnectionFlags, Deps, IOStreams } from "./deps.ts";
import { ExitCodeError, UsageError } from "./errors.ts";

const PROGRAM = "skiff";

/** Connection flags every command accepts, before or after the subcommand (kubectl's ConfigFlags). */
const GLOBAL_OPTIONS: [flags: string, description: string][] = [
  ["--kubeconfig <path>", "Path to the kubeconfig file to use for CLI requests."],
  ["--context <name>", "The name of the kubeconfig context to use"],
  ["--cluster <name>", "The name of the kubeconfig cluster to use"],
  ["--user <name>", "The name of the kubeconfig user to use"],
  ["-s, --server <url>", "The address and port of the Kubernetes API server"],
  ["--token <token>", "Bearer token for authentication to the API server"],
  ["-n, --namespace <namespace>", "If present, the namespace scope for this CLI request"],
  ["--insecure-skip-tls-verify", "If true, the server's certificate will not be checked for validity. This will make your HTTPS connections insecure"],
  ["--certificate-authority <path>", "Path to a cert file for the certificate authority"],
  ["--request-timeout <duration>", "The length of time to wait before giving up on a single server request. Non-zero values should contain a corresponding time unit (e.g. 1s, 2m, 3h). A value of zero means don't timeout requests."],
  ["-v, --v <level>", "Number for the log level verbosity (6 and up print stack traces)"],
  ["--no-color", "Never colour output, even on a terminal (as NO_COLOR=1 does)"],
];
const GLOBAL_KEYS = ["kubeconfig", "context", "cluster", "user", "server", "token", "namespace",
  "insecureSkipTlsVerify", "certificateAuthority", "requestTimeout", "v"] as const;

const GROUP_ORDER: CommandGroup[] = [
  "Basic Commands", "Build and Deploy Commands", "Application Management Commands",
  "Troubleshooting and Debugging Commands", "Advanced Commands", "Settings Commands", "Other Commands",
];

/** Order within a help group, as `oc --help` lists them; unlisted commands follow, sorted. */
const HELP_RANK = [
  "login", "new-project", "new-app", "status", "project", "projects", "cluster", "server", "explain",
  "rollout", "rollback", "new-build", "start-build", "cancel-build", "import-image", "tag",
  "create", "apply", "get", "describe", "edit", "set", "label", "annotate", "expose", "delete",
  "scale", "autoscale", "logs", "rsh", "rsync", "port-forward", "debug", "exec", "proxy", "attach",
  "run", "cp", "wait", "replace", "patch", "process", "extract", "observe", "policy", "auth",
  "api-versions", "api-resources", "cluster-info", "diff", "logout", "config", "whoami",
  "completion", "help", "version", "options",
];

/** Summaries for parent commands that no CommandSpec names itself. */
const PARENT_SUMMARIES: Record<string, string> = {
  cluster: "Start, stop and inspect the embedded cluster",
  config: "Modify kubeconfig files",
  rollout: "Manage a Kubernetes deployment or OpenShift deployment config",
};

/** Thrown for a word that names no command, with the commands it resembles. */
class UnknownCommandError extends Error {
  readonly word: string;
  readonly path: string;
  readonly suggestions: string[];
  constructor(word: string, path: string, suggestions: string[]) {
    super(`unknown command "${word}" for "${path}"`);
    this.word = word;
    this.path = path;
    this.suggestions = suggestions;
  }
}

/** A commander parse failure, with the path of the command that raised it. */
class ParseFailure extends Error {
  readonly err: CommanderError;
  readonly path: string;
  constructor(err: CommanderError, path: string) {
    super(err.message);
    this.err = err;
    this.path = path;
  }
}

const BOOL_WORDS: Record<string, boolean> = {
  "1": true, t: true, T: true, true: true, TRUE: true, True: true,
  "0": false, f: false, F: false, false: false, FALSE: false, False: false,
};

/**
 * Rewrites the pflag spellings commander lacks, before `--` and before the first subcommand
 * word: `--flag=true|false` for booleans (→ `--flag` / `--no-flag` / dropped), `-n=foo`
 * for short flags with values (→ `-n foo`), and a bare optional-value flag with a preset
 * (`--dry-run` → `--dry-run=<preset>`, so it never swallows the next argument).
 */
export function normalizeArgs(args: readonly string[], options: readonly Option[], stopWords: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--" || stopWords.has(a)) { out.push(...args.slice(i)); break; }
    const long = /^(--[^=]+)=(.*)$/s.exec(a);
    if (long) {
      const opt = options.find((o) => o.long === long[1]);
      const value = BOOL_WORDS[long[2]];
      if (opt && opt.isBoolean() && value !== undefined) {
        if (value) { out.push(long[1]); continue; }
        const counter = opt.negate ? `--${long[1].slice(5)}` : `--no-${long[1].slice(2)}`;
        if (options.some((o) => o.long === counter)) out.push(counter);
        continue;
      }
    }
    // pflag's NoOptDefVal: a bare optional-value flag takes its preset, never the next word
    const bare = options.find((o) => o.optional && o.presetArg !== undefined && (o.long === a || o.short === a));
    if (bare) { out.push(`${bare.long ?? a}=${String(bare.presetArg)}`); continue; }
    const short = /^(-[A-Za-z])=(.*)$/s.exec(a);
    if (short) {
      const opt = options.find((o) => o.short === short[1]);
      if (opt && !opt.isBoolean()) { out.push(short[1], short[2]); continue; }
    }
    out.push(a);
  }
  return out;
}

/** Commander's Command with pflag-compatible spellings of flags. */
class SkiffCommand extends Command {
  override createCommand(name?: string): SkiffCommand {
    return new SkiffCommand(name);
  }
  override parseOptions(args: string[]): ReturnType<Command["parseOptions"]> {
    const stop = new Set(this.commands.flatMap((c) => [c.name(), ...c.aliases()]));
    if (this.commands.length > 0) stop.add("help");
    return super.parseOptions(normalizeArgs(args, this.options, stop));
  }
}

/** Levenshtein distance, for "Did you mean this?". */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** Commands resembling `word`: distance ≤ 2 or a prefix, as cobra suggests. */
export function suggestCommands(word: string, names: readonly string[]): string[] {
  const w = word.toLowerCase();
  return names.filter((n) => editDistance(w, n.toLowerCase()) <= 2 || n.toLowerCase().startsWith(w));
}

function pathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

function visibleSubcommands(cmd: Command): Command[] {
  return cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
}

function rank(name: string): number {
  const i = HELP_RANK.indexOf(name);
  return i < 0 ? HELP_RANK.length : i;
}

function sortCommands(cmds: Command[]): Command[] {
  return [...cmds].sort((a, b) => rank(a.name()) - rank(b.name()) || a.name().localeCompare(b.name()));
}

/** Word-wraps text to `width` columns (at least 40 characters per line). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (cur && cur.length + 1 + word.length > Math.max(width, 40)) { lines.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur || lines.length === 0) lines.push(cur);
  return lines;
}

/** Two columns: terms padded to the longest, descriptions wrapped to the terminal width. */
function listing(items: [string, string][], totalWidth = 0, indent = "  "): string {
  const width = Math.max(14, ...items.map(([t]) => t.length)) + 2;
  const room = totalWidth > 0 ? totalWidth - indent.length - width : Infinity;
  return items.map(([t, d]) => {
    const lines = Number.isFinite(room) ? wrap(d, room) : [d];
    return lines.map((l, i) => `${indent}${(i === 0 ? t : "").padEnd(width)}${l}`.trimEnd()).join("\n");
  }).join("\n");
}

/** An option's help text plus its default, when the default says something. */
function optionText(o: Option): string {
  const d: unknown = o.defaultValue;
  const shown = typeof d === "string" ? (d === "" ? "" : ` (default "${d}")`) : typeof d === "number" ? ` (default ${d})` : d === true ? " (default true)" : "";
  return `${o.description}${shown}`;
}

function globalOptionsText(width: number): string {
  return listing(GLOBAL_OPTIONS.map(([f, d]) => [f.startsWith("--") ? `    ${f}` : f, d]), width);
}

const OPTIONS_FOOTER = `Use "${PROGRAM} options" for a list of global command-line options (applies to all commands).`;

function rootHelp(program: Command, groups: Map<Command, CommandGroup>): string {
  const byGroup = new Map<CommandGroup, Command[]>();
  for (const c of visibleSubcommands(program)) {
    const g = groups.get(c) ?? "Other Commands";
    byGroup.set(g, [...(byGroup.get(g) ?? []), c]);
  }
  const parts = [
    "skiff: build, deploy and run applications on an embedded Kubernetes-compatible cluster,\n" +
    "or on any Kubernetes or OpenShift cluster.",
  ];
  for (const g of GROUP_ORDER) {
    const cmds = byGroup.get(g);
    if (!cmds) continue;
    parts.push(`${g}:\n${listing(sortCommands(cmds).map((c) => [c.name(), c.summary() || c.description()]))}`);
  }
  parts.push(`Usage:\n  ${PROGRAM} [flags] [options]`);
  parts.push(`Use "${PROGRAM} <command> --help" for more information about a given command.\n${OPTIONS_FOOTER}`);
  return `${parts.join("\n\n")}\n`;
}

function commandHelp(cmd: Command, helper: Help, examples: Map<Command, string[]>, width: number): string {
  const path = pathOf(cmd);
  const parts: string[] = [];
  const desc = cmd.description() || cmd.summary();
  if (desc) parts.push(/[.!?]$/.test(desc) ? desc : `${desc}.`);
  const aliases = cmd.aliases();
  if (aliases.length) parts.push(`Aliases:\n  ${[cmd.name(), ...aliases].join(", ")}`);
  const ex = examples.get(cmd);
  if (ex?.length) parts.push(`Examples:\n${ex.map((e) => e.split("\n").map((l) => `  ${l}`).join("\n")).join("\n\n")}`);
  const subs = sortCommands(visibleSubcommands(cmd));
  if (subs.length) parts.push(`Available Commands:\n${listing(subs.map((c) => [c.name(), c.summary() || c.description()]))}`);
  const opts = helper.visibleOptions(cmd).filter((o) => o.long !== "--help");
  if (opts.length) parts.push(`Options:\n${listing(opts.map((o) => [o.short ? helper.optionTerm(o) : `    ${helper.optionTerm(o)}`, optionText(o)]), width)}`);
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? "..." : ""}>` : `[${a.name()}${a.variadic ? "..." : ""}]`));
  parts.push(`Usage:\n  ${[path, ...(subs.length ? ["[command]"] : []), ...args, "[options]"].join(" ")}`);
  parts.push(subs.length ? `Use "${path} <command> --help" for more information about a given command.\n${OPTIONS_FOOTER}` : OPTIONS_FOOTER);
  return `${parts.join("\n\n")}\n`;
}

/** What main learns while parsing, for error reporting. */
interface RunState {
  path: string;
  verbosity: number;
}

function addGlobalOptions(cmd: Command, hidden: boolean): string[] {
  const added: string[] = [];
  for (const [flags, description] of GLOBAL_OPTIONS) {
    const probe = new Option(flags, description);
    if (cmd.options.some((o) => o.long === probe.long)) continue;     // the command's own flag wins
    const shortTaken = probe.short !== undefined && cmd.options.some((o) => o.short === probe.short);
    const opt = shortTaken ? new Option(flags.replace(/^-\w, /, ""), description) : probe;
    if (hidden) opt.hideHelp();
    cmd.addOption(opt);
    added.push(opt.attributeName());
  }
  return added;
}

/** Adds a hidden `--no-x` for boolean flags defaulting to true, so `--x=false` works. */
function addNegations(cmd: Command): void {
  for (const o of [...cmd.options]) {
    if (!o.isBoolean() || o.negate || o.defaultValue !== true || !o.long) continue;
    const neg = `--no-${o.long.slice(2)}`;
    if (!cmd.options.some((x) => x.long === neg)) cmd.addOption(new Option(neg).hideHelp());
  }
}

function connectionFlags(values: Record<string, unknown>): ConnectionFlags {
  const f: ConnectionFlags = {};
  for (const k of GLOBAL_KEYS) {
    if (k === "v" || values[k] === undefined) continue;
    (f as Record<string, unknown>)[k] = values[k];
  }
  return f;
}

function parseVerbosity(v: unknown): number {
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new UsageError(`invalid argument "${String(v)}" for "-v, --v" flag: strconv.ParseInt: parsing "${String(v)}": invalid syntax`);
  return n;
}

/**
 * The top-level command word argv invokes (its canonical name when an alias is used), when
 * main can build just that command; undefined when it needs the whole tree: no command word,
 * help, an unknown word. Global flags before the word are skipped, with their values.
 */
export function invokedCommand(argv: readonly string[], specs: readonly Pick<CommandSpec, "name" | "aliases">[]): string | undefined {
  const takesValue = new Set(GLOBAL_OPTIONS.filter(([f]) => f.includes("<"))
    .flatMap(([f]) => f.split(/[ ,]+/).filter((w) => w.startsWith("-"))));
  let word: string | undefined;
  for (let i = 0; i < argv.length && word === undefined; i++) {
    const a = argv[i];
    if (a === "--") return undefined;
    if (a.startsWith("-") && a !== "-") { if (takesValue.has(a)) i++; } else word = a;
  }
  if (word === undefined || argv.includes("-h") || argv.includes("--help")) return undefined;
  for (const spec of specs) if (spec.name.split(" ")[0] === word) return word;
  return specs.find((s) => !s.name.includes(" ") && s.aliases?.includes(word))?.name;
}

/**
 * The commander tree. With `only` (a top-level word from invokedCommand) it holds just the
 * commands under that word: a `get pods` does not pay for building some sixty commands and
 * their flags. Help, completion and unknown-word suggestions use the whole tree.
 */
function buildProgram(deps: Deps, state: RunState, only?: string): { program: Command; groups: Map<Command, CommandGroup>; examples: Map<Command, string[]> } {
  const groups = new Map<Command, CommandGroup>();
  const examples = new Map<Command, string[]>();
  const program: Command = new SkiffCommand(PROGRAM);
  program
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.out.write(s),
      writeErr: (s) => deps.io.err.write(s),
      outputError: () => { /* main reports every error itself */ },
      getOutHelpWidth: () => deps.io.width,
      getErrHelpWidth: () => deps.io.width,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({
      formatHelp: (cmd, helper) => (cmd === program ? rootHelp(program, groups) : commandHelp(cmd, helper, examples, deps.io.width)),
    })
    .helpCommand("help [command]", "Help about any command");
  addGlobalOptions(program, false);
  const failOn = (cmd: Command): void => {
    cmd.exitOverride((err) => { throw new ParseFailure(err, pathOf(cmd)); });
  };
  failOn(program);

  // Ancestor values first, so a flag given after the subcommand wins over one given before.
  const globalsOf = (leaf: Command, own: Set<string>): Record<string, unknown> => {
    const chain: Command[] = [];
    for (let c: Command | null = leaf; c; c = c.parent) chain.unshift(c);
    const merged: Record<string, unknown> = {};
    for (const c of chain) {
      const opts = c.opts();
      for (const k of GLOBAL_KEYS) {
        if (c === leaf && own.has(k)) continue;
        if (opts[k] !== undefined && (c !== leaf || c.getOptionValueSource(k) === "cli")) merged[k] = opts[k];
      }
    }
    return merged;
  };

  const parents = new Map<string, Command>();
  const ensureParent = (words: string[], group: CommandGroup): Command => {
    let parent = program;
    for (let i = 0; i < words.length; i++) {
      const key = words.slice(0, i + 1).join(" ");
      let next = parents.get(key);
      if (!next) {
        next = parent.command(words[i]);
        next.summary(PARENT_SUMMARIES[key] ?? `${words[i]} commands`);
        next.description(PARENT_SUMMARIES[key] ?? `${words[i]} commands`);
        next.argument("[args...]");
        const hidden = addGlobalOptions(next, true);
        failOn(next);
        const self = next;
        next.action(async (args: string[]) => {
          state.path = pathOf(self);
          const g = globalsOf(self, new Set(GLOBAL_KEYS.filter((k) => !hidden.includes(k))));
          state.verbosity = parseVerbosity(g.v);
          if (args.length > 0) {
            throw new UnknownCommandError(args[0], pathOf(self), suggestCommands(args[0], visibleSubcommands(self).map((c) => c.name())));
          }
          self.outputHelp();
        });
        groups.set(next, group);
        parents.set(key, next);
      }
      parent = next;
    }
    return parent;
  };

  for (const spec of COMMANDS as CommandSpec<Record<string, unknown>, unknown>[]) {
    const words = spec.name.split(" ");
    if (only !== undefined && words[0] !== only) continue;
    const parent = ensureParent(words.slice(0, -1), spec.group);
    const last = words[words.length - 1];
    // A spec may name a parent that already exists (its own action then runs on no subcommand).
    const existing = parents.get(spec.name);
    const cmd = existing ?? parent.command(last);
    if (!existing) failOn(cmd);
    cmd.summary(spec.summary).description(spec.summary);
    if (spec.aliases) cmd.aliases(spec.aliases);
    if (spec.hidden) (cmd as unknown as { _hidden: boolean })._hidden = true;
    if (spec.examples) examples.set(cmd, spec.examples);
    groups.set(cmd, spec.group);
    if (spec.args && !existing) cmd.arguments(spec.args);
    if (spec.flags) spec.flags(cmd);
    addNegations(cmd);
    const hiddenGlobals = existing ? GLOBAL_KEYS.filter((k) => cmd.options.some((o) => o.attributeName() === k)) as string[]
      : addGlobalOptions(cmd, true);
    const own = new Set<string>(GLOBAL_KEYS.filter((k) => !hiddenGlobals.includes(k)));
    cmd.action(async () => {
      state.path = pathOf(cmd);
      const g = globalsOf(cmd, own);
      state.verbosity = parseVerbosity(g.v);
      deps.flags = connectionFlags(g);
      deps.verbosity = state.verbosity;
      const flags: Record<string, unknown> = { ...cmd.opts() };
      for (const k of hiddenGlobals) delete flags[k];
      const args = cmd.processedArgs.flatMap((a: unknown) => (a === undefined ? [] : Array.isArray(a) ? a.map(String) : [String(a)]));
      if (existing && args.length > 0 && visibleSubcommands(cmd).length > 0 && !spec.args) {
        throw new UnknownCommandError(args[0], pathOf(cmd), suggestCommands(args[0], visibleSubcommands(cmd).map((c) => c.name())));
      }
      const options = await spec.complete(args, flags, deps);
      spec.validate?.(options);
      await spec.run(options, deps);
    });
  }

  const optionsCmd = program.command("options");
  optionsCmd.summary("List the global command-line options (applies to all commands)")
    .description("Print the list of flags inherited by all commands");
  failOn(optionsCmd);
  groups.set(optionsCmd, "Other Commands");
  optionsCmd.action(() => {
    deps.io.out.write(`The following options can be passed to any command:\n\n${globalOptionsText(deps.io.width)}\n`);
  });
  return { program, groups, examples };
}

function flagName(message: string): string {
  return /'([^']*)'/.exec(message)?.[1] ?? message;
}

/** Maps a commander parse failure to kubectl's (pflag's) wording; returns the exit code. */
function reportParseFailure(f: ParseFailure, io: IOStreams): number {
  const { err, path } = f;
  switch (err.code) {
    case "commander.helpDisplayed":
    case "commander.version":
      return 0;
    case "commander.help":
      return err.exitCode;
    case "commander.unknownOption": {
      const token = flagName(err.message);
      const msg = token.startsWith("--") ? `unknown flag: ${token.replace(/=.*$/s, "")}`
        : `unknown shorthand flag: '${token[1]}' in ${token}`;
      io.err.write(`error: ${msg}\nSee '${path} --help' for usage.\n`);
      return 1;
    }
    case "commander.optionMissingArgument": {
      const flags = flagName(err.message);
      const long = /--[\w-]+/.exec(flags)?.[0] ?? flags;
      io.err.write(`error: flag needs an argument: ${long}\nSee '${path} --help' for usage.\n`);
      return 1;
    }
    case "commander.excessArguments": {
      const extra = /: (.*)\.$/s.exec(err.message)?.[1] ?? "";
      return reportError(new UsageError(`unexpected arguments: ${extra}`, path), io, false);
    }
    default:
      return reportError(new UsageError(err.message.replace(/^error: /, ""), path), io, false);
  }
}

/**
 * Runs skiff with argv (without node and script), returning the exit code: 0 on success,
 * 1 for errors (or an ExitCodeError's code). Never throws and never exits the process;
 * every error is written to deps.io.err here.
 */
export async function main(argv: string[], deps: Deps): Promise<number> {
  const state: RunState = { path: PROGRAM, verbosity: 0 };
  const envDebug = deps.env.SKIFF_DEBUG === "1";
  const only = isCompletionRequest(argv) ? undefined : invokedCommand(argv, COMMANDS);
  let built: ReturnType<typeof buildProgram>;
  try {
    built = buildProgram(deps, state, only);
  } catch (e) {
    return reportError(e, deps.io, true);
  }
  let { program } = built;
  const { groups } = built;
  if (isCompletionRequest(argv)) return runCompletionRequest(argv, program, COMMANDS, deps);
  // --no-color is read here, before any command runs, because it changes the streams themselves
  const dashDash = argv.indexOf("--");
  if ((dashDash < 0 ? argv : argv.slice(0, dashDash)).includes("--no-color")) deps.io.colour = false;
  if (deps.io.colour && deps.io.tty.err) {
    const { colourStderr } = await import("./cli/colour.ts");
    deps.io.err = colourStderr(deps.io.err);
  }
  if (argv.length === 0) {
    deps.io.out.write(rootHelp(program, groups));
    return 0;
  }
  try {
    try {
      await program.parseAsync(argv, { from: "user" });
    } catch (e) {
      // commander read the command word differently: parse again with every command (nothing ran yet)
      if (only === undefined || !(e instanceof ParseFailure && e.err.code === "commander.unknownCommand")) throw e;
      program = buildProgram(deps, state).program;
      await program.parseAsync(argv, { from: "user" });
    }
    return 0;
  } catch (e) {
    if (e instanceof ParseFailure) {
      if (e.err.code === "commander.unknownCommand") {
        const word = flagName(e.err.message);
        let at: Command = program;
        for (const w of e.path.split(" ").slice(1)) at = at.commands.find((c) => c.name() === w) ?? at;
        const names = visibleSubcommands(at).map((c) => c.name());
        return reportError(new UnknownCommandError(word, e.path, suggestCommands(word, names)), deps.io, false);
      }
      return reportParseFailure(e, deps.io);
    }
    let context: string | undefined;
    if (e instanceof ConnectionError && e.refused) {
      try {
        const cfg = await deps.config();
        context = typeof cfg.currentContext === "string" ? cfg.currentContext : undefined;
      } catch {
        context = undefined;
      }
    }
    return reportError(e, deps.io, envDebug || state.verbosity >= 6, { commandPath: state.path, context });
  }
}

/** Where an error happened, for its wording. */
export interface ErrorContext {
  /** "skiff get": named in the usage hint. */
  commandPath?: string;
  /** The kubeconfig context in use; "skiff" adds the `skiff cluster up` hint to refusals. */
  context?: string;
}

function isLocal(target: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?$/.test(target);
}

/** kubectl's rendering of a Status (StandardErrorMessage + the Invalid special case). */
export function formatApiError(e: ApiError): string {
  const s: Status = e.status;
  if (s.reason === "Invalid") {
    const d = s.details;
    if (!d) return `The request is invalid${s.message ? `: ${s.message}` : ""}`;
    const head = d.kind || d.name ? `The ${d.kind ?? ""} "${d.name ?? ""}" is invalid` : `The request is invalid${s.message ? `: ${s.message}` : ""}`;
    const causes = [...new Set((d.causes ?? []).map((c) => `${c.field ?? ""}: ${c.message ?? ""}`))];
    if (causes.length === 0) return head;
    if (causes.length === 1) return `${head}: ${causes[0]}`;
    return `${head}: \n${causes.map((c) => `* ${c}`).join("\n")}`;
  }
  return formatStatusLine(s);
}

function formatStatusLine(s: Status): string {
  const message = s.message ?? "";
  if (s.reason === "Unauthorized") return `error: You must be logged in to the server (${message || "Unauthorized"})`;
  if (s.reason) return `Error from server (${s.reason}): ${message}`;
  return `Error from server: ${message}`;
}

function messageOf(e: unknown): string {
  if (e instanceof ApiError) return formatStatusLine(e.status);
  if (e instanceof ConnectionError) return connectionMessage(e);
  const msg = e instanceof Error ? e.message : String(e);
  return msg.startsWith("error: ") || msg.startsWith("Error in configuration") ? msg : `error: ${msg}`;
}

function connectionMessage(e: ConnectionError): string {
  return e.refused
    ? `The connection to the server ${e.target} was refused - did you specify the right host or port?`
    : `Unable to connect to the server: ${e.message}`;
}

/**
 * Writes e to io.err in kubectl's words and returns the exit code (STYLE §6,
 * cli-conventions §10.2). Stack traces only when debug (--v≥6 or SKIFF_DEBUG=1), and never
 * for usage or server errors. An AggregateError prints one line per error, as kubectl's
 * aggregated errors do; with a single error it reports that error alone.
 */
export function reportError(e: unknown, io: IOStreams, debug: boolean, ctx: ErrorContext = {}): number {
  const path = ctx.commandPath ?? PROGRAM;
  const line = (s: string): void => io.err.write(s.endsWith("\n") ? s : `${s}\n`);
  if (e instanceof ExitCodeError) {
    if (e.message) line(e.message);
    return e.code;
  }
  if (e instanceof AggregateError && e.errors.length === 1) return reportError(e.errors[0], io, debug, ctx);
  if (e instanceof AggregateError && e.errors.length > 1) {
    for (const x of e.errors) line(x instanceof ApiError ? formatStatusLine(x.status) : messageOf(x));
    return 1;
  }
  if (e instanceof UnknownCommandError) {
    const hint = e.suggestions.length ? `\n\nDid you mean this?\n${e.suggestions.map((s) => `\t${s}\n`).join("")}` : "";
    line(`error: ${e.message}${hint}`);
    return 1;
  }
  if (e instanceof UsageError) {
    line(`error: ${e.message}\nSee '${e.command ?? path} -h' for help and examples`);
    return 1;
  }
  if (e instanceof ApiError) {
    line(formatApiError(e));
    return 1;
  }
  const problems = (e as { problems?: unknown } | null)?.problems;
  if (e instanceof Error && Array.isArray(problems) && problems.length > 0) {
    // kubeconfig validation problems (ConfigError), as kubectl's checkErr words them
    line(problems.length === 1 ? `Error in configuration: ${String(problems[0])}`
      : `Error in configuration: \n${problems.map((p) => `* ${String(p)}`).join("\n")}`);
    return 1;
  }
  if (e instanceof ConnectionError) {
    line(connectionMessage(e));
    if (e.refused && (ctx.context === "skiff" || isLocal(e.target))) {
      line(`To start the embedded cluster, run: ${PROGRAM} cluster up`);
    }
    if (debug && e.stack) line(e.stack);
    return 1;
  }
  line(messageOf(e));
  if (debug && e instanceof Error && e.stack) line(e.stack);
  return 1;
}
