// `skiff version`: the client's version and, unless --client, the server's (GET /version).
import { defineCommand } from "./command.ts";
import { UsageError } from "../errors.ts";
import { selfVersion } from "../cli/self.ts";

interface VersionFlags { client?: boolean; output?: string }

export interface VersionOptions {
  client: boolean;
  output: "" | "json" | "yaml";
}

/** The client half of `version -o json`, shaped like kubectl's version.Info. */
export function clientVersionInfo(version = selfVersion()): Record<string, string> {
  const [major = "0", minor = "0"] = version.split(".");
  return {
    major, minor, gitVersion: `v${version}`,
    platform: `${process.platform}/${process.arch === "x64" ? "amd64" : process.arch}`,
  };
}

export default defineCommand<VersionFlags, VersionOptions>({
  name: "version",
  summary: "Print the client and server version information",
  group: "Other Commands",
  examples: ["skiff version", "skiff version --client", "skiff version -o json"],
  flags: (c) => c
    .option("--client", "If true, shows client version only (no server required).")
    .option("-o, --output <format>", "One of 'yaml' or 'json'."),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    const output = flags.output ?? "";
    // matches kubectl, which accepts only these two formats here
    if (output !== "" && output !== "json" && output !== "yaml") throw new UsageError("--output must be 'yaml' or 'json'");
    return { client: flags.client ?? false, output };
  },
  async run(o, deps) {
    const info: Record<string, unknown> = { clientVersion: clientVersionInfo() };
    if (o.output === "") {
      // The client line comes first, so it is shown even when the server cannot be reached.
      deps.io.out.write(`Client Version: ${(info.clientVersion as Record<string, string>).gitVersion}\n`);
      if (o.client) return;
      const server = await (await deps.client()).version();
      deps.io.out.write(`Server Version: ${server.gitVersion ?? "unknown"}\n`);
      return;
    }
    let failure: unknown;
    if (!o.client) {
      try {
        info.serverVersion = await (await deps.client()).version();
      } catch (e) {
        failure = e; // kubectl still prints the client half, then reports the error
      }
    }
    if (o.output === "json") deps.io.out.write(`${JSON.stringify(info, null, 2)}\n`);
    else {
      const yaml = await import("js-yaml");
      deps.io.out.write(yaml.dump(info, { lineWidth: -1 }));
    }
    if (failure !== undefined) throw failure;
  },
});
