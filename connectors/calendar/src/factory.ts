import type { BusinessConfig } from '@salvage/core';
import { createCalendarConnector } from './calendar-connector.ts';

/**
 * The CLI's factory for `salvage pull --source calendar`: one calendar connector per business that lists Google
 * calendars or .ics sources, with checkpoints scoped to the business. Relative .ics paths are read from the working
 * directory.
 */
export const calendarConnectorFactory = {
  source: 'calendar' as const,
  make(business: BusinessConfig, _env: Readonly<Record<string, string | undefined>>) {
    const calendar = business.calendar;
    if (!calendar || calendar.google.length + calendar.ics.length === 0) return null;
    return {
      connector: createCalendarConnector(),
      config: { sources: calendar },
      scope: `${business.id}/calendar`,
    };
  },
};
