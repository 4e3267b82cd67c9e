//! `doorstep user`: managing staff accounts.

use std::io::BufRead;

use chrono::Utc;
use clap::Subcommand;

use super::CliError;
use crate::config::Config;
use crate::domain::accounts::{Role, hash_password};
use crate::domain::ids::OrganisationId;
use crate::domain::text;
use crate::state;
use crate::store::users::{Created, NewUser};
use crate::store::{Store, organisations, users};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a staff account. The password is read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// administrator, connector, advisor or organisation_editor.
        #[arg(long)]
        role: String,
        /// The name shown to colleagues; by default the part of the email before the @.
        #[arg(long)]
        name: Option<String>,
        /// For an organisation editor: the id of their organisation.
        #[arg(long)]
        organisation: Option<String>,
        /// For a connector: the slug of a neighbourhood they look after (repeat for more).
        #[arg(long = "neighbourhood")]
        neighbourhoods: Vec<String>,
    },
}

/// Adds the staff account asked for.
pub(super) fn run(config: &Config, action: UserCommand) -> Result<(), CliError> {
    match action {
        UserCommand::Add { email, role, name, organisation, neighbourhoods } => {
            let store = state::open_store(config)?;
            add_user(&store, &email, &role, name, organisation, neighbourhoods)
        }
    }
}

fn add_user(
    store: &Store,
    email: &str,
    role: &str,
    name: Option<String>,
    organisation: Option<String>,
    neighbourhoods: Vec<String>,
) -> Result<(), CliError> {
    let email = text::email(email)
        .map_err(CliError::Usage)?
        .ok_or_else(|| CliError::Usage(String::from("--email must not be empty")))?;
    let role = Role::from_code(&role.trim().to_ascii_lowercase().replace('-', "_")).ok_or_else(|| {
        CliError::Usage(format!(
            "'{role}' is not a role: use administrator, connector, advisor or organisation_editor"
        ))
    })?;
    let organisation = match (role, organisation) {
        (Role::OrganisationEditor, None) => {
            return Err(CliError::Usage(String::from("an organisation editor needs --organisation ID")));
        }
        (_, Some(text)) => {
            let id: OrganisationId = text
                .trim()
                .parse()
                .map_err(|_| CliError::Usage(format!("'{text}' is not an organisation id")))?;
            if !organisations::exists(&mut *store.conn()?, id)? {
                return Err(CliError::Usage(format!("there is no organisation with the id {id}")));
            }
            Some(id)
        }
        (_, None) => None,
    };
    if !neighbourhoods.is_empty() && role != Role::Connector {
        return Err(CliError::Usage(String::from("only a connector looks after neighbourhoods")));
    }
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| CliError::Usage(format!("cannot read the password from standard input: {e}")))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let password_hash = hash_password(password).map_err(|e| CliError::Usage(e.to_string()))?;
    let name = match name {
        Some(name) => text::required_line(&name, "the person's name").map_err(CliError::Usage)?,
        None => email.split('@').next().unwrap_or(&email).to_string(),
    };
    let user = NewUser { email: email.clone(), name, password_hash, role, organisation, neighbourhoods };
    match users::create(&mut *store.conn()?, &user, Utc::now().naive_utc())? {
        Created::Added(id) => {
            println!("Added {email} as {} (id {id}).", role.label());
            Ok(())
        }
        Created::EmailTaken => Err(CliError::Usage(format!("there is already an account for {email}"))),
        Created::UnknownNeighbourhood(message) => Err(CliError::Usage(message)),
    }
}
