// The adapters of the virtual rows, keyed by resource table key: the API server serves these
// through serveVirtual instead of the generic registry.
import type { Resource } from "../../../api/resources.ts";
import { imageStreamTagsAdapter } from "./image-stream-tags.ts";
import { openShiftRoleBindingsAdapter } from "./openshift-role-bindings.ts";
import { projectRequestsAdapter, projectsAdapter } from "./projects.ts";
import type { VirtualResource } from "./virtual.ts";

export { serveVirtual, type VirtualContext, type VirtualResource } from "./virtual.ts";

/** Rows served by an adapter; every other row is stored through the registry. */
export const VIRTUAL: Partial<Record<Resource, VirtualResource>> = {
  projects: projectsAdapter,
  projectrequests: projectRequestsAdapter,
  imagestreamtags: imageStreamTagsAdapter,
  openshiftrolebindings: openShiftRoleBindingsAdapter,
};
