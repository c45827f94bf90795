// PersistentVolumeClaim rules: volumeMode Filesystem, status Pending on create, access modes and
// a storage request required, spec immutable after creation except resources.requests.
import {
  fieldForbidden, fieldInvalid, fieldRequired, type FieldError,
} from "../../../api/errors.ts";
import { QUANTITY_FORMAT_MSG, tryParseQuantity } from "../../../api/quantity.ts";
import type { PersistentVolumeClaim } from "../../../api/types.ts";
import { dns1123SubdomainErrors, validateObjectMeta, validateObjectMetaUpdate } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { deepEqual, isObject, oneOf, prepareUpdate, takeStatusOnly } from "./common.ts";
import { deepCopy } from "../../../api/copy.ts";

const ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

/** SetDefaults_PersistentVolumeClaim(Spec): volumeMode Filesystem, status.phase Pending. Mutates. */
export function defaultPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  if (!isObject(pvc.spec)) pvc.spec = {};
  pvc.spec.volumeMode ||= "Filesystem";
  pvc.status ??= {};
  pvc.status.phase ||= "Pending";
}

/** ValidatePersistentVolumeClaim. */
export function validatePersistentVolumeClaim(pvc: PersistentVolumeClaim): FieldError[] {
  const errs = validateObjectMeta(pvc.metadata, { namespaced: true, nameRule: "dns1123Subdomain" });
  const spec = isObject(pvc.spec) ? pvc.spec : {};
  const modes = spec.accessModes ?? [];
  if (modes.length === 0) errs.push(fieldRequired("spec.accessModes", "at least 1 access mode is required"));
  for (const m of modes) oneOf("spec.accessModes", m, ACCESS_MODES, errs);
  if (modes.includes("ReadWriteOncePod") && modes.length > 1) {
    errs.push(fieldForbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes"));
  }
  const storage = spec.resources?.requests?.["storage"];
  if (storage === undefined) errs.push(fieldRequired("spec.resources[storage]"));
  else {
    const q = tryParseQuantity(String(storage));
    if (q === undefined) errs.push(fieldInvalid("spec.resources[storage]", storage, QUANTITY_FORMAT_MSG));
    else if (q <= 0) errs.push(fieldInvalid("spec.resources[storage]", storage, "must be greater than zero"));
  }
  if (spec.storageClassName) {
    for (const m of dns1123SubdomainErrors(spec.storageClassName)) errs.push(fieldInvalid("spec.storageClassName", spec.storageClassName, m));
  }
  oneOf("spec.volumeMode", spec.volumeMode, ["Block", "Filesystem"], errs);
  return errs;
}

/** ValidatePersistentVolumeClaimUpdate: spec fixed except requests, and volumeName once bound. */
export function validatePersistentVolumeClaimUpdate(next: PersistentVolumeClaim, prev: PersistentVolumeClaim): FieldError[] {
  const errs = [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validatePersistentVolumeClaim(next)];
  const n = deepCopy(next.spec ?? {});
  const p = prev.spec ?? {};
  n.resources = p.resources;
  if (!p.volumeName && n.volumeName) n.volumeName = p.volumeName;
  if (!deepEqual(n, p)) {
    errs.push(fieldForbidden("spec", "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"));
  }
  return errs;
}

export const persistentVolumeClaimStrategy: Strategy<PersistentVolumeClaim> = {
  prepareForCreate(pvc) {
    pvc.status = {};
    defaultPersistentVolumeClaim(pvc);
    pvc.metadata.generation = 1;
  },
  validate: validatePersistentVolumeClaim,
  prepareForUpdate(next, prev) {
    defaultPersistentVolumeClaim(next);
    prepareUpdate(next, prev, true);
  },
  validateUpdate: validatePersistentVolumeClaimUpdate,
  prepareForStatusUpdate(next, prev) {
    takeStatusOnly(next, prev);
    defaultPersistentVolumeClaim(next);
  },
};
