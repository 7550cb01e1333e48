//! The one place that assembles the services, once at start-up. Each service holds only what it
//! needs (a `Mail` holds a `Db` and the queue, not `AppState`), so any of them can be built and
//! tested alone; handlers and server functions reach them through this state and the seams.

use crate::{
    accounts::{self_service::SelfService, AccountSettings, AccountSetupError, Accounts},
    applications::{ApplicationSettings, Applications},
    candidates::Candidates,
    documents::{sandbox::ExtractorSettings, Extractor, Uploads},
    jobs::Jobs,
    mail::{Mail, MailSetupError},
    matching::{analysis::Matching, occupations::OccupationService, store::DocumentStore, Engine},
    orgs::{logo::Logos, OrgSettings, Orgs},
    pipeline::Pipeline,
    platform::{
        client::ClientAddresses,
        config::Config,
        db::{Db, DbSetupError},
        files::{FileStore, FileStoreError},
        headers::Https,
        metrics::Metrics,
        origin::AllowedOrigins,
        page_cache::PageCache,
        sessions::DbSessionStore,
    },
    queue::{Handlers, JobQueue},
    realtime::{Hub, Realtime},
};
use crate::{
    chat::{files::ChatFiles, Chat},
    notifications::Notifications,
};
use app::{
    accounts::seam::{AccountsSeam, SelfServiceSeam},
    applications::seam::ApplicationsSeam,
    candidates::seam::CandidatesSeam,
    careers::seam::CareersSeam,
    chat::seam::{CandidateChatSeam, ChatSeam},
    jobs::seam::JobsSeam,
    mail::seam::MailSeam,
    matching::seam::MatchingSeam,
    notifications::seam::NotificationsSeam,
    orgs::seam::{InvitationsSeam, OrgsSeam},
    pipeline::seam::PipelineSeam,
    queue::seam::QueueSeam,
    seam::Identity,
};
use axum::extract::FromRef;
use leptos::{config::LeptosOptions, prelude::provide_context};
use std::{net::SocketAddr, sync::Arc, time::Duration};

