import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  compileEmailRules,
  extractMessage,
  ownAddressesOf,
  parseMessage,
  ruleDocument,
} from '@salvage/connector-email';
import { applyRule, normalizeRuleFields, UsageError } from '@salvage/core';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { loadCliConfig } from '../workspace.ts';

/** `salvage rules test FILE.eml`: shows what each configured email rule extracts from one message. */
export function registerRules(program: Command, ctx: CliContext): void {
  const rules = program
    .command('rules')
    .description('work with the data-driven extraction rules in the config');
  rules
    .command('test')
    .description(
      'show what each email rule of a business extracts from one message (.eml), and the evidence it gives',
    )
    .argument('<file>', 'a message as an .eml file (RFC 5322, as exported by any mail client)')
    .option('--business <id>', 'the business whose rules to use (default: the only one, else required)')
    .addHelpText(
      'after',
      `
For every rule: whether it matched (from/subject), each field's raw text and its normalized value, and unreadable
values. Then the evidence the email connector would store for this message (calendar parts, the rule, generic
signals). Reads nothing but the file and the config.

Examples:
  salvage rules test confirmation.eml
  salvage rules test --business 00000000-0000-4000-8000-000000000001 receipt.eml --json`,
    )
    .action(async (file: string, opts: { business?: string }) => {
      const { config, file: configFile } = loadCliConfig(ctx);
      const path = resolve(ctx.cwd, file);
      if (!existsSync(path)) throw new UsageError(`${path} does not exist: give the path of an .eml file`);
      const withRules = config.businesses;
      let business = opts.business ? withRules.find((b) => b.id === opts.business) : undefined;
      if (opts.business && !business)
        throw new UsageError(
          `--business ${opts.business} is not in ${configFile}; businesses there: ${withRules.map((b) => `${b.id} (${b.name})`).join(', ')}`,
        );
      if (!business) {
        if (withRules.length > 1)
          throw new UsageError(
            `${configFile} has ${withRules.length} businesses: pass --business with one of ${withRules.map((b) => b.id).join(', ')}`,
          );
        business = withRules[0];
      }
      if (!business) throw new UsageError(`${configFile} lists no business`);
      const configured = business.email?.rules ?? [];
      const parsed = await parseMessage(readFileSync(path));
      const doc = ruleDocument(parsed);
      const compiled = compileEmailRules(configured);
      const ctxValues = {
        timezone: business.timezone,
        currency: business.currency,
        defaultRegion: business.defaultRegion,
      };
      ctx.out.line(`${path}`);
      ctx.out.line(`  from: ${doc.from || '(none)'}`);
      ctx.out.line(`  subject: ${doc.subject || '(none)'}`);
      ctx.out.line(`  date: ${parsed.date ?? 'unknown'}`);
      for (const p of parsed.problems) ctx.out.line(`  problem: ${p.code}: ${p.detail}`);
      if (configured.length === 0)
        ctx.out.line(`  business ${business.name} has no email rules in ${configFile}`);
      for (const issue of compiled.issues)
        ctx.out.line(`  rule ${issue.rule}: ${issue.path} does not compile: ${issue.message}`);
      const results = compiled.rules.map((rule) => {
        const match = applyRule(rule, doc);
        return {
          rule: rule.rule.name,
          kind: rule.rule.kind,
          matched: match !== null,
          fields: match?.fields ?? {},
        };
      });
      for (const r of results) {
        ctx.out.line('');
        ctx.out.line(`rule ${r.rule} (${r.kind}): ${r.matched ? 'matches' : 'does not match'}`);
        if (!r.matched) continue;
        const norm = normalizeRuleFields(r.fields, ctxValues);
        const values: Record<string, unknown> = { ...norm.customer, ...norm.booking };
        for (const [field, raw] of Object.entries(r.fields)) {
          ctx.out.line(`  ${field}: ${JSON.stringify(raw)} -> ${JSON.stringify(values[field] ?? null)}`);
        }
        for (const issue of norm.issues) ctx.out.line(`  ${issue.field}: unreadable (${issue.message})`);
        if (Object.keys(r.fields).length === 0) ctx.out.line('  (no field found)');
      }
      const own = business.email ? ownAddressesOf(business.email) : new Set<string>();
      const extraction = extractMessage(
        parsed,
        { kind: 'eml', account: path, location: path, receivedAt: null, outbound: false },
        { business, rules: configured, ownAddresses: own },
      );
      ctx.out.line('');
      ctx.out.line(`evidence the email connector would store: ${extraction.evidence.length}`);
      for (const e of extraction.evidence)
        ctx.out.line(`  ${e.entity} by ${e.extractor.name} (${e.confidence}): ${JSON.stringify(e.fields)}`);
      ctx.out.result({
        file: path,
        businessId: business.id,
        message: { from: doc.from, subject: doc.subject, date: parsed.date, problems: parsed.problems },
        rules: results.map((r) => ({
          ...r,
          normalized: r.matched ? normalizeRuleFields(r.fields, ctxValues) : null,
        })),
        evidence: extraction.evidence,
      });
    });
}
