//! The bench's PostgreSQL store, written straight into the store's tables.
//!
//! *Why not through the store:* the store's writer keeps every appended event decoded (to
//! plan later appends), so appending ten million events through it costs the bench the
//! memory the issue is about (4.3 GB of bench RSS at 2M). This builder writes the rows the
//! writer would write — the same columns, the same text for `recorded_at` and `payload`,
//! gapless positions from 1, stream versions from 1, and `log_head` set to the last
//! position in the same transaction — and holds one chunk of rows in memory at most,
//! whatever the total: the synthetic events are generated as they are written
//! (core's `synth::Synthetic`).
//!
//! It follows the store's commit protocol (`server/src/store/postgres.rs`): each chunk is one
//! transaction that locks the `log_head` row first, writes its rows and moves the head, so a
//! service reading the store meanwhile sees whole chunks in order. The schema is never written
//! here: the real store is opened once first and creates it. The builder writes only into a
//! store without events (a store already holding some is refused), so every position and
//! stream version it assigns is the one the writer would have assigned.
//!
//! Two ways to send rows, chosen by [`Write`]: binary `COPY … FROM STDIN` (the default; no
//! text escaping) or the writer's own multi-row `INSERT … UNNEST` (arrays of
//! [`INSERT_ROWS`]), kept to compare the two — and, as their baseline, the store's writer
//! itself. Measured on a million (two runs each, same machine, load ~3): `COPY` 10.4 and
//! 10.8 s, `INSERT` 12.7 and 11.6 s, the writer 21.2 s; VmHWM 256 MB, 266 MB, 2.1 GB.
//!
//! The events are the bench's: a synthetic log per round of [`ROUND`] events (each
//! round its own seed, its ids and the targets of its changes prefixed `rN-` after the first,
//! its actor registrations only in the first), stamped `recorded_at` one second apart.

use std::time::Instant;

use annals_core::synth::{SynthOptions, Synthetic};
use annals_core::{Envelope, Event, EventId, Proposed, Timestamp};
use futures_util::pin_mut;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{Client, NoTls};

use annals_server::store::postgres::{Rows, COLUMNS};

/// Synthetic events per round (the bench's: each round a synthetic log of its own seed).
pub const ROUND: usize = 1_000_000;
/// Rows per transaction (one head lock, one commit): what the builder holds at most.
pub const CHUNK: usize = 100_000;

/// How a store is built.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Synthetic events per round ([`ROUND`]; a test makes several rounds of a few).
    pub round: usize,
    /// Rows per transaction ([`CHUNK`]).
    pub chunk: usize,
    /// How rows are sent.
    pub write: Write,
    /// Print a line after each round.
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self { round: ROUND, chunk: CHUNK, write: Write::from_env(), progress: true }
    }
}
/// Rows per `INSERT … UNNEST` statement in [`Write::Insert`].
pub const INSERT_ROWS: usize = 10_000;
/// When the synthetic record was written: the first envelope's `recorded_at`.
const RECORDED_FROM: i64 = 1_700_000_000_000;

/// How rows reach the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Binary `COPY events FROM STDIN`.
    Copy,
    /// `INSERT INTO events … SELECT * FROM UNNEST(…)`, as the store's writer does.
    Insert,
    /// Through the store's own writer (`append`, 10,000 a call): the way this builder
    /// replaced, kept as the baseline of its rate and memory.
    Store,
}

impl Write {
    /// `ANNALS_BENCH_PG_WRITE=insert` picks [`Write::Insert`], `store` [`Write::Store`];
    /// anything else [`Write::Copy`].
    pub fn from_env() -> Self {
        match std::env::var("ANNALS_BENCH_PG_WRITE").as_deref() {
            Ok("insert") => Self::Insert,
            Ok("store") => Self::Store,
            _ => Self::Copy,
        }
    }
}

