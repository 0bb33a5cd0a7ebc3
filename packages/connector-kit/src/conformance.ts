import { openWorkspace, type Workspace } from '@salvage/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findProvenanceProblems,
  findResumeProblems,
  findStreamProblems,
  type ReadLog,
  readAll,
} from './conformance-checks.ts';
import type { Connector, ConnectorContext } from './connector.ts';
import { runConnector } from './runner.ts';

/** What a connector's conformance test provides: a working case against a real (local) source, and a bad key. */
export interface ConformanceCase<C> {
  connector: Connector<C>;
  /** A parsed config that reads the fixture source. */
  config: C;
  ctx: ConnectorContext;
  /** The raw config (as in salvage.config.yaml) that parseConfig turns into `config`; checked when given. */
  rawConfig?: unknown;
  /** Same source, wrong credentials: check must return `{ ok: false }`, never throw. 'none' for sources without credentials (files). */
  badCredentials: { config: C; ctx: ConnectorContext } | 'none';
  /** How many checkpoints to resume from (evenly spread, always the last); default 25. */
  maxResumePoints?: number;
  /** Stops servers the case started. */
  cleanup?(): Promise<void>;
}

/** A case of any connector: each has its own config type. */
// biome-ignore lint/suspicious/noExplicitAny: the suite never looks inside the config.
export type AnyConformanceCase = ConformanceCase<any>;

/**
 * The vitest suite every connector passes: provenance on every evidence, raw before the evidence that points at it,
 * declared stream names, resume from every checkpoint without duplicates or gaps, a stable second run through the
 * runner, and bad credentials reported as a CheckResult value. Call it at the top level of a connector's test file.
 */
export function describeConnectorConformance(
  name: string,
  makeCase: () => Promise<AnyConformanceCase>,
): void {
  describe(`connector conformance: ${name}`, () => {
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    let kase: ConformanceCase<any>;
    let full: ReadLog;
    let ws: Workspace | undefined;

    beforeAll(async () => {
      kase = await makeCase();
      full = await readAll(kase.connector, kase.config, {}, kase.ctx);
    });
    afterAll(async () => {
      await ws?.close();
      await kase?.cleanup?.();
    });

    it('reads the fixture to the end and gives evidence', () => {
      expect(full.error).toBeUndefined();
      expect(full.messages.filter((m) => m.kind === 'evidence').length).toBeGreaterThan(0);
    });

    it('puts provenance on every evidence, and sends raw material before the evidence that points at it', () => {
      expect(findProvenanceProblems(full.messages, kase.ctx.business.id)).toEqual([]);
    });

    it('names only declared streams, and ends each with a status', () => {
      const declared = kase.connector.streams.map((s) => s.name);
      expect(findStreamProblems(full.messages, declared)).toEqual([]);
      expect(kase.connector.name).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(kase.connector.version.length).toBeGreaterThan(0);
    });

    it('writes checkpoints after their evidence: resuming from each neither duplicates nor skips', async () => {
      expect(full.messages.some((m) => m.kind === 'checkpoint')).toBe(true);
      const problems = await findResumeProblems(
        kase.connector,
        kase.config,
        kase.ctx,
        full.messages,
        kase.maxResumePoints ?? 25,
      );
      expect(problems).toEqual([]);
    });

    it('stores every evidence once through the runner, and a second run adds nothing new', async () => {
      ws = await openWorkspace({ pglite: 'memory://' });
      const ctx = { ...kase.ctx, scope: `conformance/${name}` };
      const first = await runConnector(kase.connector, kase.config, ctx, ws, { skipCheck: true });
      expect(first.status).toBe('succeeded');
      const ids = new Set(full.messages.flatMap((m) => (m.kind === 'evidence' ? [m.evidence.id] : [])));
      const stored = new Set<string>();
      for await (const e of ws.readEvidence()) stored.add(e.id);
      expect(stored).toEqual(ids);
      for (const m of full.messages) {
        if (m.kind === 'evidence' && m.evidence.rawRef)
          expect(await ws.getRaw(m.evidence.rawRef)).not.toBeNull();
      }
      const second = await runConnector(kase.connector, kase.config, ctx, ws, { skipCheck: true });
      expect(second.status).toBe('succeeded');
      expect(second.totals.inserted).toBe(0);
    });

    it('parses its config and reports bad config as issues, not throws', () => {
      if (kase.rawConfig !== undefined) {
        const parsed = kase.connector.parseConfig(kase.rawConfig);
        expect(parsed.ok).toBe(true);
      }
      for (const bad of [null, 42, 'x']) {
        const res = kase.connector.parseConfig(bad);
        expect(res.ok).toBe(false);
        if (!res.ok) expect(res.issues.length).toBeGreaterThan(0);
      }
    });

    it('reports bad credentials as a CheckResult value, not a throw', async () => {
      const good = await kase.connector.check(kase.config, kase.ctx);
      expect(good).toMatchObject({ ok: true });
      if (kase.badCredentials === 'none') return;
      const bad = await kase.connector.check(kase.badCredentials.config, kase.badCredentials.ctx);
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(['auth', 'permission', 'config']).toContain(bad.kind);
        expect(bad.message.length).toBeGreaterThan(0);
      }
    });
  });
}
