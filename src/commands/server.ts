// `skiff server`: runs the control plane in the foreground (what `cluster up` starts in the background).
import { defineCommand } from "./command.ts";
import { UsageError } from "../errors.ts";
import { parseCount } from "./cluster/up.ts";

interface ServerFlags { dataDir?: string; port?: string; listen?: string }

export interface ServerOptions { dataDir: string; port: number; listen?: string }

export default defineCommand<ServerFlags, ServerOptions>({
  name: "server",
  summary: "Run the control plane in the foreground",
  group: "Advanced Commands",
  examples: ["skiff server --data-dir /var/lib/skiff --port 6443", "skiff server --data-dir ./data --port 0 --listen 0.0.0.0"],
  flags: (c) => c
    .requiredOption("--data-dir <dir>", "Directory for the database, certificates and token")
    .option("--port <port>", "HTTPS port; 0 picks a free one", "6443")
    .option("--listen <address>", "Address to listen on", "127.0.0.1"),
  complete(args, flags) {
    if (args.length > 0) throw new UsageError(`unexpected arguments: ${args.join(" ")}`);
    if (!flags.dataDir) throw new UsageError("--data-dir is required");
    return { dataDir: flags.dataDir, port: parseCount("port", flags.port ?? "6443", 65535)!, listen: flags.listen };
  },
  async run(o, deps) {
    const { runServer } = await import("../controlplane/server-main.ts");
    await runServer({ dataDir: o.dataDir, port: o.port, listen: o.listen, log: (line: string) => deps.io.err.write(`${line}\n`) });
  },
});
