// kubeconfig loading, merging and writing (placeholder contract; see the full implementation).
export interface LoadedConfig {
  /** The namespace the context (or -n) says, else "default". */
  namespace: string;
  [extra: string]: unknown;
}
