//! Starts the real server on port 0 against a fresh SQLite file or a fresh PostgreSQL database,
//! and talks to it over HTTP like a browser would.
#![allow(dead_code)]

pub mod careers;
pub mod logs;

use leptos::config::LeptosOptions;
use reqwest::{header, Client, Response, StatusCode};
use serde_json::Value;
use std::{
    path::PathBuf,
    sync::{Once, OnceLock},
};
use talentloom_server::{
    config::Config,
    launch_with,
    matching::{BatchSettings, Engine},
    Running,
};
use tokio::net::TcpListener;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs every listed scenario once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::common::Db::Sqlite).await } )*
        }
        mod postgres {
            $( #[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::common::Db::Postgres).await } )*
        }
    };
}

pub struct TestServer {
    pub base: String,
    pub db: Db,
    running: Option<Running>,
    _dir: tempfile::TempDir,
    pg_database: Option<PgDatabase>,
}

const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/test";

fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_PG.to_owned())
}

static NOTICE: Once = Once::new();

/// Where the model is: MODEL_DIR, else the workspace's models/ folder that set-up fills.
pub fn model_dir() -> PathBuf {
    std::env::var_os("MODEL_DIR").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../models/all-MiniLM-L6-v2"
            ))
        },
        PathBuf::from,
    )
}

/// Where every test keeps computed label vectors (the skill names take a while to embed).
pub fn cache_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vector-cache")
}

/// The built-in catalog's name vectors, embedded by the shared [`engine`] (or read from the
/// test cache).
pub async fn skill_vectors() -> std::sync::Arc<talentloom_server::matching::semantic::SkillVectors>
{
    let engine = tokio::task::block_in_place(engine);
    engine
        .skill_vectors
        .prepare(engine.skills.catalog(), &engine.embeddings, &cache_dir())
        .await;
    engine
        .skill_vectors
        .get()
        .expect("the skill names are embedded")
}

/// One loaded model for every server of this test binary (loading takes a second).
pub fn engine() -> Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            Engine::load(&model_dir(), BatchSettings::default()).unwrap_or_else(|e| {
                panic!("{e}\n(the tests need the model: run .ci/fetch-model.sh)")
            })
        })
        .clone()
}

/// Drops a database made by [`create_pg_database`].
pub async fn drop_pg_database(name: &str) {
    use sqlx::{Connection, Executor, PgConnection};
    if let Ok(mut conn) = PgConnection::connect(&admin_url()).await {
        let _ = conn
            .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
            .await;
    }
}

/// A test PostgreSQL database that is dropped when this guard is, also when the test panics
/// (the drop runs on a thread of its own, since a panicking test's runtime may be gone).
pub struct PgDatabase(pub String);

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let name = std::mem::take(&mut self.0);
        if name.is_empty() {
            return;
        }
        let _ = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_pg_database(&name));
            }
        })
        .join();
    }
}

/// The configuration every test server starts from: built explicitly, never from the
/// environment (an exported DATABASE_URL must not turn a SQLite test into a PostgreSQL one).
pub fn test_config(data_dir: &std::path::Path) -> Config {
    Config {
        data_dir: data_dir.to_path_buf(),
        model_dir: model_dir(),
        cache_dir: Some(cache_dir()),
        // The metrics endpoint on a port of its own, as in production.
        metrics_addr: "127.0.0.1:0".parse().ok(),
        // In tests this process is the test binary; the server binary reads uploads.
        extractor: Some(PathBuf::from(env!("CARGO_BIN_EXE_server"))),
        ..Config::default()
    }
}

pub async fn create_pg_database() -> Option<(String, String)> {
    use sqlx::{Connection, Executor, PgConnection};
    let admin = admin_url();
    let mut conn = match PgConnection::connect(&admin).await {
        Ok(c) => c,
        Err(err) => {
            if std::env::var("TALENTLOOM_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("PostgreSQL is required (TALENTLOOM_REQUIRE_POSTGRES=1) but {admin} does not answer: {err}");
            }
            NOTICE.call_once(|| eprintln!("NOTICE: PostgreSQL at {admin} does not answer ({err}); the PostgreSQL half of the tests is SKIPPED."));
            return None;
        }
    };
    let name = format!("tl_test_{}", rand::random::<u64>());
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin).expect("TEST_POSTGRES_URL is a URL");
    url.set_path(&name);
    Some((name, url.to_string()))
}

