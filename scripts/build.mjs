// Builds dist/skiff: one executable file (a Node 24 single-executable application) holding the
// CLI, the control plane and the minion agent. esbuild bundles → SEA blob (start-up snapshot of
// the CLI, the control plane as an asset) → postject into a copy of the Node 24 binary that npm
// installed (node_modules/node).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// SKIFF_DIST builds elsewhere (a side-by-side build for timing comparisons).
const dist = process.env.SKIFF_DIST ?? join(root, "dist");
const entry = process.env.SKIFF_ENTRY ?? join(root, "bin", "skiff.ts");
const bundle = join(dist, "skiff.cjs");
const engineBundle = join(dist, "engine.cjs");
const ENGINE_ASSET = "engine.cjs";
const blob = join(dist, "skiff.blob");
const seaConfig = join(dist, "sea-config.json");
const out = join(dist, "skiff");

function step(what) {
  process.stderr.write(`build: ${what}\n`);
}

/** The Node 24 binary from node_modules, whatever `node` the machine has on its PATH. */
function nodeBinary() {
  const candidates = [join(root, "node_modules", "node", "bin", "node"), process.execPath];
  for (const c of candidates) {
    if (!existsSync(c)) continue;
    const v = execFileSync(c, ["--version"], { encoding: "utf8" }).trim();
    if (v.startsWith("v24.")) return c;
  }
  throw new Error("Node 24 not found: run `npm ci` first (node@24 is a devDependency)");
}

// Start-up time is a feature: a command that never spawns or connects must not pay for loading
// child_process, net, tls, https or sqlite. The bundle's `require` hands out a lazy stand-in for
// these built-ins that loads the real module on first use. Their export names are taken here, at
// build time, from the same Node 24 the executable embeds, so that esbuild's ESM interop (which
// lists a module's keys) does not force the load.
// node:sea is here too because its state must be read at run time, never in the snapshot.
const LAZY = ["child_process", "net", "tls", "http", "https", "crypto", "zlib", "sqlite", "readline", "dgram",
  "dns", "worker_threads", "http2", "sea"];
const lazyKeys = Object.fromEntries(LAZY.flatMap((m) => {
  const keys = Object.getOwnPropertyNames(process.getBuiltinModule(`node:${m}`));
  return [[m, keys], [`node:${m}`, keys]];
}));
const LAZY_BUILTINS = `var __skiff_import_meta_url="file://"+__filename;
var __skiffRequire=require,__skiffLazy=${JSON.stringify(lazyKeys)};
require=function(id){var keys=__skiffLazy[id];if(!keys)return __skiffRequire(id);var m;var load=function(){return m||(m=__skiffRequire(id))};
return new Proxy({},{get:function(_,k){return load()[k]},has:function(_,k){return keys.indexOf(k)>=0||k in load()},
ownKeys:function(){return keys.slice()},
getOwnPropertyDescriptor:function(_,k){return keys.indexOf(k)>=0?{value:undefined,writable:true,enumerable:true,configurable:true}:undefined}})};`;

mkdirSync(dist, { recursive: true });
const node = nodeBinary();
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

step("bundling with esbuild");
const esbuild = await import("esbuild");
const common = {
  bundle: true,
  platform: "node",
  target: "node24",
  format: "cjs",                    // a SEA's main script is CommonJS on Node 24
  minify: process.env.SKIFF_NO_MINIFY ? false : true,
  keepNames: false,
  legalComments: "none",
  banner: { js: LAZY_BUILTINS },
  logLevel: "warning",
};
const defines = { SKIFF_VERSION: JSON.stringify(pkg.version), "import.meta.url": "__skiff_import_meta_url" };
// Two bundles: the CLI (the SEA's main script, in the start-up snapshot) and the control plane
// (`skiff server`, `skiff minion start`), a SEA asset the CLI compiles only for those commands
// (src/controlplane/load-engine.ts). Every other command then starts from a snapshot half the
// size. With SKIFF_ENGINE_ASSET defined, the CLI bundle holds no control-plane code.
const cli = await esbuild.build({ ...common, entryPoints: [entry], outfile: bundle, metafile: true, define: { ...defines, SKIFF_ENGINE_ASSET: JSON.stringify(ENGINE_ASSET) } });
// An import that reaches the engine another way would quietly double the CLI's start-up snapshot.
const leaked = Object.keys(cli.metafile.inputs).filter((f) => /^src\/controlplane\/(apiserver|storage)\/|^node_modules\/@peculiar\//.test(f));
if (leaked.length > 0) throw new Error(`the CLI bundle holds control-plane code (see src/controlplane/load-engine.ts): ${leaked.slice(0, 5).join(", ")}`);
await esbuild.build({ ...common, entryPoints: [join(root, "src", "controlplane", "engine.ts")], outfile: engineBundle, define: defines });

step(`writing the SEA blob (with a ${process.env.SKIFF_NO_SNAPSHOT ? "code cache" : "startup snapshot"})`);
writeFileSync(seaConfig, JSON.stringify({
  main: bundle,
  output: blob,
  disableExperimentalSEAWarning: true,
  // A V8 startup snapshot taken after bin/skiff.ts ran its warm-up (src/cli/snapshot.ts): module
  // top-level code and the warmed paths' compiled code come ready, which a code cache (~6 ms
  // slower for `get pods`) does not give. SKIFF_NO_SNAPSHOT=1 builds with a code cache instead.
  useCodeCache: Boolean(process.env.SKIFF_NO_SNAPSHOT),
  useSnapshot: !process.env.SKIFF_NO_SNAPSHOT,
  assets: { [ENGINE_ASSET]: engineBundle },
  // A larger young generation: a short-lived CLI otherwise spends ~7 ms of its start in scavenges.
  execArgv: ["--max-semi-space-size=32"],
}));
execFileSync(node, ["--experimental-sea-config", seaConfig], { stdio: "inherit" });

step("injecting into a copy of Node " + execFileSync(node, ["--version"], { encoding: "utf8" }).trim());
rmSync(out, { force: true });
copyFileSync(node, out);
chmodSync(out, 0o755);
// Debug sections make the copy ~30 MB larger and slower to map; strip them when we can.
try {
  execFileSync("strip", ["--strip-debug", out], { stdio: "ignore" });
} catch {
  // strip is optional (binutils); the binary works either way.
}
const postject = join(root, "node_modules", "postject", "dist", "cli.js");
try {
  // postject's ELF library warns about the stripped note sections; show its output only on failure.
  execFileSync(node, [postject, out, "NODE_SEA_BLOB", blob,
    "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"], { stdio: "pipe" });
} catch (e) {
  process.stderr.write(String(e.stderr ?? e.message));
  process.exit(1);
}
rmSync(blob, { force: true });
rmSync(seaConfig, { force: true });

const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
step(`done: dist/skiff (${mb} MiB)`);
