// The per-kind rules the generic registry applies: defaulting, validation, update rules.
import type { FieldError } from "../../api/errors.ts";
import type { ApiObject } from "../../api/types.ts";

export interface StrategyContext {
  now: Date;
  random: () => number;
}

/** What an admission hook is told besides the objects. */
export interface AdmitContext extends StrategyContext {
  /** The write will not happen (the registry reverts the admission afterwards). */
  dryRun: boolean;
}

/** What an admission hook took, undone by the registry when the write then does not happen. */
export interface Admission {
  revert(): void;
}

export interface Strategy<T extends ApiObject = ApiObject> {
  /** Defaults and server-owned fields on create (status reset, generation = 1). Mutates. */
  prepareForCreate?(obj: T, ctx: StrategyContext): void;
  /** Field errors of a new object (name rules included). Pure. */
  validate(obj: T): FieldError[];
  /** Carries server-owned fields over from prev (status, generation bump). Mutates next. */
  prepareForUpdate?(next: T, prev: T, ctx: StrategyContext): void;
  /** Field errors of an update (immutable fields). Pure. */
  validateUpdate?(next: T, prev: T): FieldError[];
  /** Writes to /status: take only status from next. Mutates next. */
  prepareForStatusUpdate?(next: T, prev: T): void;
  /**
   * Admission with side effects, for kinds that take something shared (services: cluster IPs
   * and node ports). Runs after validation on create (prev undefined) and on main-resource
   * updates, right before the write; may fill fields in obj; throws ApiError (e.g. 422).
   */
  admit?(obj: T, prev: T | undefined, ctx: AdmitContext): Promise<Admission | void> | Admission | void;
}