/// Why the server could not start; each says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] DbSetupError),
    #[error(transparent)]
    Mail(#[from] MailSetupError),
    #[error(transparent)]
    Accounts(#[from] AccountSetupError),
    #[error("PUBLIC_URL is not a valid URL: {0}")]
    PublicUrl(#[from] url::ParseError),
    #[error("cannot set up metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    #[error("INVITATIONS_PER_HOUR must be at least 1")]
    InvitationLimit,
    #[error("cannot find this program's own path to read uploads in a child process: {0}; set EXTRACTOR")]
    Extractor(std::io::Error),
    #[error(transparent)]
    Files(#[from] FileStoreError),
    #[error(transparent)]
    Model(#[from] crate::matching::ModelError),
    #[error("cannot rebuild the search index from the database: {0}")]
    SearchIndex(#[source] sqlx::Error),
    #[error("cannot make candidates' names comparable for duplicate detection: {0}")]
    NameKeys(#[source] sqlx::Error),
    #[error("cannot listen for the other instances' realtime events on PostgreSQL: {0}")]
    RealtimeRelay(#[source] sqlx::Error),
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
}

/// What every request shares, behind one `Arc`: axum clones a router's state for each request
/// it hands to a handler, and cloning every service (each a few `Arc`s) from both cores at once
/// was most of the cost of a cheap request (docs/BENCHMARKS.md, "Careers page").
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// `State<Service>` in a handler: that service, cloned from the shared state.
macro_rules! services_from_state {
    ($($field:ident: $ty:ty),* $(,)?) => {
        $(impl FromRef<AppState> for $ty {
            fn from_ref(state: &AppState) -> Self {
                state.0.$field.clone()
            }
        })*
    };
}

services_from_state!(
    leptos_options: LeptosOptions,
    config: Arc<Config>,
    db: Db,
    sessions: DbSessionStore,
    accounts: Accounts,
    self_service: SelfService,
    orgs: Orgs,
    mail: Mail,
    queue: JobQueue,
    realtime: Realtime,
    uploads: Uploads,
    engine: Engine,
    matching: Matching,
    documents: Arc<DocumentStore>,
    jobs: Jobs,
    applications: Applications,
    candidates: Candidates,
    pipeline: Pipeline,
    chat: Chat,
    chat_files: ChatFiles,
    logos: Logos,
    page_cache: PageCache,
    occupations: OccupationService,
    metrics: Metrics,
    origins: AllowedOrigins,
    clients: ClientAddresses,
    https: Https,
);

/// The server's services (see [`AppState`]).
pub struct Services {
    /// Leptos's site options (site root, output name), needed by the rendering handlers.
    pub leptos_options: LeptosOptions,
    /// The configuration the server started with.
    pub config: Arc<Config>,
    /// The database pool (SQLite or PostgreSQL).
    pub db: Db,
    /// Sessions, in the same database.
    pub sessions: DbSessionStore,
    /// Sign-up, sign-in, sign-out and who a session belongs to.
    pub accounts: Accounts,
    /// A person's own account: settings, a forgotten password, confirming an address.
    pub self_service: SelfService,
    /// Organisations, members, invitations; resolves every caller (`Identity`).
    pub orgs: Orgs,
    /// Outgoing mail.
    pub mail: Mail,
    /// The durable job queue.
    pub queue: JobQueue,
    /// The realtime hub and what `/ws` needs.
    pub realtime: Realtime,
    /// Reading uploaded documents (in child processes).
    pub uploads: Uploads,
    /// The matching engine: the embedding model behind its batching thread.
    pub engine: Engine,
    /// The matching screen's use case.
    pub matching: Matching,
    /// Searchable documents: persisted embeddings and the per-organisation hybrid index.
    pub documents: Arc<DocumentStore>,
    /// Jobs: writing them, their status and their place in the search store.
    pub jobs: Jobs,
    /// Applications from the careers pages and the candidates' private links.
    pub applications: Applications,
    /// Candidates and their files, as the hiring team sees them.
    pub candidates: Candidates,
    /// Jobs' boards: stages, moves, live updates.
    pub pipeline: Pipeline,
    /// Conversations between members and their messages.
    pub chat: Chat,
    /// Files sent in chat: uploads and downloads.
    pub chat_files: ChatFiles,
    pub notifications: Notifications,
    /// Organisations' logos on their careers pages.
    pub logos: Logos,
    /// Careers pages kept for visitors who are not signed in.
    pub page_cache: PageCache,
    /// ESCO occupations for suggestions, once the imported taxonomy is prepared.
    pub occupations: OccupationService,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// The origins allowed to change state.
    pub origins: AllowedOrigins,
    /// Client addresses, as far as trusted proxies vouch for them.
    pub clients: ClientAddresses,
    /// Whether the site is served over https.
    pub https: Https,
}

impl AppState {
    /// Connects the database (applying migrations) and builds every service.
    pub async fn build(
        config: Config,
        leptos_options: LeptosOptions,
        addr: SocketAddr,
        engine: Engine,
    ) -> Result<Self, StartError> {
        let db = Db::connect(config.database_url.as_deref(), &config.data_dir).await?;
        let public_url = match &config.public_url {
            Some(url) => url.clone(),
            None => url::Url::parse(&format!("http://{addr}/"))?,
        };
        let origins = AllowedOrigins::new(&public_url, config.public_url.is_some(), addr);
        let clients =
            ClientAddresses::new(config.trust_proxy_headers, config.trusted_proxies.clone());
        let metrics = Metrics::new()?;
        let settings = AccountSettings {
            session_absolute_hours: config.session_absolute_hours,
            sign_in_attempts_per_minute: config.sign_in_attempts_per_minute,
            sign_ups_per_hour: config.sign_ups_per_hour,
            lockout_threshold: config.lockout_threshold,
            lockout_minutes: config.lockout_minutes,
            password_hashing_concurrency: config.password_hashing_concurrency,
        };
        let accounts = {
            let (db, clients, metrics) = (db.clone(), clients.clone(), metrics.clone());
            // One argon2 hash (the decoy): off the runtime.
            tokio::task::spawn_blocking(move || Accounts::new(db, &settings, clients, &metrics))
                .await
                .map_err(|e| StartError::Io(std::io::Error::other(e)))??
        };
        let queue = JobQueue::new(db.clone());
        let mail = Mail::new(
            db.clone(),
            queue.clone(),
            config.smtp_url.as_deref(),
            &config.mail_from,
        )?;
        let hub = Hub::new(config.ws_max_connections);
        let public_url = Arc::new(public_url);
        let orgs = Orgs::new(
            db.clone(),
            accounts.clone(),
            mail.clone(),
            hub.clone(),
            public_url.clone(),
            &OrgSettings {
                invitation_days: config.invitation_days,
                invitations_per_hour: config.invitations_per_hour,
            },
        )
        .ok_or(StartError::InvitationLimit)?;
        let identity: Arc<dyn Identity> = Arc::new(orgs.clone());
        let sessions = DbSessionStore::new(db.clone()).telling(Arc::new(hub.clone()));
        let self_service = SelfService::new(
            db.clone(),
            accounts.clone(),
            mail.clone(),
            sessions.clone(),
            public_url.clone(),
            hub.clone(),
        );
        let program = match &config.extractor {
            Some(program) => program.clone(),
            None => std::env::current_exe().map_err(StartError::Extractor)?,
        };
        let extractor = Extractor::new(ExtractorSettings {
            program,
            timeout: Duration::from_secs(config.extract_timeout_seconds.max(1)),
            memory_mib: config.extract_memory_mib.max(64),
            concurrency: config.extract_concurrency,
        });
        let documents = DocumentStore::open(db.clone(), engine.embeddings.clone(), queue.clone())
            .await
            .map_err(StartError::SearchIndex)?;
        let files = FileStore::open(config.file_store.as_deref(), &config.data_dir)?;
        let logos = Logos::new(db.clone(), files.clone(), identity.clone());
        let candidates = Candidates::new(
            db.clone(),
            files.clone(),
            identity.clone(),
            queue.clone(),
            documents.clone(),
            engine.clone(),
            extractor.clone(),
        );
        let named = candidates
            .fill_name_keys()
            .await
            .map_err(StartError::NameKeys)?;
        if named > 0 {
            tracing::info!(candidates = named, "names made comparable for duplicates");
        }
        let notifications =
            Notifications::new(db.clone(), hub.clone(), mail.clone(), public_url.clone());
        let pipeline = Pipeline::new(
            db.clone(),
            hub.clone(),
            mail.clone(),
            public_url.clone(),
            queue.clone(),
            notifications.clone(),
        );
        let applications = Applications::new(
            db.clone(),
            mail.clone(),
            queue.clone(),
            pipeline.clone(),
            files.clone(),
            extractor.clone(),
            clients.clone(),
            origins.clone(),
            ApplicationSettings {
                applications_per_hour: config.applications_per_hour,
                public_url: public_url.clone(),
            },
        );
        let occupations = OccupationService::default();
        let jobs = Jobs::new(
            db.clone(),
            queue.clone(),
            documents.clone(),
            engine.clone(),
            occupations.clone(),
            public_url.clone(),
            hub.clone(),
        );
        let chat = Chat::new(
            db.clone(),
            hub.clone(),
            notifications.clone(),
            mail.clone(),
            files,
        );
        let chat_files = ChatFiles::new(chat.clone(), identity.clone());
        Ok(Self(Arc::new(Services {
            realtime: Realtime {
                chat: chat.clone(),
                hub,
                db: db.clone(),
                sessions: sessions.clone(),
                identity: identity.clone(),
                origins: origins.clone(),
                metrics: metrics.clone(),
                absolute_secs: accounts.absolute_secs(),
                heartbeat: Duration::from_secs(config.ws_heartbeat_seconds.max(1)),
            },
            uploads: Uploads {
                identity,
                extractor,
            },
            matching: Matching::new(engine.clone(), occupations.clone()),
            https: Https(config.https()),
            leptos_options,
            config: Arc::new(config),
            db,
            sessions,
            accounts,
            self_service,
            orgs,
            mail,
            queue,
            engine,
            documents,
            jobs,
            applications,
            candidates,
            pipeline,
            chat,
            chat_files,
            notifications,
            logos,
            page_cache: PageCache::default(),
            occupations,
            metrics,
            origins,
            clients,
        })))
    }

    /// The handler of every kind of background job.
    pub fn job_handlers(&self) -> Handlers {
        Handlers::default()
            .with(crate::mail::SEND_MAIL, self.mail.deliverer())
            .with(
                crate::matching::store::EMBED_DOCUMENTS,
                self.documents.backfill(),
            )
            .with(crate::jobs::INDEX_JOB, self.jobs.indexer())
            .with(
                crate::candidates::INDEX_CANDIDATE,
                self.candidates.indexer(),
            )
            .with(
                crate::pipeline::SCORE_APPLICATION,
                self.pipeline.scorer(self.engine.clone()),
            )
    }

    /// The seams server functions call, ready to be put into each request's Leptos context.
    pub fn seams(&self) -> Seams {
        Seams {
            identity: Arc::new(self.orgs.clone()),
            // Sign-up sends the link that confirms the address.
            accounts: Arc::new(self.self_service.clone()),
            self_service: Arc::new(self.self_service.clone()),
            orgs: Arc::new(self.orgs.clone()),
            invitations: Arc::new(self.orgs.clone()),
            mail: Arc::new(self.mail.clone()),
            matching: Arc::new(self.matching.clone()),
            queue: Arc::new(self.queue.clone()),
            jobs: Arc::new(self.jobs.clone()),
            careers: Arc::new(self.jobs.clone()),
            applications: Arc::new(self.applications.clone()),
            candidates: Arc::new(self.candidates.clone()),
            pipeline: Arc::new(self.pipeline.clone()),
            chat: Arc::new(self.chat.clone()),
            candidate_chat: Arc::new(self.chat.clone()),
            notifications: Arc::new(self.notifications.clone()),
        }
    }
}

/// Every seam `app` declares, implemented by the services above.
#[derive(Clone)]
pub struct Seams {
    identity: Arc<dyn Identity>,
    accounts: Arc<dyn AccountsSeam>,
    self_service: Arc<dyn SelfServiceSeam>,
    orgs: Arc<dyn OrgsSeam>,
    invitations: Arc<dyn InvitationsSeam>,
    mail: Arc<dyn MailSeam>,
    matching: Arc<dyn MatchingSeam>,
    queue: Arc<dyn QueueSeam>,
    jobs: Arc<dyn JobsSeam>,
    careers: Arc<dyn CareersSeam>,
    applications: Arc<dyn ApplicationsSeam>,
    candidates: Arc<dyn CandidatesSeam>,
    pipeline: Arc<dyn PipelineSeam>,
    chat: Arc<dyn ChatSeam>,
    candidate_chat: Arc<dyn CandidateChatSeam>,
    notifications: Arc<dyn NotificationsSeam>,
}

impl Seams {
    /// Puts every seam into the current Leptos context (once per request).
    pub fn provide(&self) {
        provide_context(self.identity.clone());
        provide_context(self.accounts.clone());
        provide_context(self.self_service.clone());
        provide_context(self.orgs.clone());
        provide_context(self.invitations.clone());
        provide_context(self.mail.clone());
        provide_context(self.matching.clone());
        provide_context(self.queue.clone());
        provide_context(self.jobs.clone());
        provide_context(self.careers.clone());
        provide_context(self.applications.clone());
        provide_context(self.candidates.clone());
        provide_context(self.pipeline.clone());
        provide_context(self.chat.clone());
        provide_context(self.candidate_chat.clone());
        provide_context(self.notifications.clone());
    }
}
