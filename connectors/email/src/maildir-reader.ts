import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** One message file of a Maildir, with its folder and a key that orders files stably across flag changes. */
export interface MaildirFile {
  folder: string;
  /** `folder/unique-name` without the `:2,FLAGS` suffix, which changes when a client reads the mail. */
  key: string;
  path: string;
  /** Delivery time from the unique name's leading seconds, else the file's mtime. */
  deliveredAt: string | null;
}

/**
 * Lists the message files of a Maildir (or Maildir++) root, INBOX first then `.Sub` folders and nested Maildirs, in
 * key order, skipping keys up to and including `afterKey`.
 */
export async function listMaildir(root: string, afterKey?: string): Promise<MaildirFile[]> {
  const folders: { name: string; dir: string }[] = [];
  if (existsSync(join(root, 'cur')) || existsSync(join(root, 'new')))
    folders.push({ name: 'INBOX', dir: root });
  for (const entry of await readdir(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || ['cur', 'new', 'tmp'].includes(entry.name)) continue;
    const dir = join(root, entry.name);
    if (existsSync(join(dir, 'cur')) || existsSync(join(dir, 'new')))
      folders.push({ name: entry.name.replace(/^\./, ''), dir });
  }
  const files: MaildirFile[] = [];
  for (const f of folders) {
    for (const sub of ['new', 'cur']) {
      const dir = join(f.dir, sub);
      if (!existsSync(dir)) continue;
      for (const name of await readdir(dir)) {
        if (name.startsWith('.')) continue;
        const unique = name.split(':')[0] ?? name;
        const secs = /^(\d{9,11})\./.exec(unique)?.[1];
        files.push({
          folder: f.name,
          key: `${f.name}/${unique}`,
          path: join(dir, name),
          deliveredAt: secs ? new Date(Number(secs) * 1000).toISOString() : null,
        });
      }
    }
  }
  files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return afterKey ? files.filter((f) => f.key > afterKey) : files;
}

/** Reads one Maildir message; fills in the delivery time from the mtime when the name did not carry it. */
export async function readMaildirFile(
  file: MaildirFile,
): Promise<{ raw: Buffer; deliveredAt: string | null }> {
  const raw = await readFile(file.path);
  if (file.deliveredAt) return { raw, deliveredAt: file.deliveredAt };
  return { raw, deliveredAt: (await stat(file.path)).mtime.toISOString() };
}