/// Round `round` (of `size` events) of a synthetic record of `events` events (`None` past
/// its end): the proposals the bench appends, each with its `recorded_at` (envelope `first +
/// i` is stamped `RECORDED_FROM + (first + i)` seconds, `first` being the envelopes of
/// earlier rounds).
pub fn round(events: usize, size: usize, round: u64, first: u64) -> Option<impl Iterator<Item = Proposed>> {
    let made = round as usize * size.max(1);
    if made >= events {
        return None;
    }
    let n = (events - made).min(size.max(1));
    let log = Synthetic::new(SynthOptions { events: n, seed: 1 + round, ..SynthOptions::default() });
    let prefix = move |id: &EventId| EventId::from(format!("r{round}-{}", id.as_str()));
    let mut at = first;
    let proposed =
        log.filter(move |e: &Envelope| round == 0 || !matches!(e.event, Event::ActorRegistered(_))).map(move |e| {
            let event = match e.event {
                Event::Corrected(mut c) if round > 0 => {
                    c.target = prefix(&c.target);
                    Event::Corrected(c)
                }
                Event::Disputed(mut d) if round > 0 => {
                    d.target = prefix(&d.target);
                    Event::Disputed(d)
                }
                Event::Retracted(mut r) if round > 0 => {
                    r.target = prefix(&r.target);
                    Event::Retracted(r)
                }
                other => other,
            };
            let id = if round > 0 { prefix(&e.id) } else { e.id };
            at += 1;
            Proposed { id, event, recorded_at: Some(Timestamp(RECORDED_FROM + at as i64 * 1000)) }
        });
    Some(proposed)
}

/// The peak resident memory of this process (`VmHWM`), as `/proc` says it.
pub fn vm_hwm() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).map_or_else(|| "?".into(), |v| v.trim().to_owned())
}

async fn connect(url: &str) -> Result<Client, String> {
    let (client, connection) =
        tokio_postgres::connect(url, NoTls).await.map_err(|e| format!("connecting to the store: {e}"))?;
    tokio::spawn(connection);
    Ok(client)
}

fn db(what: &str) -> impl Fn(tokio_postgres::Error) -> String + '_ {
    move |e| match e.as_db_error() {
        Some(d) => format!("{what}: PostgreSQL: {}", d.message()),
        None => format!("{what}: {e}"),
    }
}

/// Writes one chunk as one transaction under the head lock; `last` is the head after it.
async fn write_chunk(client: &mut Client, how: Write, rows: &Rows, last: u64) -> Result<(), String> {
    let tx = client.transaction().await.map_err(db("BEGIN"))?;
    let head: i64 =
        tx.query_one("SELECT position FROM log_head FOR UPDATE", &[]).await.map_err(db("locking log_head"))?.get(0);
    let first = rows.position.first().copied().unwrap_or(head + 1);
    if head + 1 != first {
        return Err(format!(
            "the store's head moved to {head} while the builder wrote (it expected {}): something else appends",
            first - 1
        ));
    }
    match how {
        Write::Copy => {
            let sink =
                tx.copy_in(&format!("COPY events ({COLUMNS}) FROM STDIN (FORMAT binary)")).await.map_err(db("COPY"))?;
            let types =
                [Type::INT8, Type::TEXT, Type::TEXT, Type::INT8, Type::TEXT, Type::TEXT, Type::INT4, Type::TEXT];
            let writer = BinaryCopyInWriter::new(sink, &types);
            pin_mut!(writer);
            for i in 0..rows.len() {
                let row: [&(dyn ToSql + Sync); 8] = [
                    &rows.position[i],
                    &rows.id[i],
                    &rows.stream[i],
                    &rows.stream_version[i],
                    &rows.recorded_at[i],
                    &rows.type_name[i],
                    &rows.schema_version[i],
                    &rows.payload[i],
                ];
                writer.as_mut().write(&row).await.map_err(db("COPY row"))?;
            }
            writer.finish().await.map_err(db("COPY end"))?;
        }
        // (`Store` never comes here: the store's writer inserts so too.)
        Write::Insert | Write::Store => {
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO events ({COLUMNS}) SELECT * FROM UNNEST(
                        $1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::BIGINT[],
                        $5::TEXT[], $6::TEXT[], $7::INTEGER[], $8::TEXT[])"
                ))
                .await
                .map_err(db("INSERT"))?;
            let mut from = 0;
            while from < rows.len() {
                let to = (from + INSERT_ROWS).min(rows.len());
                let r = from..to;
                let params: [&(dyn ToSql + Sync); 8] = [
                    &&rows.position[r.clone()],
                    &&rows.id[r.clone()],
                    &&rows.stream[r.clone()],
                    &&rows.stream_version[r.clone()],
                    &&rows.recorded_at[r.clone()],
                    &&rows.type_name[r.clone()],
                    &&rows.schema_version[r.clone()],
                    &&rows.payload[r],
                ];
                tx.execute(&insert, &params).await.map_err(db("INSERT"))?;
                from = to;
            }
        }
    }
    tx.execute("UPDATE log_head SET position = $1", &[&(last as i64)]).await.map_err(db("moving log_head"))?;
    tx.commit().await.map_err(db("COMMIT"))?;
    Ok(())
}

