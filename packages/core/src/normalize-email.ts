const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Trimmed, lower-case email, or null when the text is not an address. Accepts `Name <a@b.c>` and `mailto:`. */
export function normalizeEmail(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let s = raw.trim();
  const angle = /<([^>]+)>/.exec(s);
  if (angle?.[1]) s = angle[1].trim();
  s = s.replace(/^mailto:/i, '').toLowerCase();
  return EMAIL.test(s) ? s : null;
}

/** The part of a normalized email before `@`, without a `+tag`: `ana.lima+kayak@x.com` -> `ana.lima`. */
export function emailLocalPart(email: string): string {
  const local = email.slice(0, email.indexOf('@'));
  const plus = local.indexOf('+');
  return plus >= 0 ? local.slice(0, plus) : local;
}
