//! What a person does for their own account: their name, a new e-mail address (confirmed at
//! the new address, told to the old one), a new password (every other session ends), a
//! forgotten password (a single-use link for one hour, the same answer whether or not the
//! address has an account, every session ended on reset), confirming the address given at
//! sign-up, and the password meter.
//!
//! Links sent by e-mail are rows of `account_links`: only the token's SHA-256 is stored, a
//! newer link of the same kind replaces an older one, and using one is a conditional update,
//! so it works once even when opened twice at the same moment.

use super::{passwords, Accounts};
use crate::{
    mail::{Mail, OutgoingMail},
    platform::{
        db::{now, unique_violation, Db, Unique},
        error::{internal, OrInternal},
        limits::RateLimit,
        sessions::DbSessionStore,
        tokens::{new_token, token_hash},
    },
    realtime::{AccessChange, Hub},
};
use app::{
    accounts::{
        api::{
            ChangeEmail, ChangePassword, CheckPasswordStrength, ConfirmEmail, ForgotPassword,
            GetAccountLink, ResetPassword, SignIn, SignUp, UpdateName,
        },
        seam::{AccountsSeam, SelfServiceSeam},
    },
    error::ApiError,
    seam::Visitor,
};
use shared::{
    accounts::{AccountLink, AccountSettings, LinkPurpose, Me, PasswordStrength},
    validation::{self, FieldError},
};
use std::{sync::Arc, time::Duration};

/// How long a password reset link works.
const RESET_SECS: i64 = 3600;
/// How long a link confirming an address works.
const CONFIRM_SECS: i64 = 3 * 86_400;
/// One mail of a kind per account in this many seconds; asking again sooner sends nothing
/// (and answers the same), so nobody can flood someone's inbox.
const MAIL_INTERVAL_SECS: i64 = 60;

/// The self-service part of accounts; clones share everything.
#[derive(Clone)]
pub struct SelfService {
    db: Db,
    accounts: Accounts,
    mail: Mail,
    sessions: DbSessionStore,
    public_url: Arc<url::Url>,
    /// Told when a name changes (as the conversations it is in show it).
    hub: Hub,
    /// Mails asked for (forgotten password, confirmation again), per client address.
    mails: RateLimit<String>,
    /// Strength checks while typing, per client address.
    strength: RateLimit<String>,
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    user_id: i64,
    purpose: String,
    email: String,
}

impl SelfService {
    pub fn new(
        db: Db,
        accounts: Accounts,
        mail: Mail,
        sessions: DbSessionStore,
        public_url: Arc<url::Url>,
        hub: Hub,
    ) -> Self {
        Self {
            db,
            accounts,
            mail,
            sessions,
            public_url,
            hub,
            mails: RateLimit::new(20, Duration::from_secs(3600)).expect("a non-zero limit"),
            strength: RateLimit::new(120, Duration::from_secs(60)).expect("a non-zero limit"),
        }
    }

    /// Forgets rate-limit state (housekeeping).
    pub fn housekeeping(&self) {
        self.mails.retain_recent();
        self.strength.retain_recent();
    }

    async fn signed_in(&self, visitor: &Visitor) -> Result<i64, ApiError> {
        self.accounts
            .user_of(visitor.parts())
            .await?
            .ok_or(ApiError::Unauthenticated)
    }

