import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private Dovecot IMAP server on loopback, started by `startDovecot`. */
export interface DovecotServer {
  host: string;
  /** Plain IMAP port (no TLS). */
  port: number;
  /** Implicit-TLS IMAP port, self-signed certificate (`certPem`). */
  tlsPort: number;
  certPem: string;
  user: string;
  password: string;
  /** The Maildir root of `user` (INBOX is the root, `.Sent` etc. are subfolders). */
  maildir: string;
  /** Every IMAP command line the server received after login, across all sessions so far (from Dovecot's rawlog). */
  receivedCommands(): string[];
  /** Forgets UIDs: Dovecot renumbers the mailbox with a new UIDVALIDITY (as after a server migration). */
  resetUidValidity(mailbox?: string): Promise<void>;
  /** Dovecot's own log so far, for failure messages. */
  log(): string;
  /** Drops every open IMAP connection (the server keeps running), as a network failure would. */
  kickAll(): void;
  stop(): Promise<void>;
}

export interface MaildirMessage {
  /** Folder: 'INBOX' or a subfolder name such as 'Sent'. */
  mailbox?: string;
  raw: string | Uint8Array;
  /** Delivery time, used as the INTERNALDATE (file mtime). */
  receivedAt?: Date;
}

const DOVECOT = '/usr/sbin/dovecot';
const DOVEADM = '/usr/bin/doveadm';

/** Installs dovecot-imapd through apt when the binary is missing (CI starts from a fresh machine). */
export function ensureDovecotInstalled(): void {
  if (existsSync(DOVECOT)) return;
  const r = spawnSync(
    'sh',
    [
      '-c',
      'flock /tmp/salvage-apt.lock sh -c "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd"',
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0 || !existsSync(DOVECOT)) {
    throw new Error('could not install dovecot-imapd: run `apt-get install -y dovecot-imapd` as root');
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = new Socket();
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on 127.0.0.1:${port} within ${timeoutMs} ms:\n${log()}`);
}

function mailUid(): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 65534;
  const gid = process.getgid?.() ?? 65534;
  // Dovecot refuses uid 0 for mail; as root we run mail access as nobody and chown the store to it.
  return uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid };
}

function chownTree(path: string, uid: number, gid: number): void {
  if (process.getuid?.() !== 0) return;
  execFileSync('chown', ['-R', `${uid}:${gid}`, path]);
}

let deliverySeq = 0;

/** Writes messages into a Maildir++ root as delivered, unseen mail (`cur/`, no flags); returns how many. */
export function writeMaildir(root: string, messages: Iterable<MaildirMessage>): number {
  let n = 0;
  const made = new Set<string>();
  for (const m of messages) {
    const folder = !m.mailbox || m.mailbox === 'INBOX' ? root : join(root, `.${m.mailbox}`);
    if (!made.has(folder)) {
      for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(folder, sub), { recursive: true });
      made.add(folder);
    }
    const at = m.receivedAt ?? new Date();
    // No flags: the mail is unseen, so any \\Seen set by a careless FETCH would show in the file name.
    const name = `${Math.floor(at.getTime() / 1000)}.M${++deliverySeq}P${process.pid}.salvage-test:2,`;
    const file = join(folder, 'cur', name);
    writeFileSync(file, m.raw);
    const secs = at.getTime() / 1000;
    // mtime is what Dovecot reports as INTERNALDATE for Maildir.
    utimesSync(file, secs, secs);
    n++;
  }
  return n;
}

/**
 * Starts Dovecot from a private config in a temp dir on 127.0.0.1 (plain and implicit TLS ports, passwd-file auth,
 * Maildir storage, rawlog of every post-login command). Installs dovecot-imapd first when missing.
 */
export async function startDovecot(
  options: { messages?: Iterable<MaildirMessage>; user?: string; password?: string } = {},
): Promise<DovecotServer> {
  ensureDovecotInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'salvage-dovecot-'));
  // Dovecot's auth and mail processes run as unprivileged users and must traverse the temp dir.
  chmodSync(dir, 0o755);
  const user = options.user ?? 'owner';
  const password = options.password ?? `pw-${Math.random().toString(36).slice(2)}`;
  const { uid, gid } = mailUid();
  const home = join(dir, 'home', user);
  const maildir = join(home, 'Maildir');
  const rawlog = join(dir, 'rawlog');
  for (const d of [join(dir, 'run'), join(dir, 'state'), maildir, rawlog]) mkdirSync(d, { recursive: true });
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  if (options.messages) writeMaildir(maildir, options.messages);

  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:${uid}:${gid}::${home}::\n`, {
    mode: 0o644,
  });

  const port = await freePort();
  const tlsPort = await freePort();
  const conf = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <${dir}/cert.pem
ssl_key = <${dir}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
protocol imap {
  rawlog_dir = ${rawlog}
  mail_max_userip_connections = 100
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), conf);
  chownTree(join(dir, 'home'), uid, gid);
  chownTree(rawlog, uid, gid);

  const child = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const log = () =>
    `${output}\n${existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : ''}`;
  await waitForPort(port, 15_000, log);
  await waitForPort(tlsPort, 15_000, log);

  const doveadm = (args: string[]) =>
    execFileSync(DOVEADM, ['-c', join(dir, 'dovecot.conf'), ...args], { encoding: 'utf8' });

  return {
    host: '127.0.0.1',
    port,
    tlsPort,
    certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    user,
    password,
    maildir,
    log,
    receivedCommands() {
      const lines: string[] = [];
      if (!existsSync(rawlog)) return lines;
      for (const f of readdirSync(rawlog).sort()) {
        if (!f.endsWith('.in')) continue;
        for (const line of readFileSync(join(rawlog, f), 'latin1').split(/\r?\n/)) {
          // rawlog lines may carry a timestamp prefix; keep the IMAP command part.
          if (line.trim()) lines.push(line.replace(/^\d+\.\d+ /, ''));
        }
      }
      return lines;
    },
    async resetUidValidity(mailbox = 'INBOX') {
      const folder = mailbox === 'INBOX' ? maildir : join(maildir, `.${mailbox}`);
      for (const f of readdirSync(folder)) {
        if (f === 'dovecot-uidlist' || f.startsWith('dovecot.index'))
          rmSync(join(folder, f), { force: true });
      }
      // UIDVALIDITY is time-based; make sure the new one differs from the old.
      await new Promise((r) => setTimeout(r, 1100));
      doveadm(['mailbox', 'status', '-u', user, 'uidvalidity', mailbox]);
    },
    kickAll() {
      doveadm(['kick', user]);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
