// Loads the control plane (engine.ts) for the commands that run it. In the executable the
// engine is a separate bundle stored beside the CLI's (a SEA asset, see scripts/build.mjs), so
// that every other command starts without deserializing it: the CLI bundle is about half the
// size, and start-up time follows it. From a source checkout it is an ordinary import.

type Engine = typeof import("./engine.ts");

/** The asset holding the engine bundle; defined by the build, absent in a source checkout. */
declare const SKIFF_ENGINE_ASSET: string | undefined;
/** The bundle's untouched require (the build's banner defines it). */
declare const __skiffRequire: NodeJS.Require | undefined;

let engine: Promise<Engine> | undefined;

/** Whether the engine is a bundle of its own, with its own copies of the API classes. */
export function engineIsSeparate(): boolean {
  return typeof SKIFF_ENGINE_ASSET === "string";
}

export function loadEngine(): Promise<Engine> {
  // The test is spelled out (not engineIsSeparate()) so that esbuild folds it and leaves the
  // engine's import, and so the whole control plane, out of the CLI bundle.
  engine ??= typeof SKIFF_ENGINE_ASSET === "string" ? Promise.resolve(fromAsset(SKIFF_ENGINE_ASSET)) : import("./engine.ts");
  return engine;
}

/** Runs the engine bundle as a CommonJS module with the executable's own require. */
function fromAsset(name: string): Engine {
  const source = process.getBuiltinModule("node:sea").getAsset(name, "utf8");
  const { compileFunction } = process.getBuiltinModule("node:vm");
  const module = { exports: {} as Record<string, unknown> };
  const run = compileFunction(source, ["exports", "require", "module", "__filename", "__dirname"], { filename: `skiff:${name}` });
  run(module.exports, __skiffRequire, module, process.execPath, process.getBuiltinModule("node:path").dirname(process.execPath));
  return module.exports as unknown as Engine;
}
