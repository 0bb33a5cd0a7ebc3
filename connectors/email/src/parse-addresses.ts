/** Address headers split into mailboxes, as nodemailer's addressparser splits them. Pure. */

import addressparser from 'nodemailer/lib/addressparser';

// `Name <local@domain>` or a bare `local@domain`, in characters nodemailer's addressparser passes through unchanged
// (atext, '.', single spaces; encoded words included): what it returns for these is the name and address as written.
const PLAIN_MAILBOX =
  /^([A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)*) <([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+)>$/;
const PLAIN_ADDRESS = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/;

/** nodemailer's addressparser, without its tokenizer for the one-mailbox headers most mail has. */
export function parseAddresses(value: string): addressparser.AddressOrGroup[] {
  const mailbox = PLAIN_MAILBOX.exec(value);
  if (mailbox) return [{ address: mailbox[2] ?? '', name: mailbox[1] ?? '' }];
  if (PLAIN_ADDRESS.test(value)) return [{ address: value, name: '' }];
  return addressparser(value);
}
