// `skiff logout`: forgets the current user's token (the kubeconfig entry stays, without it).
import { homedir } from "node:os";
import { defineCommand } from "./command.ts";
import { CliError, UsageError } from "../errors.ts";
import { getNamedEntry, updateKubeConfig, upsertNamedEntry, writableConfigPath } from "../client/kubeconfig.ts";
import { identify } from "./whoami.ts";

export default defineCommand<Record<string, never>, null>({
  name: "logout",
  summary: "End the current server session",
  group: "Settings Commands",
  examples: ["skiff logout"],
  complete(args) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    return null;
  },
  async run(_o, deps) {
    const cfg = await deps.config();
    const userName = cfg.userName;
    const entry = userName ? getNamedEntry(cfg.merged, "users", userName) : undefined;
    if (!entry?.token) throw new CliError("You must have a token in order to logout.");
    const conn = cfg.connection;
    // The name the server knows; the kubeconfig's nickname when it cannot be asked.
    let who = userName.split("/")[0];
    const { createHttpTransport } = await import("../client/http-transport.ts");
    const t = createHttpTransport(conn);
    try {
      who = (await identify(t)).name ?? who;
    } catch {
      // an expired token or an unreachable server must not stop a logout
    } finally {
      await t.close?.();
    }
    const path = await writableConfigPath(deps.env, deps.flags, deps.env.HOME || homedir(), { section: "users", name: userName });
    await updateKubeConfig(path, (file) => {
      upsertNamedEntry(file, "users", userName, (u) => { delete u.token; });
    });
    deps.io.out.write(`Logged "${who}" out on "${conn.server}"\n`);
  },
});
