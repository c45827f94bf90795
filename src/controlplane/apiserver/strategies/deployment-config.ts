// DeploymentConfig rules (apps.openshift.io/v1): the v1 defaults (ConfigChange trigger when the
// key is absent, Rolling 25%/25% with 1s/1s/600s, selector from the template labels), validation
// of triggers, strategy and template, and status written only through /status.
import { fieldInvalid, fieldNotSupported, fieldRequired, type FieldError } from "../../../api/errors.ts";
import type { DeploymentConfig, DeploymentTriggerPolicy } from "../../../api/openshift-types.ts";
import { IS_NEGATIVE, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { goStringMap, invalidRendered, isObject, prepareUpdate, takeStatusOnly } from "./common.ts";
import { defaultPodTemplate, validatePodTemplate } from "./pod-template.ts";

const isZero = (v: unknown): boolean => v === 0 || v === "0%";
/** An object check that does not narrow (typed fields stay typed). */
const present = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);

function defaultRollingParams(p: Record<string, unknown>): void {
  p["updatePeriodSeconds"] ??= 1;
  p["intervalSeconds"] ??= 1;
  p["timeoutSeconds"] ??= 600;
  const u = p["maxUnavailable"];
  const s = p["maxSurge"];
  if (u === undefined && s === undefined) {
    p["maxUnavailable"] = "25%";
    p["maxSurge"] = "25%";
  } else if (u === undefined && isZero(s)) {
    p["maxUnavailable"] = "25%";
  } else if (s === undefined && isZero(u)) {
    p["maxSurge"] = "25%";
  }
}

/** SetDefaults of apps.openshift.io/v1 DeploymentConfig; `namespace` fills image trigger sources. Mutates. */
export function defaultDeploymentConfig(dc: DeploymentConfig): void {
  if (!isObject(dc.spec)) dc.spec = {};
  const s = dc.spec;
  // An absent (or null) list means "config change"; an explicit empty list means no triggers.
  if (s.triggers === undefined || s.triggers === null) s.triggers = [{ type: "ConfigChange" }];
  for (const t of s.triggers) {
    if (!present(t) || t.type !== "ImageChange" || !present(t.imageChangeParams)) continue;
    const from = (t.imageChangeParams!.from ??= {});
    from.kind ||= "ImageStreamTag";
    if (!from.namespace && dc.metadata.namespace) from.namespace = dc.metadata.namespace;
  }
  s.replicas ??= 0;
  s.revisionHistoryLimit ??= 10;
  s.test ??= false;
  const labels = s.template?.metadata?.labels;
  if (Object.keys(s.selector ?? {}).length === 0 && labels) s.selector = { ...labels };
  s.strategy ??= {};
  const st = s.strategy;
  st.type ||= "Rolling";
  if (st.type === "Rolling") defaultRollingParams((st.rollingParams ??= {}));
  if (st.type === "Recreate") (st.recreateParams ??= {})["timeoutSeconds"] ??= 600;
  st.activeDeadlineSeconds ??= 21600;
  st.resources ??= {};
  defaultPodTemplate(s.template);
}

const TRIGGER_TYPES = ["ConfigChange", "ImageChange"];

/** The containers an ImageChange trigger fills in: their image may be empty in the template. */
function triggeredContainers(triggers: DeploymentTriggerPolicy[] | null | undefined): Set<string> {
  const out = new Set<string>();
  for (const t of triggers ?? []) if (t?.type === "ImageChange") for (const c of t.imageChangeParams?.containerNames ?? []) out.add(c);
  return out;
}

function validateTriggers(dc: DeploymentConfig, errs: FieldError[]): void {
  const containers = new Set((dc.spec.template?.spec?.containers ?? []).map((c) => c?.name));
  (dc.spec.triggers ?? []).forEach((t, i) => {
    const p = `spec.triggers[${i}]`;
    if (!present(t) || !t.type) { errs.push(fieldRequired(`${p}.type`, "trigger type must be present")); return; }
    if (!TRIGGER_TYPES.includes(t.type)) { errs.push(fieldInvalid(`${p}.type`, t.type, "invalid trigger type")); return; }
    if (t.type !== "ImageChange") return;
    const params = t.imageChangeParams;
    if (!params || !present(params)) { errs.push(fieldRequired(`${p}.imageChangeParams`)); return; }
    const from = params.from ?? {};
    if (!from.name) errs.push(fieldRequired(`${p}.imageChangeParams.from.name`));
    else if (from.kind === "ImageStreamTag" && !/^[^:@]+:[^:@]+$/.test(from.name)) {
      errs.push(fieldInvalid(`${p}.imageChangeParams.from.name`, from.name, "ImageStreamTag object references must be in the form <name>:<tag>"));
    }
    if (from.kind !== "ImageStreamTag") errs.push(fieldInvalid(`${p}.imageChangeParams.from.kind`, from.kind ?? "", "kind must be an ImageStreamTag"));
    const names = params.containerNames ?? [];
    if (names.length === 0) errs.push(fieldRequired(`${p}.imageChangeParams.containerNames`, "at least one container name is required"));
    names.forEach((n, j) => {
      if (!containers.has(n)) errs.push(fieldInvalid(`${p}.imageChangeParams.containerNames[${j}]`, n, "must match a container name in the pod template"));
    });
  });
}

