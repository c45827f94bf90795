// BuildConfig and Build rules (build.openshift.io/v1): v1 defaults (runPolicy Serial, history
// limits 5/5, strategy and source types from their sub-objects, legacy trigger spellings),
// validation of strategy, source, output and triggers, Build phases (New on create, terminal
// phases final) and an immutable Build spec.
import { fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { Build, BuildConfig, CommonBuildSpec, ImageReference } from "../../../api/openshift-types.ts";
import { IS_NEGATIVE, validateObjectMeta, validateObjectMetaUpdate, type NameRule } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { deepEqual, isObject, prepareUpdate, takeStatusOnly } from "./common.ts";

/** path.IsValidPathSegmentName: what build and RBAC names must satisfy. */
export const pathSegmentName: NameRule = (name, prefix) => {
  const errs: string[] = [];
  if (!prefix && (name === "." || name === "..")) errs.push(`may not be '${name}'`);
  for (const bad of ["/", "%"]) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
};

const STRATEGY_KEYS = [["dockerStrategy", "Docker"], ["sourceStrategy", "Source"], ["customStrategy", "Custom"], ["jenkinsPipelineStrategy", "JenkinsPipeline"]] as const;
const LEGACY_TRIGGER_TYPES: Record<string, string> = { github: "GitHub", generic: "Generic", imageChange: "ImageChange", gitlab: "GitLab", bitbucket: "Bitbucket" };
const TRIGGER_KEYS: Record<string, string> = { GitHub: "github", Generic: "generic", GitLab: "gitlab", Bitbucket: "bitbucket", ImageChange: "imageChange" };
export const BUILD_PHASES = ["New", "Pending", "Running", "Complete", "Failed", "Error", "Cancelled"];
const TERMINAL = new Set(["Complete", "Failed", "Error", "Cancelled"]);

function defaultFrom(from: ImageReference | undefined): void {
  if (isObject(from) && !from.kind) from.kind = "ImageStreamTag";
}

/** The defaults Build and BuildConfig specs share (SetDefaults_BuildStrategy / BuildSource, v1 conversion). Mutates. */
export function defaultCommonSpec(spec: CommonBuildSpec): void {
  const st = (spec.strategy ??= {});
  const sub = ({ Docker: "dockerStrategy", Source: "sourceStrategy", Custom: "customStrategy", JenkinsPipeline: "jenkinsPipelineStrategy" } as Record<string, string>)[st.type ?? ""];
  if (sub && !isObject(st[sub])) st[sub] = {};
  // STI is the old name of Source.
  if (st.type === "STI") st.type = "Source";
  for (const [key, type] of STRATEGY_KEYS) {
    if (!isObject(st[key])) continue;
    st.type ||= type;
    defaultFrom((st[key] as { from?: ImageReference }).from);
  }
  const src = (spec.source ??= {});
  if (src.type === "Binary" && !isObject(src.binary)) src.binary = {};
  if (!src.type) {
    src.type = src.git ? "Git" : src.binary ? "Binary" : typeof src.dockerfile === "string" ? "Dockerfile"
      : Array.isArray(src.images) && src.images.length > 0 ? "Image" : "None";
  }
  spec.output ??= {};
  spec["resources"] ??= {};
  spec["postCommit"] ??= {};
  spec["nodeSelector"] ??= null;
}

function validateFrom(from: ImageReference | undefined, path: string, errs: FieldError[]): void {
  if (!isObject(from)) { errs.push(fieldRequired(`${path}.from`)); return; }
  if (!from.name) errs.push(fieldRequired(`${path}.from.name`));
  const kind = from.kind ?? "";
  if (!["ImageStreamTag", "ImageStreamImage", "DockerImage"].includes(kind)) {
    errs.push(fieldInvalid(`${path}.from.kind`, kind, "kind must be one of ImageStreamTag, ImageStreamImage, DockerImage"));
  } else if (kind === "ImageStreamTag" && from.name && !/^[^:@]+:[^:@]+$/.test(from.name)) {
    errs.push(fieldInvalid(`${path}.from.name`, from.name, "ImageStreamTag object references must be in the form <name>:<tag>"));
  }
}

/** validateCommonSpec: exactly one strategy, a source for Docker/Source builds, a valid output. */
export function validateCommonSpec(spec: CommonBuildSpec | undefined, errs: FieldError[]): void {
  if (!isObject(spec)) { errs.push(fieldRequired("spec")); return; }
  const st = spec.strategy ?? {};
  const present = STRATEGY_KEYS.filter(([k]) => isObject(st[k]));
  if (present.length !== 1) {
    errs.push(fieldInvalid("spec.strategy", st.type ?? "", "must provide a value for exactly one of sourceStrategy, customStrategy, dockerStrategy, or jenkinsPipelineStrategy"));
  } else {
    const [key] = present[0]!;
    if (key === "sourceStrategy" || key === "customStrategy") validateFrom(st[key]?.from, `spec.strategy.${key}`, errs);
    if (key === "dockerStrategy" && st.dockerStrategy?.from) validateFrom(st.dockerStrategy.from, "spec.strategy.dockerStrategy", errs);
    if (key === "jenkinsPipelineStrategy" && st.jenkinsPipelineStrategy?.jenkinsfile && st.jenkinsPipelineStrategy?.jenkinsfilePath) {
      errs.push(fieldInvalid("spec.strategy.jenkinsPipelineStrategy.jenkinsfile", st.jenkinsPipelineStrategy.jenkinsfile, "only one of jenkinsfile or jenkinsfilePath may be specified"));
    }
    const src = spec.source ?? {};
    const hasSource = isObject(src.git) || isObject(src.binary) || typeof src.dockerfile === "string" || (Array.isArray(src.images) && src.images.length > 0);
    if ((key === "dockerStrategy" || key === "sourceStrategy") && !hasSource) {
      errs.push(fieldInvalid("spec.source", src.type ?? "", "must provide a value for at least one source input(git, binary, dockerfile, images)."));
    }
  }
  if (isObject(spec.source?.git) && !spec.source.git.uri) errs.push(fieldRequired("spec.source.git.uri"));
  const to = spec.output?.to;
  if (isObject(to)) {
    const kind = to.kind ?? "";
    if (kind !== "ImageStreamTag" && kind !== "DockerImage") {
      errs.push(fieldInvalid("spec.output.to.kind", kind, "the target of build output must be an 'ImageStreamTag' or 'DockerImage'"));
    } else if (!to.name) {
      errs.push(fieldRequired("spec.output.to.name"));
    } else if (kind === "ImageStreamTag" && !/^[^:@]+:[^:@]+$/.test(to.name)) {
      errs.push(fieldInvalid("spec.output.to.name", to.name, "ImageStreamTag object references must be in the form <name>:<tag>"));
    }
  }
}

/** SetDefaults of BuildConfig: runPolicy Serial, history limits 5/5, legacy trigger spellings. Mutates. */
export function defaultBuildConfig(bc: BuildConfig): void {
  if (!isObject(bc.spec)) bc.spec = {};
  const s = bc.spec;
  defaultCommonSpec(s);
  s.runPolicy ||= "Serial";
  s.successfulBuildsHistoryLimit ??= 5;
  s.failedBuildsHistoryLimit ??= 5;
  s.triggers ??= [];
  for (const t of s.triggers) {
    if (!isObject(t) || typeof t.type !== "string") continue;
    if (Object.hasOwn(LEGACY_TRIGGER_TYPES, t.type)) t.type = LEGACY_TRIGGER_TYPES[t.type]!;
    // SetDefaults_BuildTriggerPolicy: an image change trigger without parameters follows the strategy's image.
    if (t.type === "ImageChange" && !isObject(t.imageChange)) t.imageChange = {};
  }
}

/** ValidateBuildConfig. */
export function validateBuildConfig(bc: BuildConfig): FieldError[] {
  const errs = validateObjectMeta(bc.metadata, { namespaced: true, nameRule: pathSegmentName });
  validateCommonSpec(bc.spec, errs);
  if (!isObject(bc.spec)) return errs;
  const s = bc.spec;
  if (!["Serial", "Parallel", "SerialLatestOnly"].includes(s.runPolicy ?? "")) {
    errs.push(fieldNotSupported("spec.runPolicy", s.runPolicy ?? "", ["Parallel", "Serial", "SerialLatestOnly"]));
  }
  for (const k of ["successfulBuildsHistoryLimit", "failedBuildsHistoryLimit"] as const) {
    const v = s[k];
    if (typeof v === "number" && v < 0) errs.push(fieldInvalid(`spec.${k}`, v, IS_NEGATIVE));
  }
  (s.triggers ?? []).forEach((t, i) => {
    const p = `spec.triggers[${i}]`;
    if (!isObject(t) || !t.type) { errs.push(fieldRequired(`${p}.type`)); return; }
    if (t.type === "ConfigChange") return;
    const key = TRIGGER_KEYS[t.type];
    if (!key) { errs.push(fieldInvalid(`${p}.type`, t.type, "invalid trigger type")); return; }
    const sub = t[key];
    if (key === "imageChange") {
      if (!isObject(sub)) errs.push(fieldRequired(`${p}.imageChange`));
      return;
    }
    if (!isObject(sub)) { errs.push(fieldRequired(`${p}.${key}`)); return; }
    if (!sub["secret"] && !isObject(sub["secretReference"])) errs.push(fieldRequired(`${p}.${key}.secret`));
  });
  return errs;
}

export const buildConfigStrategy: Strategy<BuildConfig> = {
  prepareForCreate(bc) {
    defaultBuildConfig(bc);
    bc.metadata.generation = 1;
    bc.status = { lastVersion: 0 };
  },
  validate: validateBuildConfig,
  prepareForUpdate(next, prev) {
    defaultBuildConfig(next);
    // Status is writable through ordinary updates (the build machinery bumps lastVersion so),
    // but lastVersion never goes back: older numbers would collide with existing builds.
    if (!isObject(next.status)) next.status = {};
    const last = prev.status?.lastVersion ?? 0;
    if ((next.status.lastVersion ?? 0) < last) next.status.lastVersion = last;
    prepareUpdate(next, prev, false);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateBuildConfig(next)],
};

/** Build defaults: the common spec's, and phase New. Mutates. */
export function defaultBuild(b: Build): void {
  if (!isObject(b.spec)) b.spec = {};
  defaultCommonSpec(b.spec);
  b.spec.serviceAccount ||= "builder";
  if (!isObject(b.status)) b.status = {};
  b.status.phase ||= "New";
}

/** ValidateBuild. */
export function validateBuild(b: Build): FieldError[] {
  const errs = validateObjectMeta(b.metadata, { namespaced: true, nameRule: pathSegmentName });
  validateCommonSpec(b.spec, errs);
  const phase = b.status?.phase;
  if (phase !== undefined && !BUILD_PHASES.includes(phase)) errs.push(fieldNotSupported("status.phase", phase, BUILD_PHASES));
  return errs;
}

const withoutRevision = (spec: CommonBuildSpec | undefined): Record<string, unknown> => {
  const { revision: _r, ...rest } = spec ?? {};
  return rest;
};

/** ValidateBuildUpdate: spec immutable (revision aside), a terminal phase is final. */
export function validateBuildUpdate(next: Build, prev: Build): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateBuild(next)];
  const from = prev.status?.phase ?? "";
  const to = next.status?.phase ?? "";
  if (TERMINAL.has(from) && to !== from) errs.push(fieldInvalid("status.phase", to, "phase cannot be updated from a terminal state"));
  if (!deepEqual(withoutRevision(next.spec), withoutRevision(prev.spec))) {
    errs.push(fieldForbidden("spec", "spec is immutable"));
  }
  return errs;
}

export const buildStrategy: Strategy<Build> = {
  prepareForCreate(b) {
    defaultBuild(b);
    b.metadata.generation = 1;
  },
  validate: validateBuild,
  prepareForUpdate(next, prev) {
    defaultBuild(next);
    // A failed build keeps the reason and message it failed with.
    if (prev.status?.phase === "Failed" && next.status) {
      next.status.reason = prev.status.reason;
      next.status.message = prev.status.message;
    }
    prepareUpdate(next, prev, false);
  },
  validateUpdate: validateBuildUpdate,
  prepareForStatusUpdate: takeStatusOnly,
};
