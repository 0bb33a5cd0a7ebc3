import type { ExtractionRule, MESSAGE_KINDS, RULE_FIELDS } from '../config.ts';

/** A field an extraction rule can fill (reference, customerEmail, startsAt...). */
export type RuleField = (typeof RULE_FIELDS)[number];
/** What a rule says a document is (confirmation, cancellation...). */
export type RuleKind = (typeof MESSAGE_KINDS)[number];

/** The parts of a document a rule's `match` can test. */
export const RULE_MATCH_KEYS = ['from', 'subject', 'summary'] as const;
export type RuleMatchKey = (typeof RULE_MATCH_KEYS)[number];

/** An extraction rule with its regexes compiled once, so matching thousands of documents compiles nothing. */
export interface CompiledRule {
  rule: ExtractionRule;
  match: { key: RuleMatchKey; pattern: RegExp }[];
  fields: { field: RuleField; pattern: RegExp }[];
}

/** A rule whose regex does not compile: which rule, which part, why. */
export interface RuleCompileIssue {
  rule: string;
  path: string;
  message: string;
}

/**
 * Compiles rules in order. Patterns get the `u` and `m` flags (so `^` and `$` also anchor lines of a body); they are
 * case-sensitive. A rule with a bad pattern is left out and reported, the others still compile.
 */
export function compileRules(rules: readonly ExtractionRule[]): {
  rules: CompiledRule[];
  issues: RuleCompileIssue[];
} {
  const compiled: CompiledRule[] = [];
  const issues: RuleCompileIssue[] = [];
  for (const rule of rules) {
    const match: CompiledRule['match'] = [];
    const fields: CompiledRule['fields'] = [];
    let ok = true;
    const compile = (path: string, source: string): RegExp | null => {
      try {
        return new RegExp(source, 'mu');
      } catch (error) {
        ok = false;
        issues.push({
          rule: rule.name,
          path,
          message: error instanceof Error ? error.message : String(error),
        });
        return null;
      }
    };
    for (const key of RULE_MATCH_KEYS) {
      const source = rule.match?.[key];
      if (source === undefined) continue;
      const pattern = compile(`match.${key}`, source);
      if (pattern) match.push({ key, pattern });
    }
    for (const [field, source] of Object.entries(rule.fields ?? {}) as [RuleField, string | undefined][]) {
      if (source === undefined) continue;
      const pattern = compile(`fields.${field}`, source);
      if (pattern) fields.push({ field, pattern });
    }
    if (ok) compiled.push({ rule, match, fields });
  }
  return { rules: compiled, issues };
}
