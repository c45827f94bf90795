// The hidden `__complete` and `__completeNoDesc` requests the shell scripts make on every TAB:
// the commander tree as completion sees it, and one answer in cobra's protocol.
import type { Command, Option } from "commander";
import type { ConnectionFlags, Deps } from "../deps.ts";
import { completeLine, parseLine, type CommandNode, type FlagInfo } from "../cli/completion/engine.ts";
import { Directive, directiveName, formatCompletion, type Completion } from "../cli/completion/protocol.ts";
import { serverSource } from "../cli/completion/server.ts";
import type { CommandSpec } from "./command.ts";

/** With descriptions (`word\tsummary`). */
export const COMPLETE_REQUEST = "__complete";
/** The same without descriptions. */
export const COMPLETE_NO_DESC_REQUEST = "__completeNoDesc";

/** Whether argv is a completion request (the shell scripts put it first). */
export function isCompletionRequest(argv: readonly string[]): boolean {
  return argv[0] === COMPLETE_REQUEST || argv[0] === COMPLETE_NO_DESC_REQUEST;
}

const CONNECTION_KEYS: Record<string, keyof ConnectionFlags> = {
  kubeconfig: "kubeconfig", context: "context", cluster: "cluster", user: "user", server: "server", token: "token",
  namespace: "namespace", "certificate-authority": "certificateAuthority", "request-timeout": "requestTimeout",
};

function flagInfo(o: Option, globals: ReadonlySet<string>): FlagInfo {
  const long = o.long?.replace(/^--/, "");
  return {
    long,
    short: o.short?.replace(/^-/, ""),
    description: o.description,
    // Optional-value flags (`--dry-run[=x]`) take a value only after `=`, as pflag's NoOptDefVal ones do.
    takesValue: o.required,
    repeatable: o.variadic || Array.isArray(o.defaultValue),
    // Connection flags are hidden from subcommand help but belong to every command, as kubectl's persistent flags.
    hidden: o.hidden && !(long !== undefined && globals.has(long)),
  };
}

/**
 * The command tree as completion sees it, built from the registered commander program:
 * names, aliases, summaries, every flag (connection flags included), and each command's
 * CompleteArgs from its spec (matched by path).
 */
export function commandTree(program: Command, specs: readonly CommandSpec<any, any>[]): CommandNode {
  const globals = new Set(program.options.map((o) => o.long?.replace(/^--/, "") ?? ""));
  const bySpec = new Map(specs.map((s) => [s.name, s]));
  const build = (cmd: Command, path: string): CommandNode => {
    const children = cmd.commands.map((c) => build(c, path ? `${path} ${c.name()}` : c.name()));
    const flags = cmd.options.map((o) => flagInfo(o, globals));
    flags.push({ long: "help", short: "h", description: `help for ${cmd.name()}`, takesValue: false, repeatable: false, hidden: false });
    return {
      path,
      name: cmd.name(),
      aliases: cmd.aliases(),
      summary: cmd.summary() || cmd.description(),
      hidden: Boolean((cmd as unknown as { _hidden?: boolean })._hidden),
      flags,
      children,
      takesArgs: cmd.registeredArguments.length > 0 && children.length === 0,
      completeArgs: bySpec.get(path)?.completeArgs,
    };
  };
  return build(program, "");
}

/**
 * Answers one completion request (argv starts with `__complete` or `__completeNoDesc`): the
 * candidates and `:<directive>` on stdout, `Completion ended with directive: …` on stderr,
 * exit code 0. Descriptions are also off when SKIFF_COMPLETION_DESCRIPTIONS is false, as
 * cobra's <PROGRAM>_COMPLETION_DESCRIPTIONS. Never throws: a failure answers the Error directive.
 */
export async function runCompletionRequest(argv: readonly string[], program: Command,
  specs: readonly CommandSpec<any, any>[], deps: Deps): Promise<number> {
  const envDesc = deps.env.SKIFF_COMPLETION_DESCRIPTIONS;
  const descriptions = argv[0] === COMPLETE_REQUEST && !(envDesc !== undefined && /^(0|f|false)$/i.test(envDesc));
  let result: Completion;
  try {
    const root = commandTree(program, specs);
    const line = parseLine(root, argv.slice(1));
    // Connection flags on the line choose the cluster the names come from (`--context x get pods <TAB>`).
    const flags: ConnectionFlags = {};
    for (const [long, key] of Object.entries(CONNECTION_KEYS)) {
      const v = line.flags.get(long);
      if (v?.length) (flags as Record<string, string>)[key] = v[v.length - 1];
    }
    if (line.flags.has("insecure-skip-tls-verify")) flags.insecureSkipTlsVerify = true;
    deps.flags = flags;
    result = await completeLine(line, root, serverSource(deps));
  } catch (e) {
    deps.io.err.write(`[Error] ${e instanceof Error ? e.message : String(e)}\n`);
    result = { candidates: [], directive: Directive.Error };
  }
  deps.io.out.write(formatCompletion(result, descriptions));
  deps.io.err.write(`Completion ended with directive: ${directiveName(result.directive)}\n`);
  return 0;
}