/// Builds the bench's record of `events` synthetic events into the empty store at `url`, in
/// the stream `stream`; prints progress (rows, rate, this process's `VmHWM`) after each round
/// when asked. Answers the envelopes written.
pub async fn build(url: &str, stream: &str, events: usize, options: Options) -> Result<u64, String> {
    let Options { round: size, chunk, write: how, progress } = options;
    // The store makes its schema (and checks an existing one); the builder only fills it.
    let store = annals_server::store::postgres::PostgresStore::open(url)
        .await
        .map_err(|e| format!("opening the store at {url}: {e}"))?;
    drop(store);
    let mut client = connect(url).await?;
    let (head, rows): (i64, i64) = {
        let h = client.query_one("SELECT position FROM log_head", &[]).await.map_err(db("reading log_head"))?;
        let n = client.query_one("SELECT count(*) FROM events", &[]).await.map_err(db("counting events"))?;
        (h.get(0), n.get(0))
    };
    if head != 0 || rows != 0 {
        return Err(format!(
            "the store already holds {rows} events (head {head}); the builder writes only into an empty store"
        ));
    }
    let started = Instant::now();
    let mut written = 0u64;
    let mut r = 0u64;
    let writer = match how {
        Write::Store => Some(
            annals_server::store::postgres::PostgresStore::open(url)
                .await
                .map_err(|e| format!("opening the store at {url}: {e}"))?,
        ),
        Write::Copy | Write::Insert => None,
    };
    while let Some(mut proposed) = round(events, size, r, written) {
        loop {
            // (The store's writer gets the appends of 10,000 the bench made before.)
            let take = if writer.is_some() { 10_000 } else { chunk.max(1) };
            let batch: Vec<Proposed> = proposed.by_ref().take(take).collect();
            if batch.is_empty() {
                break;
            }
            if let Some(store) = &writer {
                use annals_server::store::Store as _;
                let (name, n) = (annals_core::StreamName::from(stream), batch.len() as u64);
                let any = annals_core::ExpectedVersion::Any;
                store.append(name, any, batch).await.map_err(|e| format!("append: {e}"))?;
                written += n;
                continue;
            }
            let mut rows = Rows::default();
            for p in batch {
                // One stream: an event's version is its position.
                let position = written + rows.len() as u64 + 1;
                let recorded_at = p.recorded_at.ok_or("a proposal without recorded_at")?;
                let env = Envelope {
                    position,
                    id: p.id,
                    stream: annals_core::StreamName::from(stream),
                    recorded_at,
                    event: p.event,
                };
                rows.push(&env, position).map_err(|e| e.to_string())?;
            }
            let last = written + rows.len() as u64;
            write_chunk(&mut client, how, &rows, last).await?;
            written = last;
        }
        r += 1;
        if progress {
            let secs = started.elapsed().as_secs_f64();
            println!(
                "built: {written} envelopes in {secs:.1} s, {:.0} envelopes/s so far ({how:?}); builder VmHWM {}",
                written as f64 / secs,
                vm_hwm()
            );
        }
    }
    Ok(written)
}
