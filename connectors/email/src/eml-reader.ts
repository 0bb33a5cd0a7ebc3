import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Lists loose .eml files: the file itself, or every `*.eml` under a directory (recursively), sorted by path,
 * skipping paths up to and including `afterPath`.
 */
export async function listEmlFiles(path: string, afterPath?: string): Promise<string[]> {
  const info = await stat(path);
  const out: string[] = [];
  if (info.isFile()) out.push(path);
  else {
    const walk = async (dir: string) => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (/\.eml$/i.test(e.name)) out.push(p);
      }
    };
    await walk(path);
  }
  out.sort();
  return afterPath ? out.filter((p) => p > afterPath) : out;
}
