//! Members of the neighbourhood networks: joining with an address (a link
//! to confirm it), signing in by an emailed link or a password, a member's
//! own account, and leaving. A member of staff takes part as themselves.
//!
//! Nothing here says whether an address belongs to a member: joining with a
//! member's address sends them a link to sign in instead, and asking for a
//! link for an address nobody joined with sends nothing, with the same page.

use chrono::{Duration, Utc};

use super::{blocking, db, require};
use crate::domain::accounts::{StaffUser, choose_password, decoy_hash, random_token, verify_password};
use crate::domain::ids::{MemberId, OrganisationId};
use crate::domain::networks::{JoinForm, LinkPurpose, Member, SpeakerView, Speaking, display_name};
use crate::domain::text::FieldErrors;
use crate::error::AppError;
use crate::mail::messages;
use crate::state::AppState;
use crate::store::members::{self, Joined, LinkState};
use crate::store::{self, StoreError, organisations, sign_ins, speakers};

/// How long a member stays signed in on one browser.
pub const SESSION_DAYS: i64 = 30;
/// How long an emailed link works.
pub const LINK_HOURS: i64 = 24;
/// The most links one address is sent in an hour.
const LINKS_PER_HOUR: i64 = 5;

/// The member whose unexpired session `token` names.
pub async fn session_member(state: &AppState, token: String) -> Result<Option<Member>, AppError> {
    let now = Utc::now().naive_utc();
    db(state, move |conn| members::session_member(conn, &token, now)).await
}

/// The member of staff as a member, if they have taken part yet (read only).
pub async fn staff_member(state: &AppState, user: &StaffUser) -> Result<Option<Member>, AppError> {
    let id = user.id;
    db(state, move |conn| members::of_staff(conn, id)).await
}

/// Whether this visitor may take part (to be shown a form to post): a
/// member or a member of staff; anyone else is asked to sign in or join.
/// Changes nothing, for the pages a GET shows.
pub fn may_take_part(member: Option<&Member>, staff: Option<&StaffUser>, next: &str) -> Result<(), AppError> {
    if member.is_some() || staff.is_some() {
        Ok(())
    } else {
        Err(AppError::MemberSignInRequired { next: next.to_string() })
    }
}

/// Who takes part: the signed-in member, or a member of staff (made a
/// member the first time); anyone else is asked to sign in or join, and
/// brought back to `next`.
pub async fn acting(
    state: &AppState,
    member: Option<Member>,
    staff: Option<&StaffUser>,
    next: &str,
) -> Result<Member, AppError> {
    if let Some(member) = member {
        return Ok(member);
    }
    let Some(user) = staff.cloned() else {
        return Err(AppError::MemberSignInRequired { next: next.to_string() });
    };
    let now = Utc::now().naive_utc();
    db(state, move |conn| members::for_staff(conn, &user, now)).await
}

/// Joins with the form's address and name: a link to confirm (or, for a
/// member already, to sign in) is put in the outbox. The problems, if the
/// form did not check out.
pub async fn join(state: &AppState, form: &JoinForm) -> Result<Result<(), FieldErrors>, AppError> {
    let joining = match form.check() {
        Ok(joining) => joining,
        Err(errors) => return Ok(Err(errors)),
    };
    let now = Utc::now().naive_utc();
    let found = {
        let joining = joining.clone();
        db(state, move |conn| members::join(conn, &joining, now)).await?
    };
    let (member, purpose) = match found {
        Joined::New(member) => (member, LinkPurpose::Confirm),
        Joined::Already(member) => (member, LinkPurpose::SignIn),
    };
    send_link(state, member, &joining.email, &joining.display_name, purpose).await?;
    Ok(Ok(()))
}

/// Emails a link to sign in to the member with `email`, if there is one.
/// The page that follows says the same whether or not there is.
pub async fn ask_for_link(state: &AppState, email: &str) -> Result<Result<(), FieldErrors>, AppError> {
    let address = match crate::domain::text::email(email) {
        Ok(Some(address)) => address.to_lowercase(),
        Ok(None) => return Ok(Err(one_error("email", "Enter your email address"))),
        Err(message) => return Ok(Err(one_error("email", message))),
    };
    let lookup = address.clone();
    let Some((member, _)) = db(state, move |conn| members::by_email(conn, &lookup)).await? else {
        return Ok(Ok(()));
    };
    let found = db(state, move |conn| members::by_id(conn, member)).await?;
    if let Some(found) = found {
        send_link(state, member, &address, &found.display_name, LinkPurpose::SignIn).await?;
    }
    Ok(Ok(()))
}

