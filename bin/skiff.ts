// The skiff executable: builds the real Deps, runs main, and leaves the exit code to Node.
import { mayPreconnect, mayTalkToServer, realDeps } from "../src/deps.ts";
import { main } from "../src/main.ts";

function run(): void {
  const argv = process.argv.slice(2);
  // Loading node:tls starts reading the root certificates (and NODE_EXTRA_CA_CERTS, a whole
  // system bundle on many machines) on another thread, which a secure context that needs them
  // waits for (no CA in the kubeconfig, or a certificate left to OpenSSL: direct-trust.ts).
  // Started here, that overlaps with reading the kubeconfig and parsing the command line.
  if (mayTalkToServer(argv)) process.getBuiltinModule("node:tls");
  // A closed pipe (`skiff get pods | head -1`) is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // No top-level await: the single executable runs this as a CommonJS bundle.
  // The connection to the current context's server opens first; main starts on the next turn of
  // the event loop (the TCP connection up, the TLS hello sent) and parses the command line while
  // the server answers.
  const deps = realDeps();
  const start = (): void => void main(argv, deps).then((code) => {
    process.exitCode = code;
    // Node's orderly teardown of the heap costs a short command ~2 ms. Skip it when nothing is
    // left to do: all output written and no handle but stdio keeping the process alive.
    const idle = process.getActiveResourcesInfo().every((r) => r === "TTYWrap" || r === "PipeWrap");
    if (idle && process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  });
  if (mayPreconnect(argv)) void deps.preconnect().then(() => setImmediate(start));
  else start();
}

// The single executable starts from a V8 snapshot taken after this file ran once at build time
// (scripts/build.mjs): then `run` is what each start executes, after a warm-up whose compiled
// code the snapshot keeps.
const { startupSnapshot } = process.getBuiltinModule("node:v8");
if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.setDeserializeMainFunction(run);
  // node:tls cannot be part of a snapshot, but node:crypto, most of what it loads, can: loaded
  // here, it makes a connecting command's `require("node:tls")` 2 ms instead of 3. (Nothing
  // random is drawn at build time; every process seeds its own.)
  process.getBuiltinModule("node:crypto");
  void import("../src/cli/snapshot.ts").then((m) => m.warmUp());
} else {
  run();
}
