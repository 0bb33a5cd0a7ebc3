/** The commented skeleton `salvage init` writes. It validates once the placeholders are filled in. */
export function configTemplate(): string {
  return `# salvage.config.yaml: what was lost, where to rebuild it, and where the evidence is.
# Secrets never go in this file: give the NAME of an environment variable (keyEnv, passwordEnv, tokenEnv, urlEnv).

incident:
  backupTakenAt: 2026-08-01T03:00:00Z   # when the newest surviving backup was taken
  incidentAt: 2026-10-30T14:00:00Z      # when the data was lost
  overlap: 2d                           # also read this long before the backup (clock skew, late writes)
  # restoredAt: 2026-11-01T09:00:00Z    # when the business started running on the restored backup

target:                                 # the restored database that salvage will write to (after approval)
  urlEnv: SALVAGE_TARGET_URL            # or: pglite: ./restored-db   (an embedded database directory)

workspace:                              # salvage's own state: evidence, plans, decisions
  dir: .salvage                         # or: urlEnv: SALVAGE_WORKSPACE_URL (Postgres, for several reviewers)

thresholds:
  autoAccept: 0.95                      # at or above: written without review
  askCustomerBelow: 0.6                 # below: the customer is asked to confirm; between: an operator reviews

businesses:
  - id: 00000000-0000-4000-8000-000000000001   # the business's id in the target database
    name: Harbor Kayaks
    timezone: America/New_York
    currency: usd
    defaultRegion: US                   # for phone numbers written without +country
    referencePattern: BK-[A-Z0-9]{6}    # how booking references look in emails and calendars
    stripe:
      keyEnv: STRIPE_KEY_HARBOR         # a restricted read-only key (rk_...) is best
      # account: acct_1Nv0FG2eZvKYlo2C  # for Stripe Connect
    email:
      imap:
        - host: imap.example.com
          user: bookings@example.com
          passwordEnv: IMAP_PASSWORD_HARBOR
          mailboxes: [INBOX, Sent]
      mbox: []                          # Google Takeout .mbox files
      maildir: []
      eml: []
      rules: []                         # template rules: see README, "Extraction rules"
    calendar:
      ics: []                           # - { path: ./cabin-a.ics, resource: Cabin A }
      google: []                        # - { calendarId: ..., resource: Cabin A, tokenEnv: GOOGLE_TOKEN }
`;
}