function validateStrategy(dc: DeploymentConfig, errs: FieldError[]): void {
  const st = dc.spec.strategy ?? {};
  const type = st.type ?? "";
  if (!["Recreate", "Rolling", "Custom"].includes(type)) {
    errs.push(fieldNotSupported("spec.strategy.type", type, ["Custom", "Recreate", "Rolling"]));
    return;
  }
  if (type === "Custom" && !isObject(st.customParams)) errs.push(fieldRequired("spec.strategy.customParams"));
  const rp = st.rollingParams;
  if (type === "Rolling" && isObject(rp)) {
    for (const k of ["updatePeriodSeconds", "intervalSeconds", "timeoutSeconds"]) {
      const v = rp[k];
      if (typeof v === "number" && v < 1) errs.push(fieldInvalid(`spec.strategy.rollingParams.${k}`, v, "must be greater than 0"));
    }
    if (isZero(rp["maxUnavailable"]) && isZero(rp["maxSurge"])) {
      errs.push(fieldInvalid("spec.strategy.rollingParams.maxUnavailable", rp["maxUnavailable"], "may not be 0 when maxSurge is 0"));
    }
  }
  if (typeof st.activeDeadlineSeconds === "number" && st.activeDeadlineSeconds <= 0) {
    errs.push(fieldInvalid("spec.strategy.activeDeadlineSeconds", st.activeDeadlineSeconds, "must be greater than 0"));
  }
}

/** ValidateDeploymentConfig: name, replicas, selector/template match, triggers, strategy. */
export function validateDeploymentConfig(dc: DeploymentConfig): FieldError[] {
  const errs = validateObjectMeta(dc.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  if (!isObject(dc.spec)) return [...errs, fieldRequired("spec")];
  const s = dc.spec;
  if (typeof s.replicas === "number" && s.replicas < 0) errs.push(fieldInvalid("spec.replicas", s.replicas, IS_NEGATIVE));
  if (typeof s.revisionHistoryLimit === "number" && s.revisionHistoryLimit < 0) {
    errs.push(fieldInvalid("spec.revisionHistoryLimit", s.revisionHistoryLimit, IS_NEGATIVE));
  }
  if (typeof s.minReadySeconds === "number" && s.minReadySeconds < 0) errs.push(fieldInvalid("spec.minReadySeconds", s.minReadySeconds, IS_NEGATIVE));
  const selector = s.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(fieldRequired("spec.selector"));
  else errs.push(...validateLabels(selector, "spec.selector"));
  validateTriggers(dc, errs);
  validateStrategy(dc, errs);
  const t = s.template;
  if (!isObject(t)) {
    errs.push(fieldRequired("spec.template"));
    return errs;
  }
  const labels = t.metadata?.labels;
  if (Object.keys(selector).length > 0 && !Object.entries(selector).every(([k, v]) => labels?.[k] === v)) {
    errs.push(invalidRendered("spec.template.metadata.labels", goStringMap(labels), "`selector` does not match template `labels`"));
  }
  errs.push(...validatePodTemplate(t, "spec.template", triggeredContainers(s.triggers)));
  return errs;
}

export const deploymentConfigStrategy: Strategy<DeploymentConfig> = {
  prepareForCreate(dc) {
    defaultDeploymentConfig(dc);
    dc.metadata.generation = 1;
    dc.status = { latestVersion: 0, observedGeneration: 0, replicas: 0, updatedReplicas: 0, availableReplicas: 0, unavailableReplicas: 0 };
  },
  validate: validateDeploymentConfig,
  prepareForUpdate(next, prev) {
    defaultDeploymentConfig(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateDeploymentConfig(next)],
  prepareForStatusUpdate: takeStatusOnly,
};