/// A database with the migrations applied and no server: SQLite in a temporary directory or a
/// fresh PostgreSQL database.
pub struct TestDb {
    pub db: talentloom_server::db::Db,
    pub url: Option<String>,
    pub orgs: Vec<i64>,
    pub dir: tempfile::TempDir,
    pg_name: Option<PgDatabase>,
}

impl TestDb {
    /// With organisations "acme" and "globex" (`orgs[0]`, `orgs[1]`); `None` when PostgreSQL is
    /// wanted but absent (after a notice).
    pub async fn with_two_organisations(backend: Db) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let (pg_name, url) = match backend {
            Db::Sqlite => (None, None),
            Db::Postgres => {
                let (name, url) = create_pg_database().await?;
                (Some(PgDatabase(name)), Some(url))
            }
        };
        let db = talentloom_server::db::Db::connect(url.as_deref(), dir.path())
            .await
            .expect("database");
        let mut orgs = Vec::new();
        for (n, slug) in ["acme", "globex"].iter().enumerate() {
            let user: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, name, password_hash, created_at) \
                 VALUES ($1, 'U', 'x', 0) RETURNING id",
            )
            .bind(format!("u{n}@example.com"))
            .fetch_one(&db.pool)
            .await
            .expect("user");
            orgs.push(
                sqlx::query_scalar(
                    "INSERT INTO organisations (slug, name, created_at, created_by) \
                     VALUES ($1, $1, 0, $2) RETURNING id",
                )
                .bind(*slug)
                .bind(user)
                .fetch_one(&db.pool)
                .await
                .expect("organisation"),
            );
        }
        Some(Self {
            db,
            url,
            orgs,
            dir,
            pg_name,
        })
    }

    /// Connects again to the same database (as a restarted server would).
    pub async fn reconnect(&self) -> talentloom_server::db::Db {
        talentloom_server::db::Db::connect(self.url.as_deref(), self.dir.path())
            .await
            .expect("database")
    }

    pub async fn close(mut self) {
        self.db.pool.close().await;
        if let Some(mut pg) = self.pg_name.take() {
            drop_pg_database(&std::mem::take(&mut pg.0)).await;
        }
    }
}

impl TestServer {
    /// Starts a server; `None` (after a printed notice) when PostgreSQL is wanted but absent.
    pub async fn start(db: Db) -> Option<Self> {
        Self::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: Db, tweak: impl FnOnce(&mut Config)) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(dir.path());
        let mut pg_database = None;
        if db == Db::Postgres {
            let (name, url) = create_pg_database().await?;
            config.database_url = Some(url);
            pg_database = Some(PgDatabase(name));
        }
        tweak(&mut config);
        Some(Self::launch(config, dir, db, pg_database).await)
    }

    /// A second server on this one's database, as a second instance of one deployment is.
    pub async fn start_beside(&self) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = test_config(dir.path());
        config.database_url = self.state().config.database_url.clone();
        Self::launch(config, dir, self.db, None).await
    }

    async fn launch(
        config: Config,
        dir: tempfile::TempDir,
        db: Db,
        pg_database: Option<PgDatabase>,
    ) -> Self {
        // The servers' logs go with each test's output: a failing test shows what its server
        // said.
        logs::install();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let options = LeptosOptions::builder()
            .output_name("talentloom")
            .site_root("target/site")
            .build();
        let engine = tokio::task::block_in_place(engine);
        let running = launch_with(config, options, listener, engine)
            .await
            .expect("server starts");
        let base = format!("http://{}", running.addr);
        Self {
            base,
            db,
            running: Some(running),
            _dir: dir,
            pg_database,
        }
    }

    /// Waits until the server finds skills by meaning too (it embeds the catalog's names in the
    /// background at start-up; the tests share a cache, so this is quick after the first time).
    pub async fn wait_for_skill_vectors(&self) {
        for _ in 0..1200 {
            if self.state().engine.skill_vectors.get().is_some() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the skill names were not embedded within two minutes");
    }

    /// The running server's shared state.
    pub fn state(&self) -> &talentloom_server::state::AppState {
        &self.running.as_ref().expect("running").state
    }

    /// The metrics endpoint's URL (on its own address).
    pub fn metrics_url(&self) -> String {
        let addr = self
            .running
            .as_ref()
            .and_then(|r| r.metrics_addr)
            .expect("the test server serves metrics");
        format!("http://{addr}/metrics")
    }

    /// Waits until the server suggests occupations (it embeds the imported labels in the
    /// background after the skill names).
    pub async fn wait_for_occupations(&self) {
        use talentloom_server::matching::occupations::Prepared;
        for _ in 0..1200 {
            if !matches!(self.state().occupations.get(), Prepared::Preparing) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the occupations were not prepared within two minutes");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client with its own cookie jar, sending our Origin on every request.
    pub fn client(&self) -> Browser {
        Browser {
            http: Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                // A request that never ends fails its test with its address, instead of
                // stopping the whole run (one did, once, under CI's load: not understood yet).
                .timeout(std::time::Duration::from_secs(120))
                .build()
                .expect("client"),
            base: self.base.clone(),
        }
    }

    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await.expect("clean shutdown");
        }
        if let Some(mut pg) = self.pg_database.take() {
            drop_pg_database(&std::mem::take(&mut pg.0)).await;
        }
    }
}

