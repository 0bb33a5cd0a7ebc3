/**
 * The reference schema of the lost platform, as TypeScript rows. Column names are the database's (snake_case) so a
 * row read from the target, stored in a plan and written back needs no renaming. Instants are ISO 8601 UTC strings;
 * money is integer minor units with a lower-case ISO 4217 currency, as Stripe writes it.
 */

export const TABLES = ['businesses', 'resources', 'customers', 'bookings', 'payments'] as const;
export type TableName = (typeof TABLES)[number];

export const BOOKING_STATUSES = ['pending', 'confirmed', 'cancelled', 'completed'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export const PAYMENT_STATUSES = ['pending', 'succeeded', 'partially_refunded', 'refunded', 'failed'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_METHODS = ['card', 'cash', 'bank_transfer', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export interface BusinessRow {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  stripe_account_id: string | null;
  created_at: string;
}

export interface ResourceRow {
  id: string;
  business_id: string;
  name: string;
  calendar_id: string | null;
  created_at: string;
}

export interface CustomerRow {
  id: string;
  business_id: string;
  full_name: string;
  email: string | null;
  phone: string | null;
  stripe_customer_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface BookingRow {
  id: string;
  business_id: string;
  reference: string;
  customer_id: string;
  resource_id: string;
  starts_at: string;
  ends_at: string;
  status: BookingStatus;
  total_amount: number;
  currency: string;
  notes: string | null;
  created_at: string;
  updated_at: string;
}

export interface PaymentRow {
  id: string;
  business_id: string;
  booking_id: string | null;
  customer_id: string | null;
  amount: number;
  amount_refunded: number;
  currency: string;
  status: PaymentStatus;
  method: PaymentMethod;
  stripe_payment_intent_id: string | null;
  stripe_charge_id: string | null;
  paid_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Rows by table name, for code that is generic over tables (plans, apply, scoring). */
export interface TargetRows {
  businesses: BusinessRow;
  resources: ResourceRow;
  customers: CustomerRow;
  bookings: BookingRow;
  payments: PaymentRow;
}

/** A whole database in the reference schema: the backup, the restored target, or the simulator's truth. */
export interface TargetSnapshot {
  businesses: BusinessRow[];
  resources: ResourceRow[];
  customers: CustomerRow[];
  bookings: BookingRow[];
  payments: PaymentRow[];
}

export function emptySnapshot(): TargetSnapshot {
  return { businesses: [], resources: [], customers: [], bookings: [], payments: [] };
}