fn one_error(field: &str, message: impl Into<String>) -> FieldErrors {
    let mut errors = FieldErrors::default();
    errors.add(field, message);
    errors
}

/// Puts a one-time link for `member` in the outbox, unless they were sent
/// as many as they may be this hour (then nothing more goes, quietly: the
/// links already sent still work).
async fn send_link(
    state: &AppState,
    member: MemberId,
    to: &str,
    name: &str,
    purpose: LinkPurpose,
) -> Result<(), AppError> {
    let (token, now) = (random_token(), Utc::now().naive_utc());
    let link = format!("{}/members/links/{token}", state.config.public_url);
    let message = match purpose {
        LinkPurpose::Confirm => {
            messages::member_confirm(&state.config.mail_from, to, name, &link, LINK_HOURS)
        }
        LinkPurpose::SignIn => messages::member_sign_in(&state.config.mail_from, to, name, &link, LINK_HOURS),
    }
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let to = to.to_string();
    let key = format!("member-link-{}", &store::users::token_hash(&token)[..16]);
    db(state, move |conn| {
        store::transaction(conn, |conn| {
            if members::links_sent_since(conn, member, now - Duration::hours(1))? >= LINKS_PER_HOUR {
                return Ok(());
            }
            members::add_link(conn, member, &token, purpose, now, now + Duration::hours(LINK_HOURS))?;
            store::outbox::queue(conn, &key, None, "member_link", &to, &message, now)?;
            Ok(())
        })
    })
    .await
}

/// What an emailed link is for, while it may be used: a used or expired
/// link is gone (410); one never made is not found.
pub async fn link(state: &AppState, token: String) -> Result<(LinkPurpose, String), AppError> {
    let now = Utc::now().naive_utc();
    match db(state, move |conn| members::link_state(conn, &token, now)).await? {
        LinkState::Usable { purpose, display_name } => Ok((purpose, display_name)),
        LinkState::Used => Err(AppError::Gone(String::from(
            "This link has been used already. Ask for a new one on the sign-in page: it comes by email.",
        ))),
        LinkState::Expired => Err(AppError::Gone(format!(
            "This link has expired: links work for {LINK_HOURS} hours. Ask for a new one on the sign-in page."
        ))),
        LinkState::Unknown => Err(AppError::NotFound),
    }
}

/// Uses an emailed link, once: the address is confirmed and a session
/// starts. The session's token.
pub async fn use_link(state: &AppState, token: String) -> Result<String, AppError> {
    link(state, token.clone()).await?;
    let now = Utc::now().naive_utc();
    let Some(member) = db(state, move |conn| members::use_link(conn, &token, now)).await? else {
        return Err(AppError::Gone(String::from("This link has been used already.")));
    };
    start_session(state, member).await
}

async fn start_session(state: &AppState, member: MemberId) -> Result<String, AppError> {
    let (session, now) = (random_token(), Utc::now().naive_utc());
    let kept = session.clone();
    db(state, move |conn| {
        members::start_session(conn, member, &kept, now, now + Duration::days(SESSION_DAYS))
    })
    .await?;
    Ok(session)
}

/// Signs in with an address and a password: a session's token, or what to
/// tell the person. The same throttle as staff sign-ins.
pub async fn sign_in_with_password(
    state: &AppState,
    email: &str,
    password: String,
    address: &str,
) -> Result<Result<String, FieldErrors>, AppError> {
    let limits = state.throttle;
    let (who, from, now) =
        (format!("member:{}", email.trim().to_lowercase()), address.to_string(), Utc::now().naive_utc());
    let (check_who, check_from) = (who.clone(), from.clone());
    if let Some(wait) =
        db(state, move |conn| sign_ins::check(conn, &limits, &check_who, &check_from, now)).await?
    {
        return Err(AppError::TooManyRequests { retry_after_secs: wait.as_secs().max(1) });
    }
    let lookup = email.to_string();
    let found = db(state, move |conn| members::by_email(conn, &lookup)).await?;
    let member = blocking(move || match found {
        Some((member, Some(hash))) => verify_password(&password, &hash).then_some(member),
        _ => {
            verify_password(&password, decoy_hash());
            None
        }
    })
    .await?;
    let Some(member) = member else {
        db(state, move |conn| sign_ins::failed(conn, &limits, &who, &from, now)).await?;
        return Ok(Err(one_error(
            "email",
            "Enter the email address and password you chose, or leave the password empty to be sent a link",
        )));
    };
    db(state, move |conn| sign_ins::succeeded(conn, &who, &from)).await?;
    Ok(Ok(start_session(state, member).await?))
}

