// The control plane's entry points for the CLI: everything `skiff server` and `skiff minion
// start` run (API server, storage, controllers, minions, certificates). In the executable it is
// a bundle of its own, loaded only by those commands (load-engine.ts).
export { runMinion, type RunMinionOptions } from "./minion/main.ts";
export { runServer, type RunServerOptions } from "./server-main.ts";
