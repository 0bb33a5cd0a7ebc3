/**
 * Errors salvage throws for the unexpected. Expected outcomes (a bad config, a failed check, a stale item) are values,
 * not exceptions. Every error has a literal `code`; messages say what to do and never hold customer data or secrets.
 */
export class SalvageError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SalvageError';
    this.code = code;
  }
}

/** The user asked for something malformed: exit code 2. */
export class UsageError extends SalvageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
    this.name = 'UsageError';
  }
}

/** One problem in a config file, with the dotted path of the field at fault. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends SalvageError {
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[]) {
    super('config_invalid', issues.map((i) => `${file}: ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
