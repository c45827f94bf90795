// Every command skiff has: one import per line, sorted; main registers them in this order's groups.
import type { CommandSpec } from "./command.ts";
import annotate from "./annotate.ts";
import apiResources from "./api-resources.ts";
import apply from "./apply.ts";
import cancelBuild from "./cancel-build.ts";
import clusterDown from "./cluster/down.ts";
import clusterStatus from "./cluster/status.ts";
import clusterUp from "./cluster/up.ts";
import completion from "./completion.ts";
import configCurrentContext from "./config/current-context.ts";
import configGetContexts from "./config/get-contexts.ts";
import configSetContext from "./config/set-context.ts";
import configUseContext from "./config/use-context.ts";
import configView from "./config/view.ts";
import cordon from "./cordon.ts";
import create from "./create.ts";
import del from "./delete.ts";
import describe from "./describe.ts";
import drain from "./drain.ts";
import edit from "./edit.ts";
import expose from "./expose.ts";
import get from "./get.ts";
import label from "./label.ts";
import login from "./login.ts";
import logout from "./logout.ts";
import minionStart from "./minion/start.ts";
import logs from "./logs.ts";
import newApp from "./new-app.ts";
import newProject from "./new-project.ts";
import patch from "./patch.ts";
import processCmd from "./process.ts";
import project from "./project.ts";
import projects from "./projects.ts";
import replace from "./replace.ts";
import rollback from "./rollback.ts";
import rollingUpdate from "./rolling-update.ts";
import { ROLLOUT_COMMANDS } from "./rollout.ts";
import run from "./run.ts";
import scale from "./scale.ts";
import server from "./server.ts";
import startBuild from "./start-build.ts";
import status from "./status.ts";
import tag from "./tag.ts";
import uncordon from "./uncordon.ts";
import version from "./version.ts";
import wait from "./wait.ts";
import whoami from "./whoami.ts";

/** All commands; nested ones are named "parent child" (e.g. "cluster up"). */
export const COMMANDS: CommandSpec<any, any>[] = [
  annotate,
  apiResources,
  apply,
  cancelBuild,
  clusterDown,
  clusterStatus,
  clusterUp,
  completion,
  configCurrentContext,
  configGetContexts,
  configSetContext,
  configUseContext,
  configView,
  cordon,
  create,
  del,
  describe,
  drain,
  edit,
  expose,
  get,
  label,
  login,
  logout,
  minionStart,
  logs,
  newApp,
  newProject,
  patch,
  processCmd,
  project,
  projects,
  replace,
  rollback,
  rollingUpdate,
  ...ROLLOUT_COMMANDS,
  run,
  scale,
  server,
  startBuild,
  status,
  tag,
  uncordon,
  version,
  wait,
  whoami,
];
