// Which positional arguments complete to what, per command path: the table shell completion reads
// when a command's CommandSpec has no `completeArgs` of its own (that field wins).
import type { CompleteArgs } from "../../commands/command.ts";

/**
 * Command path (as typed after `skiff`) → what its positionals complete to. Rows for commands
 * skiff does not have yet are harmless: they take effect the day the command is registered,
 * unless its CommandSpec says otherwise.
 */
export const ARG_COMPLETIONS: Readonly<Record<string, CompleteArgs>> = {
  get: "resource-then-names",
  describe: "resource-then-names",
  delete: "resource-then-names",
  edit: "resource-then-names",
  label: "resource-then-names",
  annotate: "resource-then-names",
  patch: "resource-then-names",
  explain: "resource-then-names",
  wait: "resource-then-names",
  logs: { resource: "pods", max: 1 },
  exec: { resource: "pods", max: 1 },
  rsh: { resource: "pods", max: 1 },
  attach: { resource: "pods", max: 1 },
  "port-forward": { resource: "pods", max: 1 },
  "start-build": { resource: "buildconfigs", max: 1 },
  "cancel-build": { resource: "builds" },
  process: { resource: "templates", max: 1 },
  project: { resource: "projects", max: 1 },
  scale: { resources: ["replicationcontrollers", "deploymentconfigs", "deployments", "replicasets", "statefulsets"] },
  autoscale: { resources: ["replicationcontrollers", "deploymentconfigs", "deployments", "replicasets", "statefulsets"] },
  expose: { resources: ["pods", "services", "replicationcontrollers", "deploymentconfigs", "deployments", "replicasets"] },
  "rollout status": { resources: ["deploymentconfigs", "deployments", "daemonsets", "statefulsets"] },
  "rollout history": { resources: ["deploymentconfigs", "deployments", "daemonsets", "statefulsets"] },
  "rollout latest": { resources: ["deploymentconfigs"] },
  "rollout undo": { resources: ["deploymentconfigs", "deployments", "daemonsets", "statefulsets"] },
  rollback: { resource: "deploymentconfigs", max: 1 },
  "config use-context": { kubeconfig: "contexts", max: 1 },
  "config get-contexts": { kubeconfig: "contexts" },
  "config delete-context": { kubeconfig: "contexts" },
  "config rename-context": { kubeconfig: "contexts", max: 1 },
  "config set-context": { kubeconfig: "contexts", max: 1 },
  "config delete-cluster": { kubeconfig: "clusters" },
  "config delete-user": { kubeconfig: "users" },
  "cluster up": "none",
  "cluster down": "none",
  "cluster status": "none",
  version: "none",
  whoami: "none",
  logout: "none",
};
