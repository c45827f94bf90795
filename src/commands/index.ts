// Every command skiff has: one import per line, sorted; main registers them in this order's groups.
import type { CommandSpec } from "./command.ts";
import annotate from "./annotate.ts";
import apiResources from "./api-resources.ts";
import apply from "./apply.ts";
import clusterDown from "./cluster/down.ts";
import clusterStatus from "./cluster/status.ts";
import clusterUp from "./cluster/up.ts";
import completion from "./completion.ts";
import configCurrentContext from "./config/current-context.ts";
import configGetContexts from "./config/get-contexts.ts";
import configSetContext from "./config/set-context.ts";
import configUseContext from "./config/use-context.ts";
import configView from "./config/view.ts";
import create from "./create.ts";
import del from "./delete.ts";
import describe from "./describe.ts";
import edit from "./edit.ts";
import get from "./get.ts";
import label from "./label.ts";
import login from "./login.ts";
import logout from "./logout.ts";
import replace from "./replace.ts";
import server from "./server.ts";
import version from "./version.ts";
import whoami from "./whoami.ts";

/** All commands; nested ones are named "parent child" (e.g. "cluster up"). */
export const COMMANDS: CommandSpec<any, any>[] = [
  annotate,
  apiResources,
  apply,
  clusterDown,
  clusterStatus,
  clusterUp,
  completion,
  configCurrentContext,
  configGetContexts,
  configSetContext,
  configUseContext,
  configView,
  create,
  del,
  describe,
  edit,
  get,
  label,
  login,
  logout,
  replace,
  server,
  version,
  whoami,
];
