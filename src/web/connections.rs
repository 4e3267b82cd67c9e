//! Who is on the other end, and how much of the server they may hold: the
//! client's address (believing `X-Forwarded-For` only from a trusted proxy),
//! a limit on the connections one address keeps open, and a deadline for
//! every request's body, so that a client that sends its body slowly, or
//! never, cannot hold a connection for ever. (Its head has ten seconds: see
//! `server`.)

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Extensions, Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

use crate::config::Config;
use crate::state::AppState;

/// The address a request really comes from: the connection's own, or, when
/// that is a trusted proxy, the last address in `X-Forwarded-For` that is not
/// one (a client can write anything at the start of that header; only what
/// the proxies added can be believed).
pub fn client_address(req: &HttpRequest, config: &Config) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !config.is_trusted_proxy(peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        match hop.trim().parse::<IpAddr>() {
            Ok(address) if config.is_trusted_proxy(address) => {}
            Ok(address) => return Some(address),
            // Nothing left of an unreadable hop can be believed.
            Err(_) => break,
        }
    }
    Some(peer)
}

/// Counts the open connections from each address. Each connection carries an
/// `OpenConnection` in its data for as long as it is open.
#[derive(Clone, Debug, Default)]
pub struct ConnectionCount {
    open: Arc<Mutex<HashMap<IpAddr, u32>>>,
}

/// One open connection, counted until it closes (when it is dropped).
#[derive(Debug)]
pub struct OpenConnection {
    address: IpAddr,
    /// How many connections its address had open, this one included, when it opened.
    pub open_from_address: u32,
    count: ConnectionCount,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        let mut open = self.count.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(n) = open.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                open.remove(&self.address);
            }
        }
    }
}

impl ConnectionCount {
    /// For `HttpServer::on_connect`: counts a new connection and puts its
    /// `OpenConnection` in the connection's data.
    pub fn opened(&self, connection: &dyn Any, data: &mut Extensions) {
        let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() else { return };
        let Ok(peer) = stream.peer_addr() else { return };
        let address = peer.ip();
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let n = open.entry(address).or_insert(0);
        *n = n.saturating_add(1);
        data.insert(OpenConnection { address, open_from_address: *n, count: self.clone() });
    }
}

/// Middleware: answers 429 on a connection over its address's limit (a
/// trusted proxy excepted: it carries many people), closing it, and gives
/// the request's body a deadline: a body not all sent within the request
/// timeout ends in a 408 (see `session::CheckedForm`).
pub async fn limits(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let config = &state.config;
    let over = req.request().conn_data::<OpenConnection>().is_some_and(|c| {
        c.open_from_address > config.connections_per_address && !config.is_trusted_proxy(c.address)
    });
    if over {
        let response = HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", "10"))
            .force_close()
            .body("Too many connections from one address. Close some and try again.");
        return Ok(req.into_response(response));
    }
    let limit = Duration::from_secs(u64::from(config.request_timeout_seconds));
    let body = req.take_payload();
    let timed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
        Box::pin(Deadline { body, sleep: Box::pin(actix_web::rt::time::sleep(limit)) });
    req.set_payload(Payload::from(timed));
    next.call(req).await.map(ServiceResponse::map_into_boxed_body)
}

/// A request body that fails with `TimedOut` if it has not all arrived by
/// its deadline.
struct Deadline {
    body: Payload,
    sleep: Pin<Box<actix_web::rt::time::Sleep>>,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Poll::Ready(next) = Pin::new(&mut self.body).poll_next(cx) {
            return Poll::Ready(next);
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request's body did not arrive in time",
            ))))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Whether an error reading a body is its deadline passing.
pub fn timed_out(error: &actix_web::Error) -> bool {
    matches!(error.as_error::<PayloadError>(), Some(PayloadError::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn config(proxies: &[&str]) -> Config {
        Config { trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(), ..Config::default() }
    }

    fn from(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut req = TestRequest::default().peer_addr(format!("{peer}:40000").parse().unwrap());
        if let Some(header) = forwarded {
            req = req.insert_header(("X-Forwarded-For", header));
        }
        req.to_http_request()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
        let ip = |a: &str| Some(a.parse::<IpAddr>().unwrap());
        let none = config(&[]);
        assert_eq!(client_address(&from("203.0.113.9", Some("198.51.100.1")), &none), ip("203.0.113.9"));
        let proxied = config(&["10.0.0.0/8"]);
        assert_eq!(client_address(&from("10.0.0.2", Some("198.51.100.1")), &proxied), ip("198.51.100.1"));
        // A client's own claim at the start is passed over: the proxy added the last.
        assert_eq!(
            client_address(&from("10.0.0.2", Some("1.2.3.4, 198.51.100.1, 10.0.0.3")), &proxied),
            ip("198.51.100.1")
        );
        assert_eq!(client_address(&from("10.0.0.2", None), &proxied), ip("10.0.0.2"));
        assert_eq!(client_address(&from("10.0.0.2", Some("1.2.3.4, nonsense")), &proxied), ip("10.0.0.2"));
        assert_eq!(client_address(&from("203.0.113.9", Some("10.0.0.1")), &proxied), ip("203.0.113.9"));
    }
}
