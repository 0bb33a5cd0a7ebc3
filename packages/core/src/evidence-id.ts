import type { EntityKind, Extractor, SourceRef } from './evidence.ts';
import { sha256 } from './hash.ts';

/**
 * The id of an observation: the same source object, version, entity and extractor always give the same id, so pulling
 * twice stores nothing twice. `ordinal` tells apart several observations of one entity kind in one object (two
 * bookings named in one email).
 */
export function evidenceId(
  source: Pick<SourceRef, 'kind' | 'account' | 'objectId' | 'version'>,
  entity: EntityKind,
  extractor: Extractor,
  ordinal = 0,
): string {
  // Plain JSON of an array of strings and a number is what hashValue's stable form gives, without its key sorting.
  return sha256(
    JSON.stringify([
      source.kind,
      source.account,
      source.objectId,
      source.version,
      entity,
      extractor.name,
      ordinal,
    ]),
  ).slice(0, 32);
}