/// Ends the session `token` names.
pub async fn sign_out(state: &AppState, token: String) -> Result<(), AppError> {
    db(state, move |conn| members::end_session(conn, &token)).await
}

/// A member's own account changed: their display name, and a password (new
/// and again; both empty leaves it as it is), or taken away (`remove_password`).
pub async fn change_account(
    state: &AppState,
    member: &Member,
    session: String,
    (name, password, again, remove_password): (String, String, String, bool),
) -> Result<Result<(), FieldErrors>, AppError> {
    let mut errors = FieldErrors::default();
    let name = errors.take("display_name", display_name(&name));
    let hash = if remove_password || (password.is_empty() && again.is_empty()) {
        None
    } else {
        match blocking(move || choose_password(&password, &again)).await? {
            Ok(hash) => Some(hash),
            Err(problems) => {
                errors.0.extend(problems.0);
                None
            }
        }
    };
    let Some(name) = name.filter(|_| errors.is_empty()) else { return Ok(Err(errors)) };
    let id = member.id;
    db(state, move |conn| {
        store::transaction(conn, |conn| {
            members::rename(conn, id, &name)?;
            if remove_password || hash.is_some() {
                members::set_password(conn, id, hash.as_deref(), &session)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(Ok(()))
}

/// Deletes a member's own account (a member of staff's account is the
/// staff account, closed by an administrator). Their posts stay as a
/// former member's, unless `remove_posts`.
pub async fn delete(state: &AppState, member: &Member, remove_posts: bool) -> Result<(), AppError> {
    if member.staff.is_some() {
        return Err(AppError::Conflict(String::from(
            "You take part as a member of staff: your account is closed by an administrator.",
        )));
    }
    let (id, now) = (member.id, Utc::now().naive_utc());
    db(state, move |conn| members::delete(conn, id, remove_posts, now)).await?;
    super::search::take_in_activity(state).await;
    Ok(())
}

/// Asks for `member` to speak for an organisation: their posts say so once
/// its editor or a connector agrees. Its name, and how an earlier ask stands.
pub async fn ask_to_speak(
    state: &AppState,
    member: &Member,
    organisation: OrganisationId,
) -> Result<(String, Option<Speaking>), AppError> {
    let (id, now) = (member.id, Utc::now().naive_utc());
    db(state, move |conn| {
        let (found, archived) = organisations::one(conn, organisation)?;
        if archived.is_some() {
            return Err(StoreError::NotFound);
        }
        Ok((found.name, speakers::ask(conn, id, organisation, now)?))
    })
    .await
}

/// The asks to speak for organisations, and those agreed, that `user` may
/// decide on: an editor's organisation's; every one for those who keep the
/// listings.
pub async fn speakers(state: &AppState, user: &StaffUser) -> Result<Vec<SpeakerView>, AppError> {
    require(user.edits_listings())?;
    let only = user.only_organisation();
    require(user.keeps_listings() || only.is_some())?;
    db(state, move |conn| speakers::listed(conn, only)).await
}

/// Agrees to an ask, refuses it, or ends a member's speaking
/// (`"agree"`, `"refuse"`, `"end"`), for someone who may edit the organisation.
pub async fn decide_speaker(
    state: &AppState,
    user: &StaffUser,
    id: String,
    action: &str,
) -> Result<(), AppError> {
    require(user.edits_listings())?;
    let asked = id.clone();
    let organisation = db(state, move |conn| speakers::organisation_of(conn, &asked)).await?;
    require(user.may_edit_organisation(organisation))?;
    let agree = match action {
        "agree" => Some(true),
        "refuse" => Some(false),
        "end" => None,
        _ => return Err(AppError::BadRequest(String::from("Choose whether to agree, refuse or end it."))),
    };
    let (by, now) = (user.id, Utc::now().naive_utc());
    db(state, move |conn| match agree {
        Some(agree) => speakers::decide(conn, &id, agree, by, now),
        None => speakers::end(conn, &id),
    })
    .await
}
