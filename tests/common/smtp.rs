//! A real SMTP server on loopback, started by a test: it speaks enough of
//! RFC 5321 (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for any client,
//! and keeps every message it is given so the test can read it. It knows no
//! mailbox called "nobody": mail to nobody@… is refused for good (550).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// A message as the server received it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message: headers and body, dot-unstuffed, lines ending "\r\n".
    pub data: String,
}

/// Every message received, and a way to wake whoever waits for one.
type Inbox = Arc<(Mutex<Vec<Received>>, Condvar)>;

/// The running server. It stops when dropped.
pub struct SmtpServer {
    pub addr: SocketAddr,
    received: Inbox,
    stopping: Arc<std::sync::atomic::AtomicBool>,
    accepting: Option<std::thread::JoinHandle<()>>,
}

impl SmtpServer {
    /// Listens on a free loopback port.
    pub fn start() -> SmtpServer {
        SmtpServer::serve(TcpListener::bind("127.0.0.1:0").expect("a loopback port"))
    }

    /// Listens on `addr` (a port the test chose while nothing listened).
    pub fn start_on(addr: SocketAddr) -> SmtpServer {
        SmtpServer::serve(TcpListener::bind(addr).expect("the port is free again"))
    }

    fn serve(listener: TcpListener) -> SmtpServer {
        let addr = listener.local_addr().expect("an address");
        let received: Inbox = Arc::default();
        let stopping: Arc<std::sync::atomic::AtomicBool> = Arc::default();
        let (store, stop) = (received.clone(), stopping.clone());
        let accepting = std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let store = store.clone();
                // A session ends when its client quits or goes quiet for 30 seconds.
                std::thread::spawn(move || {
                    let _ = session(stream, &store);
                });
            }
        });
        SmtpServer { addr, received, stopping, accepting: Some(accepting) }
    }

    /// The `smtp://` address to configure Doorstep with (no TLS on loopback).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.0.lock().expect("not poisoned").clone()
    }

    /// Waits up to `limit` for at least `count` messages: woken as each arrives.
    pub fn wait_for(&self, count: usize, limit: Duration) -> Vec<Received> {
        let (messages, arrived) = &*self.received;
        let messages = messages.lock().expect("not poisoned");
        let (messages, _) =
            arrived.wait_timeout_while(messages, limit, |m| m.len() < count).expect("not poisoned");
        messages.clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        // The accepting thread waits for a connection: make one, so it sees
        // that it is to stop.
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

fn session(stream: TcpStream, store: &(Mutex<Vec<Received>>, Condvar)) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    out.write_all(b"220 localhost ESMTP test server\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let verb = command.split(' ').next().unwrap_or("").to_ascii_uppercase();
        let argument = |prefix: &str| {
            command[prefix.len().min(command.len())..].trim().trim_matches(['<', '>']).to_string()
        };
        match verb.as_str() {
            "EHLO" => out.write_all(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?,
            "HELO" => out.write_all(b"250 localhost\r\n")?,
            "MAIL" => {
                from = argument("MAIL FROM:");
                to.clear();
                out.write_all(b"250 OK\r\n")?;
            }
            "RCPT" => {
                let recipient = argument("RCPT TO:");
                if recipient.starts_with("nobody@") {
                    out.write_all(b"550 5.1.1 No such user here\r\n")?;
                } else {
                    to.push(recipient);
                    out.write_all(b"250 OK\r\n")?;
                }
            }
            "DATA" => {
                out.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                let mut data = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                store.0.lock().expect("not poisoned").push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                store.1.notify_all();
                out.write_all(b"250 OK: queued\r\n")?;
            }
            "RSET" | "NOOP" => out.write_all(b"250 OK\r\n")?,
            "QUIT" => {
                out.write_all(b"221 Bye\r\n")?;
                return Ok(());
            }
            _ => out.write_all(b"502 Command not implemented\r\n")?,
        }
    }
}
