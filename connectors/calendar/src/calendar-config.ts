import { type CalendarSourcesConfig, type ConfigIssue, calendarSourcesSchema } from '@salvage/core';
import { z } from 'zod';

/** The calendar connector's config: the business's `calendar` block, where relative paths start, feed timeout. */
export interface CalendarConnectorConfig {
  sources: CalendarSourcesConfig;
  /** Directory relative .ics paths are read from (the config file's); default the process's working directory. */
  baseDir?: string;
  /** How long a feed may take, in ms; default 30000. */
  feedTimeoutMs?: number;
}

const schema = z.strictObject({
  sources: calendarSourcesSchema,
  baseDir: z.string().optional(),
  feedTimeoutMs: z.number().int().positive().optional(),
});

/** Validates a raw config (`{ sources: <calendar block>, baseDir?, feedTimeoutMs? }`); issues name the field. */
export function parseCalendarConfig(
  raw: unknown,
): { ok: true; config: CalendarConnectorConfig } | { ok: false; issues: ConfigIssue[] } {
  const result = schema.safeParse(raw);
  if (!result.success)
    return {
      ok: false,
      issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    };
  const { sources, baseDir, feedTimeoutMs } = result.data;
  const config: CalendarConnectorConfig = { sources };
  if (baseDir !== undefined) config.baseDir = baseDir;
  if (feedTimeoutMs !== undefined) config.feedTimeoutMs = feedTimeoutMs;
  return { ok: true, config };
}
