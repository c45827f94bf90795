// Client-side template processing: the public surface of src/template/.
export type { Parameter, ProcessedTemplate, Template } from "./types.ts";
export {
  TemplateError, isTemplate, parameterTable, processTemplate, processedList, unknownParameterMessage,
  type ProcessTemplateOptions,
} from "./process.ts";
export { GeneratorError, generateFromExpression } from "./generate.ts";
export {
  ParamError, combineParams, commaSeparationWarnings, duplicateParamsMessage, goQuote, parseLabels, parseParamFile,
  type ParamFileInput, type ParsedParams,
} from "./params.ts";
export { LEGACY_KIND_GROUPS, groupifiedApiVersion, groupifyObject, legacyKindGroup } from "./legacy.ts";
