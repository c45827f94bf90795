// template.openshift.io/v1 Template and Parameter as they appear on the wire and in files.
import type { ApiObject, ObjectMeta } from "../api/types.ts";

/** One template parameter. Values are always strings; only `${{NAME}}` yields other JSON. */
export interface Parameter {
  /** `^[a-zA-Z0-9_]+$` when stored on a server (client-side processing does not check). */
  name: string;
  displayName?: string;
  description?: string;
  /** A non-empty value wins over `generate`. */
  value?: string;
  /** Generator name; the only one that exists is "expression". */
  generate?: string;
  /** Input for the generator (the expression). */
  from?: string;
  required?: boolean;
}

/** A Template: objects with `${NAME}` references, the parameters that fill them, object labels. */
export interface Template {
  kind?: string;
  /** `template.openshift.io/v1`, or the legacy bare `v1`. */
  apiVersion?: string;
  metadata: ObjectMeta;
  /** Shown after instantiation; parameters are substituted in it. */
  message?: string;
  /** Arbitrary objects, each with its own kind and apiVersion. */
  objects: ApiObject[];
  parameters?: Parameter[];
  /** Added to every object's metadata.labels ("object labels"). */
  labels?: Record<string, string>;
}

/** The result of processing: what `oc process` prints, and the final parameter values. */
export interface ProcessedTemplate {
  /** The processed objects, keys sorted at every level as oc prints them. */
  objects: ApiObject[];
  /** Parameters with their final values (generated ones included), in template order. */
  parameters: Parameter[];
  /** The substituted message, if the template has one. */
  message?: string;
  /** The whole processed Template (what the processedtemplates endpoint returns). */
  template: Template;
}
