import type { CompiledRule, RuleField, RuleKind, RuleMatchKey } from './compile-rules.ts';

/**
 * What rules look at: the header-like parts `match` tests (an email's From and Subject, a calendar event's summary)
 * and the text the field regexes search (a message body; an event's summary and description).
 */
export interface RuleDocument extends Partial<Record<RuleMatchKey, string>> {
  text: string;
}

/** One rule that fit a document, with the raw (unnormalized, trimmed) text of each field it found. */
export interface RuleMatch {
  rule: string;
  kind: RuleKind;
  confidence: number;
  fields: Partial<Record<RuleField, string>>;
}

/**
 * Whether a rule fits: every pattern in its `match` finds the part it names, and a part the document lacks never
 * fits. A rule with an empty `match` fits every document.
 */
export function matchesRule(rule: CompiledRule, doc: RuleDocument): boolean {
  for (const { key, pattern } of rule.match) {
    const value = doc[key];
    if (value === undefined || !pattern.test(value)) return false;
  }
  return true;
}

/**
 * The text a field regex picks out of `text`: the named group `value`, else the first group that took part, else the
 * whole match; trimmed. Null when the pattern does not match or picks out only whitespace.
 */
export function extractRuleValue(pattern: RegExp, text: string): string | null {
  const m = pattern.exec(text);
  if (!m) return null;
  let value: string | undefined = m.groups?.value;
  if (value === undefined) value = m.slice(1).find((g) => g !== undefined);
  if (value === undefined) value = m[0];
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : null;
}

/** Runs one rule over a document: null when it does not fit, else the fields it found (possibly none). */
export function applyRule(rule: CompiledRule, doc: RuleDocument): RuleMatch | null {
  if (!matchesRule(rule, doc)) return null;
  const fields: Partial<Record<RuleField, string>> = {};
  for (const { field, pattern } of rule.fields) {
    const value = extractRuleValue(pattern, doc.text);
    if (value !== null) fields[field] = value;
  }
  return { rule: rule.rule.name, kind: rule.rule.kind, confidence: rule.rule.confidence, fields };
}

/** Every rule that fits the document, in configuration order. Pure. */
export function matchRules(rules: readonly CompiledRule[], doc: RuleDocument): RuleMatch[] {
  const out: RuleMatch[] = [];
  for (const rule of rules) {
    const m = applyRule(rule, doc);
    if (m) out.push(m);
  }
  return out;
}

/**
 * The first rule in configuration order that fits and finds at least one field, else the first that fits, else null:
 * configs list specific templates before catch-alls.
 */
export function matchFirstRule(rules: readonly CompiledRule[], doc: RuleDocument): RuleMatch | null {
  let fallback: RuleMatch | null = null;
  for (const rule of rules) {
    const m = applyRule(rule, doc);
    if (!m) continue;
    if (Object.keys(m.fields).length > 0) return m;
    fallback ??= m;
  }
  return fallback;
}
