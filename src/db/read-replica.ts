import {
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from "kysely";
import { createPostgresPool, postgresPool } from "./database.ts";
import type { DB } from "./schema.ts";
import { isDatabaseUnavailable } from "./unavailable.ts";

/**
 * Reads that may go to a streaming replica (DATABASE_READ_URL). The pages that only read and may show figures a
 * few seconds old (dashboards, comparison, public pages, open data, annual review) receive `readDb`, a Kysely
 * whose connections come from the replica; everything else keeps the primary. A replica is a convenience, never a
 * dependency: when it cannot be reached, these pages read the primary instead (said once in the log), and they try
 * the replica again every few seconds.
 */
export interface ReadReplica {
  db: Kysely<DB>;
  /** Seconds the replica's replay is behind what it has received (0 when caught up), or undefined if it cannot be asked. */
  lagSeconds(timeoutMs: number): Promise<number | undefined>;
  close(): Promise<void>;
}

export interface ReadReplicaOptions {
  url: string;
  schema?: string | undefined;
  connectTimeoutMs: number;
  statementTimeoutMs?: number | undefined;
  /** How long reads stay on the primary after the replica failed before the replica is tried again. */
  retryAfterMs?: number;
  log?: (message: string) => void;
}

/** The longest a page waits for a connection to the replica before it reads the primary: a frozen replica costs little. */
const REPLICA_CONNECT_TIMEOUT_MS = 2_000;

/**
 * SQLSTATEs of the replica that the primary answers instead, outside a transaction: 25006 is a write the standby
 * refuses (the survey rollups fold their pending counts before any read: that housekeeping belongs to the primary,
 * nothing was done on the replica); 40001 is a read cancelled by a conflict with the replay of the primary's WAL.
 */
const PRIMARY_ANSWERS = new Set(["25006", "40001"]);

const replicas = new WeakMap<Kysely<DB>, ReadReplica>();

/** The replica behind a `readDb`, or undefined when `readDb` is the primary itself (no DATABASE_READ_URL, PGlite). */
export function readReplicaOf(readDb: Kysely<DB>): ReadReplica | undefined {
  return replicas.get(readDb);
}

/** Opens the replica's pool; nothing is asked of the replica yet, so a replica down at start-up delays nothing. */
export function openReadReplica(primary: Kysely<DB>, options: ReadReplicaOptions): ReadReplica {
  const primaryPool = postgresPool(primary);
  if (!primaryPool) throw new Error("DATABASE_READ_URL : une réplique de lecture demande une base principale PostgreSQL (DATABASE_URL).");
  const replicaPool = createPostgresPool(options.url, {
    schema: options.schema,
    connectTimeoutMs: Math.min(options.connectTimeoutMs, REPLICA_CONNECT_TIMEOUT_MS),
    statementTimeoutMs: options.statementTimeoutMs,
  });
  const state = new ReplicaState(options.retryAfterMs ?? 5_000, options.log ?? ((message) => console.error(message)));
  const driver = new ReadDriver(
    new PostgresDialect({ pool: replicaPool }).createDriver(),
    // The primary's own pool, through a driver of its own: the primary's Kysely keeps ownership (closing it ends the pool).
    new PostgresDialect({ pool: primaryPool }).createDriver(),
    state,
  );
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (kysely) => new PostgresIntrospector(kysely),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  const replica: ReadReplica = {
    db,
    async lagSeconds(timeoutMs) {
      // Straight to the replica's pool, not through the fallback: the primary has no lag to report. A query left
      // behind by the timeout still ends and gives its connection back by itself.
      try {
        const result = await Promise.race([
          replicaPool.query<{ lag: string | number | null }>(
            `select case when not pg_is_in_recovery() or pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
                         else extract(epoch from now() - pg_last_xact_replay_timestamp()) end as lag`,
          ),
          timeout(timeoutMs),
        ]);
        const lag = result.rows[0]?.lag;
        return lag === null || lag === undefined ? undefined : Math.max(0, Number(lag));
      } catch {
        return undefined;
      }
    },
    close: () => db.destroy(),
  };
  replicas.set(db, replica);
  return replica;
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(`pas de réponse en ${ms} ms`)), ms).unref());
}

/** Whether the replica is taken as down, since when, and the two log lines (down, back) said once each. */
class ReplicaState {
  down = false;
  private triedAt = 0;
  constructor(
    private readonly retryAfterMs: number,
    private readonly log: (message: string) => void,
  ) {}

  /** Whether to try the replica now: always while it is up, every `retryAfterMs` while it is down. */
  shouldTry(): boolean {
    return !this.down || Date.now() - this.triedAt >= this.retryAfterMs;
  }

