//! Careers page throughput: an organisation with 50 published jobs, served by the release build,
//! loaded with `wrk` next to the Django peer of `../shared/peers/django` (the same data shape, the
//! same load, the same machine, one after the other). Writes the "careers" section of
//! docs/BENCHMARKS.md. Run: `.ci/bench-careers.sh` (it installs wrk, starts the peer and runs
//! `cargo bench -p server --bench careers`).
//!
//! Three figures: the page as a visitor who is not signed in gets it (kept and sent again,
//! `server/src/platform/page_cache.rs`), the same page rendered for every request (a request
//! with a session cookie is never served a kept page), and the peer.

#[path = "support/mod.rs"]
mod support;

use std::{fmt::Write as _, path::PathBuf, process::Command};

const JOBS: usize = 50;
/// wrk's settings, for both servers.
const THREADS: &str = "2";
const CONNECTIONS: &str = "32";
const SECONDS: &str = "10s";

/// What wrk measured.
struct Load {
    requests_per_second: f64,
    p50: String,
    p99: String,
    errors: String,
}

/// Runs wrk against `url` with extra `headers`, after a short warm-up.
fn wrk(url: &str, headers: &[&str]) -> Load {
    let run = |duration: &str| {
        let mut command = Command::new("wrk");
        command.args([
            "-t",
            THREADS,
            "-c",
            CONNECTIONS,
            "-d",
            duration,
            "--latency",
        ]);
        for header in headers {
            command.args(["-H", header]);
        }
        let out = command
            .arg(url)
            .output()
            .expect("wrk (install it: apt-get install wrk, or run .ci/bench-careers.sh)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run("2s");
    let text = run(SECONDS);
    eprintln!("{url}\n{text}");
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(|v| v.trim().to_owned())
    };
    Load {
        requests_per_second: field("Requests/sec:")
            .and_then(|v| v.parse().ok())
            .expect("wrk's Requests/sec"),
        p50: field("50%").unwrap_or_default(),
        p99: field("99%").unwrap_or_default(),
        errors: field("Non-2xx or 3xx responses:").unwrap_or_else(|| "0".into()),
    }
}

async fn seed(base: &str) {
    let owner = support::Api::owner_of(base, "acme").await;
    for i in 0..JOBS {
        let pick = |options: [&str; 3]| options[i % 3].to_owned();
        owner
            .publish_job(
                "acme",
                &[
                    ("title", format!("Senior Engineer {i}")),
                    ("department", pick(["Engineering", "Sales", "Design"])),
                    ("location", pick(["Berlin", "Paris", "Remote"])),
                    ("remote", pick(["onsite", "hybrid", "remote"])),
                    ("employment", "full_time".into()),
                    ("salary_min", (50_000 + i * 100).to_string()),
                    ("salary_max", (70_000 + i * 100).to_string()),
                    ("salary_currency", "EUR".into()),
                    ("salary_public", "on".into()),
                    ("description", "Build and run our services.".into()),
                ],
            )
            .await;
    }
}

fn main() {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(support::Server::start(&[]));
    let base = server.base.clone();
    runtime.block_on(seed(&base));
    let url = format!("{base}/careers/acme");
    let page = runtime
        .block_on(async { reqwest::get(&url).await?.text().await })
        .expect("the careers page");
    assert_eq!(
        page.matches("class=\"career-item\"").count(),
        JOBS,
        "the page lists every job"
    );
    let kept = wrk(&url, &[]);
    // A session id the server reads as one (nothing is stored under it: the page is a
    // visitor's, rendered for each request).
    let rendered = wrk(&url, &["Cookie: talentloom=AAAAAAAAAAAAAAAAAAAAAA"]);
    let peer_url =
        std::env::var("PEER_URL").unwrap_or_else(|_| "http://127.0.0.1:8099/careers/acme".into());
    let peer = wrk(&peer_url, &[]);

    let (cpu, cores) = support::machine();
    let mut report = String::new();
    let _ = writeln!(report, "## Careers page\n");
    let _ = writeln!(
        report,
        "Machine: {cpu}, {cores} cores. Command: `.ci/bench-careers.sh` (`cargo bench -p server \
         --bench careers`: the release build on SQLite, written by `server/benches/careers.rs`). \
         An organisation with {JOBS} published jobs (title, department, location, remote \
         policy, employment type, salary range and currency, as the peer's), `/careers/acme` \
         loaded with `wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS} --latency` after a 2-second \
         warm-up, one server after the other on the same machine (wrk shares its 2 cores). The \
         peer is `../shared/peers/django` as its README runs it: Django with Gunicorn, 2 workers, \
         SQLite, the same {JOBS} jobs.\n"
    );
    let _ = writeln!(
        report,
        "| server | requests/s | p50 | p99 | non-2xx | ÷ peer |\n|---|---:|---:|---:|---:|---:|"
    );
    for (name, load) in [
        (
            "Talentloom, a visitor not signed in (page kept, fresh nonce)",
            &kept,
        ),
        (
            "Talentloom, rendered for every request (a session cookie)",
            &rendered,
        ),
        ("Django peer (Gunicorn, 2 workers)", &peer),
    ] {
        let _ = writeln!(
            report,
            "| {name} | {:.0} | {} | {} | {} | {:.1} |",
            load.requests_per_second,
            load.p50,
            load.p99,
            load.errors,
            load.requests_per_second / peer.requests_per_second
        );
    }
    let _ = writeln!(
        report,
        "\nThe page Talentloom sends is the whole app's first render (head, navigation, the \
         jobs, the hydration data: {} bytes); the peer's is its template ({} bytes). Every \
         response is uncompressed (wrk asks for no encoding).",
        page.len(),
        reqwest_len(&runtime, &peer_url)
    );
    let path = root.join("docs/BENCHMARKS.md");
    support::write_section(&path, "careers", &report);
    eprintln!("wrote the careers section of {}", path.display());
}

fn reqwest_len(runtime: &tokio::runtime::Runtime, url: &str) -> usize {
    runtime
        .block_on(async { reqwest::get(url).await?.bytes().await })
        .map_or(0, |b| b.len())
}
