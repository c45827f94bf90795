// `skiff start-build`: instantiate a BuildConfig (or clone a build) as `oc start-build` does,
// optionally following the build's log or waiting for it to finish.
import type { Build } from "../api/openshift-types.ts";
import type { ApiObject, EnvVar } from "../api/types.ts";
import { collect } from "../cli/flags.ts";
import type { Deps } from "../deps.ts";
import { CliError, UsageError } from "../errors.ts";
import { writeBuildLog } from "./build-logs.ts";
import { defineCommand } from "./command.ts";

interface StartBuildFlags {
  follow?: boolean;
  wait?: boolean;
  env: string[];
  buildArg: string[];
  commit?: string;
  fromBuild?: string;
  incremental?: boolean;
  noCache?: boolean;
  output?: string;
}

export interface StartBuildOptions {
  /** The BuildConfig (absent with --from-build). */
  buildConfig?: string;
  fromBuild?: string;
  follow: boolean;
  wait: boolean;
  env: EnvVar[];
  buildArgs: EnvVar[];
  commit?: string;
  incremental?: boolean;
  noCache?: boolean;
  nameOnly: boolean;
}

const TERMINAL = new Set(["Complete", "Failed", "Error", "Cancelled"]);

/** `K=V` → EnvVar; UsageError naming the flag otherwise. */
export function parseEnvArg(s: string, flag: string): EnvVar {
  const i = s.indexOf("=");
  if (i <= 0) throw new UsageError(`${flag} must be of the form KEY=VALUE: "${s}"`);
  return { name: s.slice(0, i), value: s.slice(i + 1) };
}

/** Waits until the build ends; resolves with it. */
async function waitForBuild(deps: Deps, ns: string, name: string): Promise<Build> {
  const client = await deps.client();
  for (;;) {
    const b = await client.get("builds", ns, name) as Build;
    if (TERMINAL.has(b.status?.phase ?? "")) return b;
    await deps.clock.sleep(250, deps.signal);
  }
}

export default defineCommand<StartBuildFlags, StartBuildOptions>({
  name: "start-build",
  summary: "Start a new build",
  group: "Build and Deploy Commands",
  args: "[BUILD_CONFIG]",
  completeArgs: { resource: "buildconfigs", max: 1 },
  examples: [
    "# Starts build from build config \"hello-world\"\nskiff start-build hello-world",
    "# Starts build from a previous build \"hello-world-1\"\nskiff start-build --from-build=hello-world-1",
    "# Start a build and follow its log\nskiff start-build hello-world --follow",
    "# Start a build with an environment variable, and wait for it to finish\nskiff start-build hello-world -e DEBUG=1 --wait",
  ],
  flags: (c) => c
    .option("-F, --follow", "Start a build and watch its logs until it completes or fails")
    .option("-w, --wait", "Wait for a build to complete and exit with a non-zero return code if the build fails")
    .option("-e, --env <KEY=VALUE>", "Specify a key-value pair for an environment variable to set for the build container.", collect, [])
    .option("--build-arg <KEY=VALUE>", "Specify a key-value pair to pass to Docker during the build.", collect, [])
    .option("--commit <sha>", "Specify the source code commit identifier the build should use; requires a build based on a Git repository")
    .option("--from-build <build>", "Specify the name of a build which should be re-run")
    .option("--incremental", "Overrides the incremental setting in a source-strategy build, ignored if not specified")
    .option("--no-cache", "Overrides the noCache setting in a docker-strategy build, ignored if not specified")
    .option("-o, --output <format>", "Output mode. Use \"-o name\" for shorter output (resource/name)."),
  complete(args, flags) {
    if (args.length > 1) throw new UsageError("start-build takes at most one build config name");
    if (args.length === 0 && !flags.fromBuild) {
      throw new UsageError("Must pass a name of a build config or specify build name with '--from-build' flag.\nUse \"skiff get buildconfig\" to list all available build configs.");
    }
    if (flags.output !== undefined && flags.output !== "name") throw new UsageError(`unsupported output format "${flags.output}"; only "name" is supported`);
    return {
      buildConfig: args[0], fromBuild: flags.fromBuild,
      follow: flags.follow ?? false, wait: flags.wait ?? false,
      env: flags.env.map((e) => parseEnvArg(e, "--env")),
      buildArgs: flags.buildArg.map((e) => parseEnvArg(e, "--build-arg")),
      commit: flags.commit, incremental: flags.incremental,
      // commander turns --no-cache into cache: false; only an explicit flag overrides the BC.
      noCache: (flags as { cache?: boolean }).cache === false ? true : undefined,
      nameOnly: flags.output === "name",
    };
  },
  validate(o) {
    if (o.buildConfig && o.fromBuild) throw new UsageError("cannot pass both a build config name and '--from-build'");
  },
  async run(o, deps) {
    const client = await deps.client();
    const ns = client.namespace;
    const req: Record<string, unknown> = {
      kind: "BuildRequest", apiVersion: "build.openshift.io/v1",
      metadata: { name: o.fromBuild ?? o.buildConfig },
      triggeredBy: [{ message: "Manually triggered" }],
    };
    if (o.env.length > 0) req.env = o.env;
    if (o.commit) req.revision = { type: "Git", git: { commit: o.commit } };
    if (o.buildArgs.length > 0 || o.noCache) req.dockerStrategyOptions = { ...(o.buildArgs.length > 0 ? { buildArgs: o.buildArgs } : {}), ...(o.noCache ? { noCache: true } : {}) };
    if (o.incremental) req.sourceStrategyOptions = { incremental: true };
    const build = (o.fromBuild
      ? await client.postSubresource("builds", ns, o.fromBuild, "clone", req as unknown as ApiObject)
      : await client.postSubresource("buildconfigs", ns, o.buildConfig!, "instantiate", req as unknown as ApiObject)) as Build;
    const name = build.metadata.name ?? "";
    deps.io.out.write(o.nameOnly ? `build.build.openshift.io/${name}\n` : `build.build.openshift.io/${name} started\n`);
    if (o.follow) {
      await writeBuildLog(client, ns, name, { follow: true, signal: deps.signal }, (s) => deps.io.out.write(s), deps);
    }
    if (o.wait || o.follow) {
      const done = await waitForBuild(deps, ns, name);
      const phase = done.status?.phase ?? "";
      // matches oc, which fails --wait (and --follow) unless the build completed
      if (phase !== "Complete" && o.wait) throw new CliError(`the build ${ns}/${name} status is "${phase}"`);
    }
  },
});
