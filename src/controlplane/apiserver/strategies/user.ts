// User rules (user.openshift.io/v1): cluster-scoped, names are path segments without ':'.
import type { FieldError } from "../../../api/errors.ts";
import type { User } from "../../../api/openshift-types.ts";
import { validateObjectMeta, validateObjectMetaUpdate, type NameRule } from "../../../api/validation.ts";
import type { Strategy } from "../strategy.ts";
import { prepareUpdate } from "./common.ts";
import { pathSegmentName } from "./build.ts";

/** ValidateUserName: a path segment, and no ':' (reserved for system users). */
const userName: NameRule = (name, prefix) => {
  const errs = pathSegmentName(name, prefix);
  if (name.includes(":")) errs.push(`may not contain ":"`);
  if (name === "~") errs.push(`may not be "~"`);
  return errs;
};

/** ValidateUser. */
export function validateUser(u: User): FieldError[] {
  return validateObjectMeta(u.metadata, { namespaced: false, nameRule: userName });
}

export const userStrategy: Strategy<User> = {
  prepareForCreate(u) {
    u.metadata.generation = 1;
    u.identities ??= null;
    u.groups ??= null;
  },
  validate: validateUser,
  prepareForUpdate(next, prev) {
    prepareUpdate(next, prev, false);
  },
  validateUpdate: (next, prev) => [...validateObjectMetaUpdate(next.metadata, prev.metadata), ...validateUser(next)],
};
