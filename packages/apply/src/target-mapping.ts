import { SalvageError, TABLES, type TableName, type TargetMappingConfig } from '@salvage/core';

/**
 * Where each reference table lives in the target and what its columns and enum values are called there. The reference
 * schema (schema `public`, same names) is the default; plans, provenance and the undo journal always use reference
 * names, so only the statements sent to the target are translated.
 */

/** The reference schema's columns per table, in the order rows are written (and hashed after reading). */
export const REFERENCE_COLUMNS = {
  businesses: ['id', 'name', 'timezone', 'currency', 'stripe_account_id', 'created_at'],
  resources: ['id', 'business_id', 'name', 'calendar_id', 'created_at'],
  customers: [
    'id',
    'business_id',
    'full_name',
    'email',
    'phone',
    'stripe_customer_id',
    'created_at',
    'updated_at',
  ],
  bookings: [
    'id',
    'business_id',
    'reference',
    'customer_id',
    'resource_id',
    'starts_at',
    'ends_at',
    'status',
    'total_amount',
    'currency',
    'notes',
    'created_at',
    'updated_at',
  ],
  payments: [
    'id',
    'business_id',
    'booking_id',
    'customer_id',
    'amount',
    'amount_refunded',
    'currency',
    'status',
    'method',
    'stripe_payment_intent_id',
    'stripe_charge_id',
    'paid_at',
    'created_at',
    'updated_at',
  ],
} as const satisfies Record<TableName, readonly string[]>;

/** How ids of inserted rows are made: the plan's deterministic uuid, or a fresh random uuid at apply time. */
export type IdGeneration = 'plan' | 'random';

/** One reference table resolved against a mapping. */
export interface MappedTable {
  table: TableName;
  schema: string;
  name: string;
  /** Reference column -> target column, for every reference column. */
  columns: Record<string, string>;
  idGeneration: IdGeneration;
  /** Reference column -> (reference value -> target value). */
  enums: Record<string, Record<string, string>>;
  /** Reference column -> (target value -> reference value). */
  reverseEnums: Record<string, Record<string, string>>;
}

/** The whole target, resolved: every reference table mapped (identity where the config says nothing). */
export interface TargetMapping {
  tables: Record<TableName, MappedTable>;
}

/**
 * Resolves an optional `targetMapping` config section into a full mapping; with none, the reference schema. Throws
 * SalvageError 'mapping_invalid' for a mapping that names unknown columns or maps two columns to one.
 */
export function resolveTargetMapping(config?: TargetMappingConfig): TargetMapping {
  const tables = {} as Record<TableName, MappedTable>;
  for (const table of TABLES) {
    const t = config?.tables?.[table];
    const columns: Record<string, string> = {};
    const known = new Set<string>(REFERENCE_COLUMNS[table]);
    for (const column of REFERENCE_COLUMNS[table]) columns[column] = t?.columns?.[column] ?? column;
    for (const column of Object.keys(t?.columns ?? {})) {
      if (!known.has(column))
        throw new SalvageError(
          'mapping_invalid',
          `targetMapping.tables.${table}.columns.${column}: not a column of the reference table ${table}; use one of ${[...known].join(', ')}`,
        );
    }
    const targets = Object.values(columns);
    if (new Set(targets).size !== targets.length)
      throw new SalvageError(
        'mapping_invalid',
        `targetMapping.tables.${table}.columns: two reference columns map to the same target column; give each its own`,
      );
    const enums: Record<string, Record<string, string>> = {};
    const reverseEnums: Record<string, Record<string, string>> = {};
    for (const [column, values] of Object.entries(t?.enums ?? {})) {
      if (!known.has(column))
        throw new SalvageError(
          'mapping_invalid',
          `targetMapping.tables.${table}.enums.${column}: not a column of the reference table ${table}`,
        );
      enums[column] = { ...values };
      reverseEnums[column] = Object.fromEntries(Object.entries(values).map(([k, v]) => [v, k]));
    }
    tables[table] = {
      table,
      schema: t?.schema ?? config?.schema ?? 'public',
      name: t?.name ?? table,
      columns,
      idGeneration: t?.idGeneration ?? 'plan',
      enums,
      reverseEnums,
    };
  }
  return { tables };
}

/** A reference value as the target stores it (enum values translated). */
export function toTargetValue(mapped: MappedTable, column: string, value: unknown): unknown {
  const map = mapped.enums[column];
  if (map && typeof value === 'string' && value in map) return map[value];
  return value;
}

/** A target value back in reference terms (enum values translated back). */
export function toReferenceValue(mapped: MappedTable, column: string, value: unknown): unknown {
  const map = mapped.reverseEnums[column];
  if (map && typeof value === 'string' && value in map) return map[value];
  return value;
}
