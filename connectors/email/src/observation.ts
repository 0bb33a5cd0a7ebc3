import type { EntityFacts, EntityKind, Extractor } from '@salvage/core';

/** One thing an extractor read from a message, before it becomes Evidence (source, ids and dates added later). */
export type Observation = {
  [E in EntityKind]: {
    entity: E;
    fields: Partial<EntityFacts[E]>;
    extractor: Extractor;
    confidence: number;
    /** Orders versions of the same object (a calendar SEQUENCE); absent when the message has none. */
    versionRank?: number;
    note?: string;
    /** Which rule fired, for "by rule" counts: 'ics', 'generic', or a configured rule's name. */
    rule: string;
  };
}[EntityKind];

/** Extractor names and versions: stored with evidence, never renamed once released. */
export const EXTRACTORS = {
  calendar: { name: 'email.calendar', version: '1' },
  generic: { name: 'email.generic', version: '1' },
  rule: (name: string) => ({ name: `email.rule:${name}`, version: '1' }),
} as const;