#[derive(Clone)]
pub struct Browser {
    pub http: Client,
    pub base: String,
}

/// A server function's answer: status and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: header::HeaderMap,
}

impl Answer {
    /// The message of a field error, if this is one for `field` (a form's errors come all at
    /// once, one per field).
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.body
            .get("Invalid")?
            .as_array()?
            .iter()
            .find(|f| f.get("field").and_then(Value::as_str) == Some(field))
            .and_then(|f| f.get("message").and_then(Value::as_str))
            .map(str::to_owned)
    }
}

impl Browser {
    /// Calls a server function the way the hydrated app does (form-encoded POST, JSON answer).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        self.call_from(&self.base.clone(), endpoint, form).await
    }

    /// The same, claiming to come from `origin`.
    pub async fn call_from(&self, origin: &str, endpoint: &str, form: &[(&str, &str)]) -> Answer {
        let res = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ORIGIN, origin)
            .header(header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .expect("request");
        into_answer(res).await
    }

    /// Calls a server function with extra request headers.
    pub async fn call_with(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header(header::ORIGIN, &self.base)
            .header(header::ACCEPT, "application/json")
            .form(form);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        into_answer(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    pub async fn sign_up(&self, name: &str, email: &str) -> Answer {
        let answer = self
            .call(
                "sign_up",
                &[("name", name), ("email", email), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::OK,
            "sign-up of {email} failed: {:?}",
            answer.body
        );
        answer
    }

    pub async fn me(&self) -> Value {
        let answer = self.call("me", &[]).await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        answer.body
    }

    /// Invites `email` to `slug` as `role` (this browser is an owner or admin there) and accepts
    /// the invitation from the outbox in a new browser with a new account called `name`.
    pub async fn invite_and_join(
        &self,
        srv: &TestServer,
        slug: &str,
        email: &str,
        role: &str,
        name: &str,
    ) -> Browser {
        let invite = self
            .call(
                "invite",
                &[("slug", slug), ("email", email), ("role", role)],
            )
            .await;
        assert_eq!(invite.status, StatusCode::OK, "{:?}", invite.body);
        let token = invitation_token(&self.call("outbox", &[("slug", slug)]).await.body, email);
        let member = srv.client();
        let accepted = member
            .call(
                "accept_invitation",
                &[("token", &token), ("name", name), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(accepted.status, StatusCode::OK, "{:?}", accepted.body);
        member
    }

    /// Gives `member` the role `role` in `slug` (this browser may grant it there).
    pub async fn change_role_of(&self, slug: &str, member: &Browser, role: &str) {
        let user_id = member.me().await["user_id"].as_i64().expect("id");
        let changed = self
            .call(
                "change_role",
                &[
                    ("slug", slug),
                    ("user_id", &user_id.to_string()),
                    ("role", role),
                ],
            )
            .await;
        assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    }

    /// Makes the hiring team of job `job` in `slug` the given members (this browser is a
    /// recruiter, admin or owner there), each a browser signed in as them, with their role.
    pub async fn set_team(&self, slug: &str, job: &str, members: &[(&Browser, &str)]) {
        let mut team = Vec::new();
        for (member, role) in members {
            let user_id = member.me().await["user_id"].as_i64().expect("id");
            team.push(serde_json::json!({ "user_id": user_id, "role": role }));
        }
        let team = Value::Array(team).to_string();
        let saved = self
            .call(
                "save_job_team",
                &[("slug", slug), ("job", job), ("team", &team)],
            )
            .await;
        assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);
    }

    pub async fn create_org(&self, name: &str, slug: &str) -> i64 {
        let answer = self
            .call("create_organisation", &[("name", name), ("slug", slug)])
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{:?}", answer.body);
        answer.body["org_id"].as_i64().expect("org id")
    }
}

pub async fn into_answer(res: Response) -> Answer {
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        body,
        headers,
    }
}

/// An open realtime connection.
pub type WebSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/ws` with these request headers (`origin`, `cookie`, `host`, …).
pub async fn ws_connect_with(
    srv: &TestServer,
    headers: &[(&str, &str)],
) -> Result<WebSocket, tokio_tungstenite::tungstenite::Error> {
    ws_connect_to(srv, "/ws", headers).await
}

/// Opens the socket at `path` with these request headers.
pub async fn ws_connect_to(
    srv: &TestServer,
    path: &str,
    headers: &[(&str, &str)],
) -> Result<WebSocket, tokio_tungstenite::tungstenite::Error> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("{}{path}", srv.base.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    for (name, value) in headers {
        req.headers_mut().insert(
            header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            value.parse().expect("header value"),
        );
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

/// Opens `/ws` from `origin`, with the session cookie when given.
pub async fn ws_connect(
    srv: &TestServer,
    origin: &str,
    cookie: Option<&str>,
) -> Result<WebSocket, tokio_tungstenite::tungstenite::Error> {
    match cookie {
        Some(cookie) => ws_connect_with(srv, &[("origin", origin), ("cookie", cookie)]).await,
        None => ws_connect_with(srv, &[("origin", origin)]).await,
    }
}

/// `name=value` of a `Set-Cookie` header, as a browser sends it back.
pub fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap_or_default().to_owned()
}

/// A password that passes the length and guessability rules.
pub const PASSWORD: &str = "correct horse battery staple 42";

/// The session cookie's value from a response, if it set one.
pub fn session_cookie(headers: &header::HeaderMap) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("talentloom=") || c.starts_with("__Host-talentloom="))
        .map(str::to_owned)
}

/// The token in the invitation link of the outbox mail to `recipient`.
pub fn invitation_token(outbox: &Value, recipient: &str) -> String {
    let body = outbox["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["recipient"] == recipient))
        .and_then(|m| m["body"].as_str())
        .expect("an invitation mail in the outbox");
    let start = body.find("/invite/").expect("a link") + "/invite/".len();
    body[start..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// What a batch subcommand of the real server binary printed.
pub struct Output {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Standard output as JSON Lines.
    pub fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    }
}

/// Runs `server <args>` with the model directory set, `stdin` as input, plus `env`.
pub fn run_server(
    args: &[&std::ffi::OsStr],
    env: &[(&str, &std::path::Path)],
    stdin: &str,
) -> Output {
    use std::{
        io::Write,
        process::{Command, Stdio},
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("MODEL_DIR", model_dir())
        .env("CACHE_DIR", cache_dir())
        .env("RUST_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server binary runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("server exits");
    Output {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The next JSON event on a realtime socket (10 s at most), leaving out changes of presence
/// (which come whenever colleagues' pages open and close; [`next_of`] reads them).
pub async fn next_event(ws: &mut WebSocket) -> Value {
    loop {
        let event = next_frame(ws).await;
        if event["type"] != "presence" {
            return event;
        }
    }
}

/// The next JSON event of this type on a realtime socket (10 s at most), leaving out others.
pub async fn next_of(ws: &mut WebSocket, kind: &str) -> Value {
    loop {
        let event = next_frame(ws).await;
        if event["type"] == kind {
            return event;
        }
    }
}

/// The next JSON event on a realtime socket (10 s at most).
pub async fn next_frame(ws: &mut WebSocket) -> Value {
    loop {
        let msg = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            futures::StreamExt::next(ws),
        )
        .await
        .expect("an event within 10 s")
        .expect("open")
        .expect("frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = msg {
            return serde_json::from_str(text.as_str()).expect("json event");
        }
    }
}
