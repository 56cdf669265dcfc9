export {
  ConversionSchema,
  FieldMappingSchema,
  FieldPathSchema,
  RuleFileSchema,
  RuleSchema,
  conversions,
} from './schema.js';
export type { Conversion, FieldMapping, Rule, RuleFile } from './schema.js';
export { formatPath, loadRules } from './load.js';
export type { CompiledField, CompiledRule, RuleProblem, RuleSet } from './load.js';
export { MappingError, convert, toZoned } from './convert.js';
export { applyRule, getPath, rulesFor, sourceView, targetShape } from './apply.js';
export type { RuleOutcome } from './apply.js';
