//! What the benchmarks share: the machine they ran on, their sections of docs/BENCHMARKS.md,
//! and a release server to load. Each bench includes this module and uses part of it.
#![allow(dead_code)]

use std::path::Path;

/// The CPU's name and how many cores this process may use.
pub fn machine() -> (String, usize) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    (cpu, cores)
}

/// Replaces the text between `<!-- section:NAME -->` and `<!-- /section:NAME -->` in `path`
/// (appending the section when it is not there), so each benchmark keeps the others' results.
pub fn write_section(path: &Path, name: &str, body: &str) {
    let (start, end) = (
        format!("<!-- section:{name} -->"),
        format!("<!-- /section:{name} -->"),
    );
    let current = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let section = format!("{start}\n{}\n{end}", body.trim_end());
    let updated = match (current.find(&start), current.find(&end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{section}{}", &current[..a], &current[b + end.len()..])
        }
        _ => format!("{}\n{section}\n", current.trim_end()),
    };
    std::fs::write(path, updated).expect("write docs/BENCHMARKS.md");
}

/// A server started for a benchmark (`CARGO_BIN_EXE_server`: the bench profile's release build),
/// on a fresh SQLite database; stopped when dropped.
pub struct Server {
    child: std::process::Child,
    pub base: String,
    scratch: Option<tempfile::TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts it on a fresh database with `env` on top of the defaults and waits until it
    /// answers `/readyz`.
    pub async fn start(env: &[(&str, &str)]) -> Self {
        let data = tempfile::tempdir().expect("a data directory");
        let mut server = Self::start_in(data.path(), env).await;
        server.scratch = Some(data);
        server
    }

    /// Starts it on the database in `data` (made if there is none).
    pub async fn start_in(data: &Path, env: &[(&str, &str)]) -> Self {
        let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let model = std::env::var_os("MODEL_DIR").map_or_else(
            || root.join("models/all-MiniLM-L6-v2"),
            std::path::PathBuf::from,
        );
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
            .env("DATA_DIR", data)
            .env("DATABASE_URL", "")
            .env("MODEL_DIR", model)
            .env("CACHE_DIR", root.join("target/bench-vector-cache"))
            .env("LEPTOS_SITE_ROOT", root.join("target/site"))
            // Like the peer (Gunicorn logs no requests by default): no line per request.
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit());
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("the release server");
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            scratch: None,
        };
        let started = std::time::Instant::now();
        let ready = format!("{}/readyz", server.base);
        while !reqwest::get(&ready)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(900),
                "the server did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        server
    }
}

/// A signed-in browser: its cookies, our Origin on every call.
pub struct Api {
    pub http: reqwest::Client,
    pub jar: std::sync::Arc<reqwest::cookie::Jar>,
    pub base: String,
}

impl Api {
    pub fn new(base: &str) -> Self {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .build()
            .expect("client");
        Self {
            http,
            jar,
            base: base.to_owned(),
        }
    }

    /// Calls a server function; panics with its answer unless it succeeded.
    pub async fn call(&self, endpoint: &str, form: &[(&str, String)]) -> serde_json::Value {
        let res = self
            .http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("request");
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert!(status.is_success(), "{endpoint}: {status} {body}");
        serde_json::from_str(&body).unwrap_or(serde_json::Value::Null)
    }

    /// Signs up the owner of a new organisation `slug`.
    pub async fn owner_of(base: &str, slug: &str) -> Self {
        let api = Self::new(base);
        api.call(
            "sign_up",
            &[
                ("name", "Olive Owner".into()),
                ("email", format!("owner@{slug}.example.com")),
                ("password", "correct horse battery staple 42".into()),
            ],
        )
        .await;
        api.call(
            "create_organisation",
            &[("name", format!("{slug} Corp")), ("slug", slug.into())],
        )
        .await;
        api
    }

    /// Writes and publishes a job; its address.
    pub async fn publish_job(&self, slug: &str, fields: &[(&str, String)]) -> String {
        let mut form = vec![("slug", slug.to_owned()), ("job", String::new())];
        form.extend(fields.iter().cloned());
        let saved = self.call("save_job", &form).await;
        let job = saved["slug"]
            .as_str()
            .expect("the job's address")
            .to_owned();
        self.call(
            "change_job_status",
            &[
                ("slug", slug.into()),
                ("job", job.clone()),
                ("to", "published".into()),
            ],
        )
        .await;
        job
    }
}

/// Applies to `job` on `slug`'s careers page as a visitor (no session) with a CV as a text
/// file; panics unless it was accepted.
pub async fn apply(
    http: &reqwest::Client,
    base: &str,
    (slug, job): (&str, &str),
    (name, email): (&str, &str),
    cv: &str,
) {
    let form = reqwest::multipart::Form::new()
        .text("name", name.to_owned())
        .text("email", email.to_owned())
        .text("phone", "")
        .text("links", "")
        .text("cover_letter", "")
        .text("consent", "on")
        .text("website", "")
        .part(
            "cv",
            reqwest::multipart::Part::bytes(cv.as_bytes().to_vec())
                .file_name("cv.txt")
                .mime_str("text/plain")
                .expect("mime"),
        );
    let res = http
        .post(format!("{base}/careers/{slug}/{job}/apply"))
        .header("origin", base)
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .expect("apply");
    let status = res.status();
    assert!(
        status.is_success(),
        "apply: {status} {:?}",
        res.text().await
    );
}

/// The value at percentile `p` (0–100) of sorted `values` (nearest rank).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Runs a bench's `run` on a runtime of its own and writes its report as section `name`.
pub fn run_and_write<F>(name: &str, run: impl FnOnce(std::path::PathBuf) -> F)
where
    F: std::future::Future<Output = String>,
{
    let root = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let report = runtime.block_on(run(root.clone()));
    eprintln!("{report}");
    let path = root.join("docs/BENCHMARKS.md");
    write_section(&path, name, &report);
    eprintln!("wrote the {name} section of {}", path.display());
}
