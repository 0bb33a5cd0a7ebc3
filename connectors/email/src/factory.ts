import type { BusinessConfig } from '@salvage/core';
import { createEmailConnector } from './connector.ts';

/**
 * How `salvage pull --source email` makes this connector for a business: one instance over every mailbox and export
 * in its `email` block (scope `<business id>/email`), or null when it has none. Secrets stay in `env` until read.
 */
export const emailConnectorFactory = {
  source: 'email' as const,
  make(business: BusinessConfig, _env: Readonly<Record<string, string | undefined>>) {
    const email = business.email;
    if (!email) return null;
    const sources =
      email.imap.length + email.gmail.length + email.mbox.length + email.maildir.length + email.eml.length;
    if (sources === 0) return null;
    return {
      connector: createEmailConnector({ sources: email }),
      config: email,
      scope: `${business.id}/email`,
    };
  },
};
