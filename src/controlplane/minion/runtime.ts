// The Runtime seam between a minion and whatever runs containers: the minion tells it which
// pods should run or stop, and reads back their observed status, events and logs.
import type { Condition, ContainerStatus, Pod } from "../../api/types.ts";
import type { Clock } from "../../deps.ts";

/** What a container log request asks for (the kubelet's PodLogOptions, already validated). */
export interface ContainerLogQuery {
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
  /** Ends a followed stream. */
  signal?: AbortSignal;
}

/** The part of a pod's status the runtime owns; the minion merges it into the stored status. */
export interface PodRuntimeStatus {
  phase: "Pending" | "Running" | "Succeeded" | "Failed";
  /** PodReadyToStartContainers, Initialized, Ready, ContainersReady — in that order. */
  conditions: Condition[];
  containerStatuses: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  podIP?: string;
  hostIP: string;
  startTime: string;
}

/** What a minion hands its runtime once the node is registered. */
export interface RuntimeContext {
  nodeName: string;
  /** The node's InternalIP, reported as each pod's hostIP. */
  hostIP: string;
  /** Where pod IPs come from. */
  podCIDR: string;
  clock: Clock;
  random: () => number;
  /** The pod with this uid may have a new status: the minion re-reads status(uid). */
  changed(uid: string): void;
  /** Records a kubelet event about the pod (fieldPath e.g. `spec.containers{app}`). */
  event(pod: Pod, type: "Normal" | "Warning", reason: string, message: string, fieldPath?: string): void;
}

/**
 * Runs pods for one minion. Level-triggered: `sync` is called with the latest pod on every
 * change and after restarts, and must be idempotent. A pod the runtime does not know whose
 * stored status shows started containers is adopted (the minion restarted), not started again.
 */
export interface Runtime {
  /** Called once, before anything else, when the node is registered. */
  attach(ctx: RuntimeContext): void;
  /** Makes the pod's containers run as its spec and annotations say (adopting it if needed). */
  sync(pod: Pod): void;
  /** Stops the pod's containers (graceful within the grace period); resolves once stopped. */
  kill(pod: Pod, gracePeriodSeconds: number): Promise<void>;
  /** Forgets the pod: frees its IP and drops its logs. */
  remove(uid: string): void;
  /** The pod's observed status, or undefined when the runtime does not know it. */
  status(uid: string): PodRuntimeStatus | undefined;
  /** Uids of every pod the runtime holds. */
  pods(): string[];
  /**
   * A container's log: the text, or (follow) chunks until the container stops or the signal
   * aborts. Throws ApiError 400 with the kubelet's messages (waiting to start, no previous
   * instance, unknown container).
   */
  logs(uid: string, container: string, q: ContainerLogQuery): string | AsyncIterable<string>;
  /** Stops every timer; pods are left as they are (a restarted minion adopts them). */
  close(): void;
}
