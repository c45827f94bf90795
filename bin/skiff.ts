// The skiff executable: builds the real Deps, runs main, and leaves the exit code to Node.
import { realDeps } from "../src/deps.ts";
import { main } from "../src/main.ts";

// A closed pipe (`skiff get pods | head -1`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

// No top-level await: the single executable runs this as a CommonJS bundle.
void main(process.argv.slice(2), realDeps()).then((code) => { process.exitCode = code; });
