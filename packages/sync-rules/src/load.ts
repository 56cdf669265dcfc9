/**
 * Reading a rule file: YAML (JSON is YAML too), validated by the schema, JSONata expressions
 * compiled, every problem reported at once with its place in the file (line:column and path),
 * so an integrator fixes a file in one round.
 */
import jsonata from 'jsonata';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { TidemarkError } from '@tidemark/errors';
import { RuleFileSchema, type FieldMapping, type Rule } from './schema.js';

/** One problem in a rule file. */
export interface RuleProblem {
  /** e.g. `rules[2].fields.status.values` */
  path: string;
  /** 1-based, where known. */
  line?: number;
  column?: number;
  message: string;
}

/** A rule with its expressions compiled. */
export interface CompiledRule {
  rule: Rule;
  when: jsonata.Expression | undefined;
  /** Target path → its mapping and, for `expr`, the compiled expression. */
  fields: readonly CompiledField[];
}

export interface CompiledField {
  target: string;
  mapping: FieldMapping;
  expression: jsonata.Expression | undefined;
}

export interface RuleSet {
  /** Where it came from (a file name), for messages. */
  origin: string;
  rules: readonly CompiledRule[];
}

/**
 * Parses and checks a rule file.
 * @throws TidemarkError CONFIG_INVALID with `details.problems` (RuleProblem[]) listing all problems.
 */
export function loadRules(text: string, origin: string): RuleSet {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const problems: RuleProblem[] = doc.errors.map((error) => ({
    path: '',
    ...(error.linePos === undefined
      ? {}
      : { line: error.linePos[0].line, column: error.linePos[0].col }),
    message: error.message.split('\n')[0] ?? error.message,
  }));
  if (problems.length > 0) throw invalid(origin, problems);

  const parsed = RuleFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw invalid(
      origin,
      parsed.error.issues.map((issue) => locate(doc, lineCounter, issue.path, issue.message)),
    );
  }

  const rules: CompiledRule[] = [];
  parsed.data.rules.forEach((rule, index) => {
    const compile = (source: string, path: PropertyKey[]) => {
      try {
        return jsonata(source);
      } catch (error) {
        problems.push(locate(doc, lineCounter, path, `JSONata: ${jsonataMessage(error)}`));
        return undefined;
      }
    };
    const when = rule.when === undefined ? undefined : compile(rule.when, ['rules', index, 'when']);
    const fields = Object.entries(rule.fields).map(([target, mapping]) => ({
      target,
      mapping,
      expression:
        mapping.expr === undefined
          ? undefined
          : compile(mapping.expr, ['rules', index, 'fields', target, 'expr']),
    }));
    rules.push({ rule, when, fields });
  });
  if (problems.length > 0) throw invalid(origin, problems);
  return { origin, rules };
}

function invalid(origin: string, problems: RuleProblem[]): TidemarkError {
  const lines = problems.map(
    (p) =>
      `${origin}${p.line === undefined ? '' : `:${p.line}:${p.column ?? 1}`}` +
      `${p.path === '' ? '' : ` ${p.path}`}: ${p.message}`,
  );
  return new TidemarkError(
    'CONFIG_INVALID',
    `rule file ${origin} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${lines.join('\n  ')}`,
    { details: { origin, problems } },
  );
}

/** The problem at `path`, placed at the deepest node of the path that exists in the file. */
function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  message: string,
): RuleProblem {
  const keys = path.map((key) => (typeof key === 'symbol' ? String(key) : key));
  for (let depth = keys.length; depth >= 0; depth--) {
    const node: unknown = doc.getIn(keys.slice(0, depth), true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { path: formatPath(keys), line, column: col, message };
    }
  }
  return { path: formatPath(keys), message };
}

export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join('');
}

function jsonataMessage(error: unknown): string {
  const e = error as { message?: unknown; position?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  return typeof e.position === 'number' ? `${message} (at character ${e.position})` : message;
}
