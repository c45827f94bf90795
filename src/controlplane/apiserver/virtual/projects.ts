// Projects and project requests (project.openshift.io/v1): views over namespaces. A Project is
// its namespace renamed; a ProjectRequest creates the namespace with the display-name and
// description annotations and answers with the Project.
import { ApiError, alreadyExists, invalid, notFound, type FieldError } from "../../../api/errors.ts";
import { infoOf } from "../../../api/resources.ts";
import type { Project, ProjectRequest } from "../../../api/openshift-types.ts";
import type { ApiObject, Status } from "../../../api/types.ts";
import { validateObjectMeta } from "../../../api/validation.ts";
import type { ObjectFilter } from "../registry.ts";
import { deletedStatus, type VirtualResource } from "./virtual.ts";

export const DISPLAY_NAME = "openshift.io/display-name";
export const DESCRIPTION = "openshift.io/description";
const GROUP = "project.openshift.io";

const everything = Object.assign(() => true, { trivial: true }) as ObjectFilter;

/** The Project view of a namespace object. */
export function projectOf(ns: ApiObject): Project {
  const { kind: _k, apiVersion: _a, ...rest } = ns;
  return { kind: "Project", apiVersion: `${GROUP}/v1`, ...rest } as Project;
}

/** The namespace a Project body stands for (metadata and spec; status is the server's). */
function namespaceOf(p: ApiObject): ApiObject {
  const out: ApiObject = { apiVersion: "v1", kind: "Namespace", metadata: { ...p.metadata } };
  if (p.spec !== undefined) out.spec = p.spec;
  return out;
}

/** Re-words a namespace error as the project registry's (same causes, Project kind or resource). */
function asProjectError(e: unknown, name: string, kind = "Project"): unknown {
  if (!(e instanceof ApiError)) return e;
  const causes = e.status.details?.causes ?? [];
  switch (e.status.reason) {
    case "NotFound": return notFound(`projects.${GROUP}`, name);
    case "AlreadyExists": return alreadyExists(`${kind === "Project" ? "projects" : "project"}.${GROUP}`, name);
    case "Invalid":
      return invalid(`${kind}.${GROUP}`, name, causes.map((c) => ({ type: c.reason, field: c.field ?? "", message: c.message ?? "" }) as FieldError), GROUP);
    default: return e;
  }
}

export const projectsAdapter: VirtualResource = {
  get(c, _ns, name) {
    try {
      return projectOf(c.registry.get("namespaces", undefined, name));
    } catch (e) {
      throw asProjectError(e, name);
    }
  },
  list(c) {
    const page = c.registry.list("namespaces", undefined, { filter: everything });
    return { items: page.items.map(projectOf), rev: page.rev };
  },
  async create(c, _ns, body, opts) {
    const name = body.metadata.name ?? "";
    try {
      return projectOf(await c.registry.create("namespaces", undefined, namespaceOf(body), opts));
    } catch (e) {
      throw asProjectError(e, name);
    }
  },
  async update(c, _ns, name, body, opts) {
    try {
      const res = await c.registry.update("namespaces", undefined, name, namespaceOf(body), opts);
      return { object: projectOf(res.object), created: false };
    } catch (e) {
      throw asProjectError(e, name);
    }
  },
  async delete(c, _ns, name, opts) {
    try {
      const res = await c.registry.delete("namespaces", undefined, name, opts);
      return deletedStatus(infoOf("projects"), name, res.object.metadata.uid);
    } catch (e) {
      throw asProjectError(e, name);
    }
  },
};

/** What LIST on projectrequests answers: the permission probe `oc new-project` sends first. */
const MAY_REQUEST: Status = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 200 };

export const projectRequestsAdapter: VirtualResource = {
  listStatus: MAY_REQUEST,
  async create(c, _ns, body, opts) {
    const req = body as ProjectRequest;
    const name = req.metadata.name ?? "";
    const errs = validateObjectMeta({ ...req.metadata, namespace: undefined }, { namespaced: false, nameRule: "dns1123Label" });
    if (errs.length > 0) throw invalid(`ProjectRequest.${GROUP}`, name, errs, GROUP);
    const annotations: Record<string, string> = {
      ...(req.metadata.annotations ?? {}),
      [DESCRIPTION]: typeof req.description === "string" ? req.description : "",
      [DISPLAY_NAME]: typeof req.displayName === "string" ? req.displayName : "",
    };
    const ns: ApiObject = { apiVersion: "v1", kind: "Namespace", metadata: { name, annotations } };
    if (req.metadata.labels) ns.metadata.labels = { ...req.metadata.labels };
    try {
      return projectOf(await c.registry.create("namespaces", undefined, ns, opts));
    } catch (e) {
      throw asProjectError(e, name, "ProjectRequest");
    }
  },
};
