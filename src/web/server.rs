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

/// Binds `addr`, prints where it is serving, and serves until Ctrl-C.
pub fn run(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let public_url = state.config.public_url.clone();
        let connections = ConnectionCount::default();
        let server = HttpServer::new(move || super::app(state.clone()))
            .on_connect(move |connection, data| connections.opened(connection, data))
            .client_request_timeout(HEAD_TIMEOUT)
            .bind(addr)
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))?;
        println!("Doorstep is serving at {public_url} (listening on {addr}). Press Ctrl-C to stop.");
        server.run().await
    })
}

/// Serves `state` on a free loopback port from a background thread, for the
/// benchmarks' load run. Returns the address; the server lives as long as
/// the process.
pub fn spawn_on_loopback(state: AppState, workers: usize) -> std::io::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        let served = actix_web::rt::System::new().block_on(async move {
            let connections = ConnectionCount::default();
            HttpServer::new(move || super::app(state.clone()))
                .on_connect(move |connection, data| connections.opened(connection, data))
                .client_request_timeout(HEAD_TIMEOUT)
                .workers(workers)
                .listen(listener)?
                .run()
                .await
        });
        if let Err(error) = served {
            tracing::error!(%error, "the benchmark server stopped");
        }
    });
    Ok(addr)
}
