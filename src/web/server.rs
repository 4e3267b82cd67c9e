//! Runs the HTTP server until it is stopped. Each connection is counted
//! against its address, so that `connections::limits` can refuse those over
//! the limit.

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::HttpServer;

use super::connections::ConnectionCount;
use crate::state::AppState;

/// How long a client has to send a request's head (its body has the
/// configured request timeout: see `connections::limits`).
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `addr`, prints where it is serving, and serves until SIGTERM or
/// Ctrl-C, when it stops taking connections and waits for the requests in
/// hand to be answered.
pub fn run(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let public_url = state.config.public_url.clone();
        let connections = ConnectionCount::default();
        // Stopping waits this long for the requests in hand.
        let drain = u64::from(state.config.handler_timeout_seconds);
        let server = HttpServer::new(move || super::app(state.clone()))
            .on_connect(move |connection, data| connections.opened(connection, data))
            .client_request_timeout(HEAD_TIMEOUT)
            .shutdown_timeout(drain)
            .bind(addr)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        println!("Doorstep is serving at {public_url} (listening on {addr}). Press Ctrl-C to stop.");
        server.run().await
    })
}

/// A server on a loopback port, serving from a thread of its own until it
/// is dropped (then it stops and its thread ends).
pub struct LoopbackServer {
    pub addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Serves `state` on a free loopback port from a background thread, for the
/// benchmarks' load run and the tests that need a real socket. The port
/// listens before this returns, so it can be used at once.
pub fn spawn_on_loopback(state: AppState, workers: usize) -> std::io::Result<LoopbackServer> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (handed, handle) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let served = actix_web::rt::System::new().block_on(async move {
            let connections = ConnectionCount::default();
            let server = HttpServer::new(move || super::app(state.clone()))
                .on_connect(move |connection, data| connections.opened(connection, data))
                .client_request_timeout(HEAD_TIMEOUT)
                .workers(workers)
                .listen(listener)?
                .run();
            let _ = handed.send(server.handle());
            server.await
        });
        if let Err(error) = served {
            tracing::error!(%error, "the loopback server stopped");
        }
    });
    let handle = handle.recv().map_err(|_| std::io::Error::other("the loopback server did not start"))?;
    Ok(LoopbackServer { addr, handle, thread: Some(thread) })
}

impl Drop for LoopbackServer {
    fn drop(&mut self) {
        // Stopping is a future: it is waited for on a runtime of its own, as
        // the one dropping this may be inside another.
        let handle = self.handle.clone();
        let stopping = std::thread::spawn(move || actix_web::rt::System::new().block_on(handle.stop(false)));
        let _ = stopping.join();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
