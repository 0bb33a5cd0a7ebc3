import {
  type BusinessConfig,
  type Evidence,
  type ExtractionRule,
  evidenceId,
  type SourceKind,
  type SourceRef,
} from '@salvage/core';
import { extractCalendar } from './extract-calendar.ts';
import { extractGeneric } from './extract-generic.ts';
import { extractRules } from './extract-rules.ts';
import type { MessageProblem } from './mime-scan.ts';
import type { Observation } from './observation.ts';
import type { ParsedMessage } from './parse-message.ts';

/** Where a message was read and what to fall back on when its Date header is unusable. */
export interface MessageOrigin {
  kind: SourceKind;
  /** The mailbox account: `user@host` for IMAP, the Gmail user, the export's path. */
  account: string;
  /** Where in the account: `INBOX/1795334549/42`, a Gmail id, `INBOX.mbox#1234` (for notes only). */
  location: string;
  /** The server's or file's own time for the message (INTERNALDATE, Gmail internalDate, From_ line, mtime). */
  receivedAt: string | null;
  /** A Sent folder: the counterpart is the recipient. */
  outbound: boolean;
  /** Extra version tag (Gmail historyId); the body hash is always part of the version. */
  versionTag?: string;
}

export interface ExtractContext {
  business: BusinessConfig;
  rules: readonly ExtractionRule[];
  ownAddresses: ReadonlySet<string>;
}

export interface MessageExtraction {
  evidence: Evidence[];
  /** Observation count per rule ('ics', 'generic', or a configured rule's name). */
  byRule: Record<string, number>;
  problems: MessageProblem[];
}

/**
 * The identity of a message across folders, exports and re-uploads: Message-ID plus the body hash (not UID, not
 * file name). Two copies of one message give the same key, so their evidence ids coincide.
 */
export function messageKey(message: Pick<ParsedMessage, 'messageId' | 'bodyHash'>): string {
  return `${message.messageId ?? ''}#${message.bodyHash}`;
}

/**
 * Turns a parsed message into evidence: calendar parts, then configured template rules, then generic signals. Each
 * item names its extractor and confidence. observedAt is the Date header, else the origin's own time (noted), never
 * the time of the run. Pure.
 */
export function extractMessage(
  message: ParsedMessage,
  origin: MessageOrigin,
  ctx: ExtractContext,
): MessageExtraction {
  const problems: MessageProblem[] = [];
  const observations: Observation[] = [];
  if (!message.unreadable) {
    const cal = extractCalendar(message.calendars, {
      timezone: ctx.business.timezone,
      referencePattern: ctx.business.referencePattern,
      ownAddresses: ctx.ownAddresses,
    });
    observations.push(...cal.observations);
    problems.push(...cal.problems);
    const fromRules = extractRules(message, ctx.rules, {
      timezone: ctx.business.timezone,
      currency: ctx.business.currency,
      defaultRegion: ctx.business.defaultRegion,
      referencePattern: ctx.business.referencePattern,
      ownAddresses: ctx.ownAddresses,
      outbound: origin.outbound,
    });
    observations.push(...fromRules);
    observations.push(
      ...extractGeneric(message, {
        referencePattern: ctx.business.referencePattern,
        ownAddresses: ctx.ownAddresses,
        // A template rule fitting means the platform wrote this mail: the customer is the recipient.
        outbound: origin.outbound || fromRules.length > 0,
      }),
    );
  }
  const observedAt = message.date ?? origin.receivedAt;
  const dateNote = message.date
    ? ''
    : origin.receivedAt
      ? '; Date header unusable, observedAt is the mailbox time'
      : '; date unknown';
  const source: SourceRef = {
    kind: origin.kind,
    account: origin.account,
    objectId: message.messageId ? `<${message.messageId}>` : `body:${message.bodyHash.slice(0, 32)}`,
    version: origin.versionTag
      ? `${message.bodyHash.slice(0, 32)}/${origin.versionTag}`
      : message.bodyHash.slice(0, 32),
  };
  const byRule: Record<string, number> = {};
  const ordinals = new Map<string, number>();
  const evidence: Evidence[] = [];
  for (const o of observations) {
    byRule[o.rule] = (byRule[o.rule] ?? 0) + 1;
    const ordKey = `${o.entity}|${o.extractor.name}`;
    const ordinal = ordinals.get(ordKey) ?? 0;
    ordinals.set(ordKey, ordinal + 1);
    evidence.push({
      id: evidenceId(source, o.entity, o.extractor, ordinal),
      businessId: ctx.business.id,
      source: o.versionRank === undefined ? source : { ...source, versionRank: o.versionRank },
      entity: o.entity,
      fields: o.fields,
      // A message without any usable time is still evidence; the epoch marks "unknown" and sorts it first.
      observedAt: observedAt ?? new Date(0).toISOString(),
      extractor: o.extractor,
      confidence: message.date ? o.confidence : Math.min(o.confidence, 0.9),
      rawRef: message.rawHash,
      note: `${o.note ?? o.rule} at ${origin.location}${dateNote}`,
    } as Evidence);
  }
  return { evidence, byRule, problems };
}
