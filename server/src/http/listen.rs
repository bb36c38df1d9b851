//! The accept loop of `annals serve`: a connection cap, a header read timeout, room made
//! for new clients, and a shutdown with a deadline.
//!
//! *Why not `axum::serve`.* It accepts every connection it can and waits for headers
//! forever, so clients that trickle their headers one byte a second hold file descriptors
//! until the process runs out of them; then `accept` fails ("Too many open files") and
//! `/healthz` waits behind them. Its graceful shutdown waits for every connection, so one
//! client holding a half-sent request keeps the process alive after SIGTERM. This loop
//! fixes each of those:
//!
//! - **A cap** on open connections, below the open-file limit (`RLIMIT_NOFILE` less
//!   [`FD_RESERVE`] for the database, its readers and the log), so `accept` has a
//!   descriptor to work with even when every slot is taken.
//! - **Room for newcomers.** When the cap is reached, the oldest connection that is not in
//!   the middle of a request (still sending its headers, or idle between requests) is
//!   closed to make room for the new one. A connection "in a request" is one whose response
//!   is not finished, a live stream included, so slow readers of headers never push out
//!   work in progress. When every connection is busy, the newcomer is closed at once.
//! - **A header read timeout** (hyper's): a request head must arrive whole within it.
//! - **Accept errors back off** (100 ms, logged at most once a second) instead of spinning.
//! - **Shutdown with a deadline**: on the shutdown signal the listener closes, idle
//!   connections close, requests in flight get [`Limits::grace`] to finish, then whatever
//!   is left is dropped and the function returns.
//!
//! Only HTTP/1.1 is served (the service is meant to sit behind a proxy for TLS and HTTP/2).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

/// File descriptors kept free of connections: the database and its WAL, the read
/// connections, the lock file, standard streams, the listener and some slack.
pub const FD_RESERVE: u64 = 64;
/// Connections allowed at once when not configured (lowered to fit the open-file limit).
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// How long a client has to send a whole request head, when not configured.
pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long requests in flight may run on after the shutdown signal.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(5);
/// The largest request head hyper reads; larger ones get hyper's own (empty) 431. Heads
/// over [`super::MAX_HEADER_BYTES`] but under this get the JSON 431 of the service.
const READ_BUFFER: usize = 64 * 1024;
/// hyper's limit on the number of header fields (over it, hyper's own empty 431); the
/// service answers more than [`super::MAX_HEADERS`] with the JSON 431.
const HYPER_MAX_HEADERS: usize = 2 * super::MAX_HEADERS;
/// Pause after a failed `accept` (out of descriptors, out of memory).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The limits of the accept loop.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once (before [`connection_cap`] lowers it to the open-file limit).
    pub max_connections: usize,
    /// How long a client has to send a whole request head.
    pub header_timeout: Duration,
    /// How long requests in flight may run on after the shutdown signal.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_connections: DEFAULT_MAX_CONNECTIONS, header_timeout: DEFAULT_HEADER_TIMEOUT, grace: DEFAULT_GRACE }
    }
}

/// Connections the kernel queues before `accept` takes them (capped by `net.core.somaxconn`);
/// tokio's default of 128 drops the SYNs of a burst of clients.
pub const BACKLOG: u32 = 1024;

/// A listener on `addr` with a [`BACKLOG`]-long queue (and `SO_REUSEADDR`, as tokio's `bind`).
pub fn bind(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// `wanted`, lowered so that the connections and [`FD_RESERVE`] fit the process's open-file
/// limit (at least 1).
pub fn connection_cap(wanted: usize) -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    match limit {
        Some(n) => wanted.min(usize::try_from(n.saturating_sub(FD_RESERVE)).unwrap_or(usize::MAX)).max(1),
        None => wanted.max(1),
    }
}

/// One open connection, as the table sees it.
struct Conn {
    /// Requests of this connection whose response is not finished.
    busy: Arc<AtomicUsize>,
    /// Closes the connection when notified.
    close: Arc<Notify>,
}

/// The open connections, oldest first.
#[derive(Default)]
struct Table {
    conns: Mutex<BTreeMap<u64, Conn>>,
}

impl Table {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Conn>> {
        // A panic while holding the lock leaves the map consistent (each call is one insert
        // or remove), so a poisoned lock is still usable.
        self.conns.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn insert(&self, id: u64, conn: Conn) {
        self.lock().insert(id, conn);
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Closes the oldest connection that is not in a request; false when all are.
    fn close_oldest_idle(&self) -> bool {
        let mut conns = self.lock();
        let idle = conns.iter().find(|(_, c)| c.busy.load(Ordering::Acquire) == 0).map(|(id, _)| *id);
        match idle.and_then(|id| conns.remove(&id)) {
            Some(conn) => {
                conn.close.notify_one();
                true
            }
            None => false,
        }
    }

    /// Closes every connection.
    fn close_all(&self) {
        for (_, conn) in std::mem::take(&mut *self.lock()) {
            conn.close.notify_one();
        }
    }
}

/// Counts a request as in progress from its head to the end (or drop) of its response body.
struct InRequest(Arc<AtomicUsize>);

impl InRequest {
    fn enter(busy: &Arc<AtomicUsize>) -> Self {
        busy.fetch_add(1, Ordering::AcqRel);
        Self(busy.clone())
    }
}

impl Drop for InRequest {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops as the module docs say.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let cap = connection_cap(limits.max_connections);
    if cap < limits.max_connections {
        tracing::info!("at most {cap} connections at once (the open-file limit leaves room for no more than that)");
    }
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(READ_BUFFER)
        .max_headers(HYPER_MAX_HEADERS);
    let http = Arc::new(http);
    let table = Arc::new(Table::default());
    let graceful = GracefulShutdown::new();
    let mut next_id = 0u64;
    let mut last_complaint: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // The client gave up before we got to it: nothing to do.
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                if last_complaint.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
                    tracing::warn!("cannot accept a connection ({e}); {} open, waiting a moment", table.len());
                    last_complaint = Some(Instant::now());
                }
                table.close_oldest_idle();
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                }
            }
        };
        if table.len() >= cap && !table.close_oldest_idle() {
            tracing::warn!("{cap} connections are busy with requests: closed the connection from {peer}");
            drop(stream);
            continue;
        }
        let id = next_id;
        next_id += 1;
        let busy = Arc::new(AtomicUsize::new(0));
        let close = Arc::new(Notify::new());
        table.insert(id, Conn { busy: busy.clone(), close: close.clone() });
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let guard = InRequest::enter(&busy);
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await?;
                // The guard lives as long as the body: a streamed response keeps the
                // connection busy until it ends.
                Ok::<_, Infallible>(response.map(|body| {
                    Body::new(body.map_frame(move |frame| {
                        let _ = &guard;
                        frame
                    }))
                }))
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let table = table.clone();
        tokio::spawn(async move {
            tokio::select! {
                done = connection => {
                    if let Err(e) = done {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                }
                () = close.notified() => tracing::debug!("closed the connection from {peer} to make room"),
            }
            table.remove(id);
        });
    }
    drop(listener);
    let open = graceful.count();
    if open > 0 {
        tracing::info!("waiting up to {:?} for {open} connection(s) to finish", limits.grace);
    }
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.grace) => {
            tracing::warn!("{} connection(s) did not finish within {:?}: closing them", table.len(), limits.grace);
            table.close_all();
        }
    }
    Ok(())
}

/// Errors of one connection, not of the listener: the next `accept` may go on at once.
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
