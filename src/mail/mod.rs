//! The only room that names lettre: the mail transports (SMTP for
//! production, `.eml` files for the demo, memory for tests) and one function
//! per message in `messages`.
//!
//! Email never goes straight from a handler to the network: it is written to
//! the outbox first (`store::outbox`), then delivered from there, so a mail
//! server that is down loses nothing (`jobs::outbox`).

pub mod messages;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lettre::address::{Address, Envelope};
use lettre::message::Mailbox;
use lettre::{SmtpTransport, Transport};

use crate::config::Config;

/// How long the mail server has to answer before a delivery is given up
/// (and left for the next try).
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a message could not be made or delivered.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail configuration cannot be used: {0}")]
    Config(String),
    #[error("'{0}' is not an email address")]
    Address(String),
    #[error("the message could not be made: {0}")]
    Message(String),
    #[error("the mail server did not take the message: {0}")]
    Delivery(String),
    /// Refused for good: trying again will not help.
    #[error("the mail server refused the message: {0}")]
    Refused(String),
}

/// A message as delivered to the memory transport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    pub to: String,
    pub message: String,
}

/// Where email goes.
#[derive(Clone)]
pub enum Mailer {
    /// An SMTP server, as `mail_url` names it.
    Smtp(SmtpTransport),
    /// `.eml` files in a folder: the demo's default, nothing to set up.
    Files(PathBuf),
    /// Kept in memory, for tests that do not need a server.
    Memory(Arc<Mutex<Vec<Delivered>>>),
}

impl Mailer {
    /// The transport the configuration asks for. A sender address that
    /// cannot go in a message stops the start, rather than every email.
    pub fn from_config(config: &Config) -> Result<Mailer, MailError> {
        if config.mail_from.parse::<Mailbox>().is_err() {
            return Err(MailError::Config(format!(
                "mail_from must be an address like Doorstep <doorstep@example.org>, not '{}'",
                config.mail_from
            )));
        }
        match &config.mail_url {
            Some(url) => {
                let transport = SmtpTransport::from_url(url)
                    .map_err(|e| MailError::Config(e.to_string()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            None => Ok(Mailer::Files(config.paths().mail)),
        }
    }

    /// Hands one formatted message to the transport.
    pub fn deliver(&self, from: &str, to: &str, message: &[u8]) -> Result<(), MailError> {
        let envelope = Envelope::new(Some(address(from)?), vec![address(to)?])
            .map_err(|e| MailError::Message(e.to_string()))?;
        match self {
            Mailer::Smtp(transport) => {
                transport.send_raw(&envelope, message).map_err(|e| {
                    if e.is_permanent() {
                        MailError::Refused(e.to_string())
                    } else {
                        MailError::Delivery(e.to_string())
                    }
                })?;
            }
            Mailer::Files(folder) => {
                let path = folder.join(format!("{}.eml", uuid::Uuid::new_v4()));
                std::fs::write(&path, message)
                    .map_err(|e| MailError::Delivery(format!("cannot write {}: {e}", path.display())))?;
            }
            Mailer::Memory(sent) => {
                let mut sent = sent.lock().map_err(|_| MailError::Delivery(String::from("poisoned")))?;
                sent.push(Delivered {
                    to: to.to_string(),
                    message: String::from_utf8_lossy(message).into_owned(),
                });
            }
        }
        Ok(())
    }
}

/// The address of a mailbox written `Name <address>` or just `address`.
fn address(text: &str) -> Result<Address, MailError> {
    text.parse::<Mailbox>().map(|m| m.email).map_err(|_| MailError::Address(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_addresses_with_tls_and_credentials_are_understood() {
        let config = |url: &str| Config { mail_url: Some(url.to_string()), ..Config::default() };
        for url in [
            "smtp://relay.example.org:25",
            "smtp://user:p%40ss@mail.example.org:587?tls=required",
            "smtps://user:secret@mail.example.org:465",
        ] {
            assert!(matches!(Mailer::from_config(&config(url)), Ok(Mailer::Smtp(_))), "{url}");
        }
        assert!(matches!(
            Mailer::from_config(&config("smtp://mail.example.org?tls=sometimes")),
            Err(MailError::Config(_))
        ));
        let bad_from = Config { mail_from: String::from("Doorstep <a@b@c>"), ..Config::default() };
        assert!(matches!(Mailer::from_config(&bad_from), Err(MailError::Config(_))));
        assert!(matches!(Mailer::from_config(&Config::default()), Ok(Mailer::Files(_))));
    }

    #[test]
    fn the_file_transport_writes_an_eml_file() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::Files(dir.path().to_path_buf());
        mailer
            .deliver("Doorstep <doorstep@example.org>", "a@example.org", b"Subject: hi\r\n\r\nhello")
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(files.len(), 1);
        let path = files[0].as_ref().unwrap().path();
        assert_eq!(path.extension().unwrap(), "eml");
        assert!(std::fs::read_to_string(path).unwrap().contains("hello"));
    }
}
