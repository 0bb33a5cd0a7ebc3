import { calendarConnectorFactory } from '@salvage/connector-calendar';
import { emailConnectorFactory } from '@salvage/connector-email';
import type { Connector } from '@salvage/connector-kit';
import { stripeConnectorFactory } from '@salvage/connector-stripe';
import type { BusinessConfig } from '@salvage/core';

/** The source families `salvage pull --source` selects. */
export const PULL_SOURCES = ['stripe', 'email', 'calendar'] as const;
export type PullSource = (typeof PULL_SOURCES)[number];

/** One connector ready to run for one business: the connector, its raw config (parsed by the connector) and scope. */
export interface ConnectorInstance {
  // biome-ignore lint/suspicious/noExplicitAny: each connector has its own config type; parseConfig checks it.
  connector: Connector<any>;
  /** Handed to `connector.parseConfig`; issues are reported per connector, never a crash. */
  config: unknown;
  /** Checkpoint scope: business id plus account ('<business id>/acct_...'), stable across runs. */
  scope: string;
}

/**
 * Makes the connector instances a business needs for one source family, or null when the business does not use it.
 * Reads secrets only through `env` (the names the config gives).
 */
export interface ConnectorFactory {
  source: PullSource;
  make(
    business: BusinessConfig,
    env: Readonly<Record<string, string | undefined>>,
  ): ConnectorInstance | ConnectorInstance[] | null;
}

/**
 * The connectors `salvage pull` runs, by source family. Each connector package appends its factory here (one line
 * and one import); the CLI is the only place that wires them.
 */
export const connectorsBySource: Record<PullSource, ConnectorFactory[]> = {
  stripe: [stripeConnectorFactory],
  email: [emailConnectorFactory],
  calendar: [calendarConnectorFactory],
};
