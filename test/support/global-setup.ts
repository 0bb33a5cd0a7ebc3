import pg from 'pg';
import { testServerUrl } from './postgres.ts';

/** Fails the run at once, with what to do, when the test PostgreSQL server is not reachable. */
export default async function setup(): Promise<void> {
  const client = new pg.Client({ connectionString: testServerUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${testServerUrl().replace(/:[^:@/]*@/, ':***@')}: start it (.ci/run does) or set TEST_DATABASE_URL. (${(error as Error).message})`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}
