import type { TableName, TargetSnapshot } from '@salvage/core';
import type { FileSink } from './jsonl-writer.ts';

/**
 * The platform's schema and a plain SQL dump of a snapshot: only statements both PostgreSQL and PGlite accept (no
 * COPY, no psql meta-commands), one INSERT per row, inside one transaction.
 */

/** The reference schema's DDL as the dumps write it: the same tables and constraints as @salvage/store's REFERENCE_SCHEMA_SQL. */
export const DUMP_SCHEMA_SQL = `CREATE TABLE businesses (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  timezone text NOT NULL,
  currency char(3) NOT NULL,
  stripe_account_id text UNIQUE,
  created_at timestamptz NOT NULL
);
CREATE TABLE resources (
  id uuid PRIMARY KEY,
  business_id uuid NOT NULL REFERENCES businesses(id),
  name text NOT NULL,
  calendar_id text,
  created_at timestamptz NOT NULL,
  UNIQUE (business_id, name)
);
CREATE TABLE customers (
  id uuid PRIMARY KEY,
  business_id uuid NOT NULL REFERENCES businesses(id),
  full_name text NOT NULL,
  email text,
  phone text,
  stripe_customer_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE bookings (
  id uuid PRIMARY KEY,
  business_id uuid NOT NULL REFERENCES businesses(id),
  reference text NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers(id),
  resource_id uuid NOT NULL REFERENCES resources(id),
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'completed')),
  total_amount bigint NOT NULL,
  currency char(3) NOT NULL,
  notes text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (business_id, reference),
  CHECK (ends_at > starts_at)
);
CREATE TABLE payments (
  id uuid PRIMARY KEY,
  business_id uuid NOT NULL REFERENCES businesses(id),
  booking_id uuid REFERENCES bookings(id),
  customer_id uuid REFERENCES customers(id),
  amount bigint NOT NULL,
  amount_refunded bigint NOT NULL DEFAULT 0,
  currency char(3) NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'partially_refunded', 'refunded', 'failed')),
  method text NOT NULL CHECK (method IN ('card', 'cash', 'bank_transfer', 'other')),
  stripe_payment_intent_id text UNIQUE,
  stripe_charge_id text,
  paid_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
`;

/** Column order per table, as in the DDL. */
export const COLUMNS: Record<TableName, string[]> = {
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
};

const ORDER: TableName[] = ['businesses', 'resources', 'customers', 'bookings', 'payments'];

/** A SQL literal: NULL, a number, or a single-quoted string with quotes doubled (standard_conforming_strings). */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
    return String(value);
  }
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** Writes the schema and every row of `snap` as INSERTs in dependency order, in one transaction. */
export async function writeSqlDump(sink: FileSink, snap: TargetSnapshot, header: string): Promise<void> {
  await sink.write(
    `-- ${header}\n-- Plain SQL: loads with psql -f, or PGlite's exec().\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nBEGIN;\n`,
  );
  await sink.write(DUMP_SCHEMA_SQL);
  for (const table of ORDER) {
    const cols = COLUMNS[table];
    const rows = snap[table] as unknown as Record<string, unknown>[];
    await sink.write(`\n-- ${table}: ${rows.length} rows\n`);
    for (const row of rows) {
      await sink.write(
        `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map((c) => sqlLiteral(row[c])).join(', ')});\n`,
      );
    }
  }
  await sink.write('COMMIT;\n');
}
