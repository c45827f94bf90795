// The per-kind rules the generic registry applies: defaulting, validation, update rules.
import type { FieldError } from "../../api/errors.ts";
import type { ApiObject } from "../../api/types.ts";

export interface StrategyContext {
  now: Date;
  random: () => number;
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
}