    async fn load(&self, user_id: i64) -> Result<AccountSettings, ApiError> {
        let (name, email, verified): (String, String, Option<i64>) =
            sqlx::query_as("SELECT name, email, email_verified_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("loading account")?
                .ok_or(ApiError::Unauthenticated)?;
        let pending_email: Option<String> = sqlx::query_scalar(
            "SELECT email FROM account_links WHERE user_id = $1 AND purpose = $2 \
             AND used_at IS NULL AND expires_at > $3 ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(LinkPurpose::ChangeEmail.as_str())
        .bind(now())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("loading pending address")?;
        Ok(AccountSettings {
            name,
            email,
            email_verified: verified.is_some(),
            pending_email,
        })
    }

    /// Checks the account's current password (a field error on `current_password`).
    async fn check_current_password(&self, user_id: i64, password: &str) -> Result<(), ApiError> {
        let hash: Option<String> =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&self.db.pool)
                .await
                .or_internal("loading password")?;
        if self
            .accounts
            .passwords
            .verify(password.to_owned(), hash)
            .await?
        {
            Ok(())
        } else {
            Err(ApiError::field(
                "current_password",
                "This is not your current password.",
            ))
        }
    }

    /// Whether a link of `purpose` went to `user_id` less than [`MAIL_INTERVAL_SECS`] ago.
    async fn sent_recently(&self, user_id: i64, purpose: LinkPurpose) -> Result<bool, ApiError> {
        let recent: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM account_links WHERE user_id = $1 AND purpose = $2 AND created_at > $3 \
             LIMIT 1",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now() - MAIL_INTERVAL_SECS)
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("checking recent links")?;
        Ok(recent.is_some())
    }

    /// Stores a new link of `purpose` for `user_id` (ending any earlier open one of the same
    /// kind) and queues the e-mail that carries it, in one transaction.
    async fn send_link(
        &self,
        user_id: i64,
        purpose: LinkPurpose,
        to: &str,
        compose: impl FnOnce(&url::Url) -> (String, String),
    ) -> Result<(), ApiError> {
        let token = new_token();
        let now = now();
        let lifetime = match purpose {
            LinkPurpose::ResetPassword => RESET_SECS,
            LinkPurpose::VerifyEmail | LinkPurpose::ChangeEmail => CONFIRM_SECS,
        };
        let page = match purpose {
            LinkPurpose::ResetPassword => "account/reset/",
            LinkPurpose::VerifyEmail | LinkPurpose::ChangeEmail => "account/confirm/",
        };
        let link = self
            .public_url
            .join(&format!("{page}{token}"))
            .or_internal("building link")?;
        let (subject, body) = compose(&link);
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        sqlx::query(
            "UPDATE account_links SET used_at = $1 WHERE user_id = $2 AND purpose = $3 \
             AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(&mut *tx)
        .await
        .or_internal("replacing link")?;
        sqlx::query(
            "INSERT INTO account_links (user_id, purpose, token_hash, email, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(token_hash(&token))
        .bind(to)
        .bind(now)
        .bind(now + lifetime)
        .execute(&mut *tx)
        .await
        .or_internal("storing link")?;
        self.mail
            .enqueue(
                &mut tx,
                OutgoingMail {
                    org_id: None,
                    recipient: to,
                    subject: &subject,
                    body: &body,
                    grants_role: None,
                },
            )
            .await?;
        tx.commit().await.or_internal("committing link")?;
        self.mail.wake();
        Ok(())
    }

    /// Queues a notice without a link.
    async fn send_notice(&self, to: &str, subject: &str, body: &str) -> Result<(), ApiError> {
        let mut conn = self.db.pool.acquire().await.or_internal("connecting")?;
        self.mail
            .enqueue(
                &mut conn,
                OutgoingMail {
                    org_id: None,
                    recipient: to,
                    subject,
                    body,
                    grants_role: None,
                },
            )
            .await?;
        self.mail.wake();
        Ok(())
    }

    /// The confirmation link for the address given at sign-up.
    pub async fn send_verification(&self, user_id: i64, email: &str) -> Result<(), ApiError> {
        self.send_link(user_id, LinkPurpose::VerifyEmail, email, |link| {
            (
                "Confirm your e-mail address for Talentloom".to_owned(),
                format!(
                    "Welcome to Talentloom. Confirm that this address is yours here:\n{link}\n\n\
                     The link works once, for three days. If you did not create an account, \
                     ignore this e-mail."
                ),
            )
        })
        .await
    }

    /// An open (unused, unexpired) link.
    async fn open_link(&self, token: &str) -> Result<Option<LinkRow>, ApiError> {
        sqlx::query_as(
            "SELECT id, user_id, purpose, email FROM account_links \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now())
        .fetch_optional(&self.db.pool)
        .await
        .or_internal("loading link")
    }

    /// Marks the link used (in the transaction); `false` when it was used a moment ago.
    async fn claim(conn: &mut sqlx::AnyConnection, link_id: i64) -> Result<bool, ApiError> {
        let claimed =
            sqlx::query("UPDATE account_links SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
                .bind(now())
                .bind(link_id)
                .execute(conn)
                .await
                .or_internal("using link")?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Ends every session of the account and signs this browser in under a new session id.
    async fn restart_sessions(&self, visitor: &Visitor, user_id: i64) -> Result<(), ApiError> {
        self.sessions
            .delete_for_user(user_id)
            .await
            .or_internal("ending sessions")?;
        self.accounts.start_session(visitor.parts(), user_id).await
    }
}

fn dead_link() -> ApiError {
    ApiError::field(
        "token",
        "This link has expired or was used already. Ask for a new one.",
    )
}

/// The server's password rule, as a meter reading.
pub fn strength(password: &str, email: &str, name: &str) -> PasswordStrength {
    if password.is_empty() {
        return PasswordStrength {
            score: 0,
            acceptable: false,
            advice: String::new(),
        };
    }
    let score = passwords::estimate(password, email, name);
    let verdict = passwords::check_new_password(password, email, name);
    PasswordStrength {
        score,
        acceptable: verdict.is_ok(),
        advice: verdict.err().map(|e| e.message).unwrap_or_default(),
    }
}

#[async_trait::async_trait]
impl SelfServiceSeam for SelfService {
    async fn settings(&self, visitor: &Visitor) -> Result<AccountSettings, ApiError> {
        let user_id = self.signed_in(visitor).await?;
        self.load(user_id).await
    }

    async fn update_name(
        &self,
        visitor: &Visitor,
        input: UpdateName,
    ) -> Result<AccountSettings, ApiError> {
        let user_id = self.signed_in(visitor).await?;
        let name = validation::display_name("name", &input.name)?;
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
            .bind(&name)
            .bind(user_id)
            .execute(&self.db.pool)
            .await
            .or_internal("changing name")?;
        self.hub.access_changed(AccessChange::Renamed { user_id });
        self.load(user_id).await
    }

    async fn change_email(
        &self,
        visitor: &Visitor,
        input: ChangeEmail,
    ) -> Result<AccountSettings, ApiError> {
        let user_id = self.signed_in(visitor).await?;
        ApiError::check(shared::accounts::check_change_email(
            &input.email,
            &input.current_password,
        ))?;
        let new_email = validation::email("email", &input.email)?;
        let current = self.load(user_id).await?;
        if new_email == current.email {
            return Err(ApiError::field(
                "email",
                "This is your address already. Type the new one.",
            ));
        }
        self.check_current_password(user_id, &input.current_password)
            .await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&new_email)
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("checking address")?;
        if taken.is_some() {
            return Err(ApiError::field(
                "email",
                "Another account uses this address. Choose a different one.",
            ));
        }
        self.send_link(user_id, LinkPurpose::ChangeEmail, &new_email, |link| {
            (
                "Confirm your new e-mail address for Talentloom".to_owned(),
                format!(
                    "You asked to use this address for your Talentloom account. Confirm it here:\n\
                     {link}\n\nUntil you do, your account keeps its current address. The link \
                     works once, for three days. If you did not ask for this, ignore this e-mail."
                ),
            )
        })
        .await?;
        let settings_url = self
            .public_url
            .join("account")
            .or_internal("building link")?;
        self.send_notice(
            &current.email,
            "A new e-mail address was asked for your Talentloom account",
            &format!(
                "Someone signed in to your Talentloom account asked to change its address to \
                 {new_email}. It changes only when the link sent there is opened.\n\n\
                 If this was not you, change your password now: {settings_url}"
            ),
        )
        .await?;
        tracing::info!(user_id, "address change asked");
        self.load(user_id).await
    }

    async fn change_password(
        &self,
        visitor: &Visitor,
        input: ChangePassword,
    ) -> Result<(), ApiError> {
        let user_id = self.signed_in(visitor).await?;
        let account = self.load(user_id).await?;
        let mut problems = shared::accounts::check_new_password(&input.password);
        if input.current_password.is_empty() {
            problems.push(FieldError::new(
                "current_password",
                "Enter your current password.",
            ));
        }
        ApiError::check(problems)?;
        self.check_current_password(user_id, &input.current_password)
            .await?;
        passwords::check_new_password(&input.password, &account.email, &account.name)?;
        let hash = self.accounts.passwords.hash(input.password).await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&hash)
            .bind(user_id)
            .execute(&self.db.pool)
            .await
            .or_internal("changing password")?;
        self.restart_sessions(visitor, user_id).await?;
        tracing::info!(user_id, "password changed, other sessions ended");
        Ok(())
    }

    async fn resend_verification(&self, visitor: &Visitor) -> Result<String, ApiError> {
        let user_id = self.signed_in(visitor).await?;
        let account = self.load(user_id).await?;
        if account.email_verified {
            return Err(ApiError::field(
                "email",
                "Your address is confirmed already.",
            ));
        }
        self.mails
            .check(&self.accounts.client_key(visitor.parts()))?;
        if !self
            .sent_recently(user_id, LinkPurpose::VerifyEmail)
            .await?
        {
            self.send_verification(user_id, &account.email).await?;
        }
        Ok(account.email)
    }

    async fn forgot_password(
        &self,
        visitor: &Visitor,
        input: ForgotPassword,
    ) -> Result<String, ApiError> {
        ApiError::check(shared::accounts::check_forgot_password(&input.email))?;
        let email = validation::email("email", &input.email)?;
        self.mails
            .check(&self.accounts.client_key(visitor.parts()))?;
        let user: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&self.db.pool)
            .await
            .or_internal("looking up address")?;
        // The answer is the same for an unknown address: nobody learns who has an account.
        if let Some(user_id) = user {
            if !self
                .sent_recently(user_id, LinkPurpose::ResetPassword)
                .await?
            {
                self.send_link(user_id, LinkPurpose::ResetPassword, &email, |link| {
                    (
                        "Choose a new password for Talentloom".to_owned(),
                        format!(
                            "Someone, hopefully you, asked to reset the password of the \
                             Talentloom account with this address. Choose a new password here:\n\
                             {link}\n\nThe link works once, for one hour, and signs you out \
                             everywhere else. If you did not ask for this, ignore this e-mail: \
                             your password stays as it is."
                        ),
                    )
                })
                .await?;
            }
        }
        Ok(email)
    }

    async fn link(
        &self,
        _visitor: &Visitor,
        input: GetAccountLink,
    ) -> Result<AccountLink, ApiError> {
        let link = self.open_link(&input.token).await?.ok_or_else(dead_link)?;
        Ok(AccountLink {
            purpose: LinkPurpose::parse(&link.purpose)
                .ok_or("unknown")
                .or_internal("stored link purpose")?,
            email: link.email,
        })
    }

    async fn reset_password(
        &self,
        visitor: &Visitor,
        input: ResetPassword,
    ) -> Result<Me, ApiError> {
        ApiError::check(shared::accounts::check_new_password(&input.password))?;
        let link = self
            .open_link(&input.token)
            .await?
            .filter(|l| l.purpose == LinkPurpose::ResetPassword.as_str())
            .ok_or_else(dead_link)?;
        let (email, name): (String, String) =
            sqlx::query_as("SELECT email, name FROM users WHERE id = $1")
                .bind(link.user_id)
                .fetch_one(&self.db.pool)
                .await
                .or_internal("loading account")?;
        passwords::check_new_password(&input.password, &email, &name)?;
        let hash = self.accounts.passwords.hash(input.password).await?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        if !Self::claim(&mut tx, link.id).await? {
            return Err(dead_link());
        }
        // The link reached the address, so the address is confirmed too.
        sqlx::query(
            "UPDATE users SET password_hash = $1, \
             email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
        )
        .bind(&hash)
        .bind(now())
        .bind(link.user_id)
        .execute(&mut *tx)
        .await
        .or_internal("setting password")?;
        tx.commit().await.or_internal("committing reset")?;
        self.accounts.clear_lockout(&email, visitor.parts()).await?;
        self.restart_sessions(visitor, link.user_id).await?;
        tracing::info!(
            user_id = link.user_id,
            "password reset, every session ended"
        );
        self.accounts
            .load_me(link.user_id)
            .await?
            .ok_or(ApiError::Internal)
    }

    async fn confirm_email(
        &self,
        _visitor: &Visitor,
        input: ConfirmEmail,
    ) -> Result<String, ApiError> {
        let link = self.open_link(&input.token).await?.ok_or_else(dead_link)?;
        let purpose = LinkPurpose::parse(&link.purpose)
            .ok_or("unknown")
            .or_internal("stored link purpose")?;
        let mut tx = self.db.begin().await.or_internal("starting transaction")?;
        if !Self::claim(&mut tx, link.id).await? {
            return Err(dead_link());
        }
        let old_email: String = sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
            .bind(link.user_id)
            .fetch_one(&mut *tx)
            .await
            .or_internal("loading account")?;
        match purpose {
            LinkPurpose::VerifyEmail => {
                // A link to an address the account no longer has confirms nothing.
                if old_email != link.email {
                    return Err(dead_link());
                }
                sqlx::query(
                    "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) \
                     WHERE id = $2",
                )
                .bind(now())
                .bind(link.user_id)
                .execute(&mut *tx)
                .await
                .or_internal("confirming address")?;
            }
            LinkPurpose::ChangeEmail => {
                let changed = sqlx::query(
                    "UPDATE users SET email = $1, email_verified_at = $2 WHERE id = $3",
                )
                .bind(&link.email)
                .bind(now())
                .bind(link.user_id)
                .execute(&mut *tx)
                .await;
                match changed {
                    Ok(_) => {}
                    Err(err) if unique_violation(&err) == Some(Unique::UserEmail) => {
                        return Err(ApiError::field(
                            "token",
                            "Another account took this address meanwhile. Choose a different one in your settings.",
                        ));
                    }
                    Err(err) => return Err(internal("changing address", err)),
                }
            }
            LinkPurpose::ResetPassword => return Err(dead_link()),
        }
        tx.commit().await.or_internal("committing confirmation")?;
        if purpose == LinkPurpose::ChangeEmail {
            self.send_notice(
                &old_email,
                "Your Talentloom address was changed",
                &format!(
                    "The address of your Talentloom account is now {}. Mail no longer comes \
                     to this one.\n\nIf you did not do this, reply to your organisation's \
                     administrator at once.",
                    link.email
                ),
            )
            .await?;
            tracing::info!(user_id = link.user_id, "address changed");
        }
        Ok(link.email)
    }

    async fn password_strength(
        &self,
        visitor: &Visitor,
        input: CheckPasswordStrength,
    ) -> Result<PasswordStrength, ApiError> {
        self.strength
            .check(&self.accounts.client_key(visitor.parts()))?;
        // The person's own name and address make a password weaker; when signed in, they are
        // the account's.
        let (email, name) = match self.accounts.user_of(visitor.parts()).await? {
            Some(user_id) => {
                let account = self.load(user_id).await?;
                (account.email, account.name)
            }
            None => (
                input.email.unwrap_or_default(),
                input.name.unwrap_or_default(),
            ),
        };
        Ok(strength(&input.password, &email, &name))
    }
}

/// The account seam, with the confirmation link sent after sign-up (the account service itself
/// sends no mail).
#[async_trait::async_trait]
impl AccountsSeam for SelfService {
    async fn me(&self, visitor: &Visitor) -> Result<Option<Me>, ApiError> {
        self.accounts.me(visitor).await
    }

    async fn sign_up(&self, visitor: &Visitor, input: SignUp) -> Result<Me, ApiError> {
        let me = self.accounts.sign_up(visitor, input).await?;
        // The account exists either way; the banner offers to send the link again.
        if let Err(err) = self.send_verification(me.user_id, &me.email).await {
            tracing::warn!(user_id = me.user_id, error = %err, "queueing the confirmation link");
        }
        Ok(me)
    }

    async fn sign_in(&self, visitor: &Visitor, input: SignIn) -> Result<Me, ApiError> {
        self.accounts.sign_in(visitor, input).await
    }

    async fn sign_out(&self, visitor: &Visitor) -> Result<(), ApiError> {
        self.accounts.sign_out(visitor).await
    }
}