  failed(error: unknown) {
    this.triedAt = Date.now();
    if (this.down) return;
    this.down = true;
    const reason = (error as Error).message || (error as { code?: string }).code || "erreur inconnue";
    this.log(
      `Réplique de lecture injoignable (${reason}) : les tableaux de bord et pages publiques lisent la base principale jusqu'à son retour.`,
    );
  }

  succeeded() {
    if (!this.down) return;
    this.down = false;
    this.log("Réplique de lecture de nouveau joignable : les tableaux de bord et pages publiques la lisent à nouveau.");
  }
}

/**
 * One connection lent to Kysely: on the replica while it answers, on the primary otherwise. A statement the replica
 * cannot answer (unreachable, a write it refuses, a replay conflict) is run again on the primary, but only outside a
 * transaction: inside one, its earlier statements ran on the replica and cannot be moved.
 */
class ReadConnection implements DatabaseConnection {
  inTransaction = false;
  private primaryConnection: DatabaseConnection | undefined;

  constructor(
    readonly driver: ReadDriver,
    public replicaConnection: DatabaseConnection | undefined,
  ) {}

  async primary(): Promise<DatabaseConnection> {
    this.primaryConnection ??= await this.driver.primary.acquireConnection();
    return this.primaryConnection;
  }

  /** The connection statements go to now. */
  async current(): Promise<DatabaseConnection> {
    return this.replicaConnection ?? this.primary();
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const replica = this.replicaConnection;
    if (!replica) return (await this.primary()).executeQuery<R>(query);
    try {
      return await replica.executeQuery<R>(query);
    } catch (error) {
      if (this.inTransaction) throw error;
      if (isDatabaseUnavailable(error) && !isStatementTimeout(error)) {
        this.driver.state.failed(error);
        // The broken connection goes back now (the pool drops it); the rest of this connection's life is on the primary.
        this.replicaConnection = undefined;
        await this.driver.replica.releaseConnection(replica).catch(() => undefined);
      } else if (!PRIMARY_ANSWERS.has((error as { code?: string }).code ?? "")) {
        throw error;
      }
      return (await this.primary()).executeQuery<R>(query);
    }
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    yield* (await this.current()).streamQuery<R>(query, chunkSize);
  }

  async release(): Promise<void> {
    if (this.replicaConnection) await this.driver.replica.releaseConnection(this.replicaConnection);
    if (this.primaryConnection) await this.driver.primary.releaseConnection(this.primaryConnection);
    this.replicaConnection = undefined;
    this.primaryConnection = undefined;
  }
}

/** A statement timeout is the statement's own slowness: the primary would time out as well, so it is not retried there. */
function isStatementTimeout(error: unknown): boolean {
  return (error as { code?: string }).code === "57014";
}

class ReadDriver implements Driver {
  constructor(
    readonly replica: Driver,
    readonly primary: Driver,
    readonly state: ReplicaState,
  ) {}

  async init(): Promise<void> {
    await this.replica.init();
    await this.primary.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (!this.state.shouldTry()) return new ReadConnection(this, undefined);
    try {
      const connection = await this.replica.acquireConnection();
      this.state.succeeded();
      return new ReadConnection(this, connection);
    } catch (error) {
      if (!isDatabaseUnavailable(error)) throw error;
      this.state.failed(error);
      return new ReadConnection(this, undefined);
    }
  }

  /** The driver and connection a transaction statement goes through. */
  private async target(connection: DatabaseConnection): Promise<[Driver, DatabaseConnection]> {
    const c = connection as ReadConnection;
    return c.replicaConnection ? [this.replica, c.replicaConnection] : [this.primary, await c.primary()];
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const [driver, inner] = await this.target(connection);
    await driver.beginTransaction(inner, settings);
    (connection as ReadConnection).inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const [driver, inner] = await this.target(connection);
    (connection as ReadConnection).inTransaction = false;
    await driver.commitTransaction(inner);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const [driver, inner] = await this.target(connection);
    (connection as ReadConnection).inTransaction = false;
    await driver.rollbackTransaction(inner);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    const [driver, inner] = await this.target(connection);
    await driver.savepoint?.(inner, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    const [driver, inner] = await this.target(connection);
    await driver.rollbackToSavepoint?.(inner, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler["compileQuery"]): Promise<void> {
    const [driver, inner] = await this.target(connection);
    await driver.releaseSavepoint?.(inner, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await (connection as ReadConnection).release();
  }

  /** Ends the replica's pool only: the primary's belongs to the primary's Kysely. */
  async destroy(): Promise<void> {
    await this.replica.destroy();
  }
}
