//! From a submitted application to its score on the job's board, as a recruiter watching the
//! board sees it. The release server on SQLite; a published job (the software engineering ad of
//! `server/tests/fixtures/match-pairs`); 200 applications sent to its careers page one every
//! 300 ms, each with one of the 24 labelled CVs of those fixtures in turn (as a text file) under a
//! name of its own. The owner's board is open: its WebSocket, and at each `board_changed` the
//! board read again, as the page does. For each application: the time from sending it to the
//! first board that shows its score. Writes the "apply" section of docs/BENCHMARKS.md.
//! Run: `cargo bench -p server --bench apply` (after `.ci/bench-careers.sh` has built the site).

#[path = "support/mod.rs"]
mod support;

use futures::StreamExt;
use std::{
    collections::HashMap,
    fmt::Write as _,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};
use talentloom_server::matching::quality;

const APPLICATIONS: usize = 200;
const EVERY: Duration = Duration::from_millis(300);

async fn run(root: &std::path::Path) -> String {
    let professions =
        quality::load(&root.join("server/tests/fixtures/match-pairs")).expect("the labelled CVs");
    let software = professions
        .iter()
        .find(|p| p.profession.starts_with("Software"))
        .expect("the software engineering ad");
    let cvs: Vec<String> = professions
        .iter()
        .flat_map(|p| p.candidates.iter().map(|c| c.text.clone()))
        .collect();

    let server = support::Server::start(&[("APPLICATIONS_PER_HOUR", "100000")]).await;
    let base = server.base.clone();
    let owner = support::Api::owner_of(&base, "acme").await;
    let job = owner
        .publish_job(
            "acme",
            &[
                ("title", "Software Engineer".into()),
                ("department", "Engineering".into()),
                ("location", "Berlin".into()),
                ("remote", "hybrid".into()),
                ("employment", "full_time".into()),
                ("salary_min", String::new()),
                ("salary_max", String::new()),
                ("salary_currency", "EUR".into()),
                ("description", software.job.text.clone()),
            ],
        )
        .await;

    // The owner's board: its socket, with the session's cookie.
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
    let url: reqwest::Url = base.parse().expect("url");
    let cookie =
        reqwest::cookie::CookieStore::cookies(owner.jar.as_ref(), &url).expect("a session cookie");
    let mut request = format!("{}/ws", base.replace("http://", "ws://"))
        .into_client_request()
        .expect("request");
    request.headers_mut().insert("cookie", cookie);
    request
        .headers_mut()
        .insert("origin", base.parse().expect("origin"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the board's socket");

    let sent: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let sender = {
        let (sent, base, job) = (sent.clone(), base.clone(), job.clone());
        tokio::spawn(async move {
            let http = reqwest::Client::new();
            for i in 0..APPLICATIONS {
                let name = format!("Applicant {i:03}");
                sent.lock()
                    .expect("sent")
                    .insert(name.clone(), Instant::now());
                support::apply(
                    &http,
                    &base,
                    ("acme", &job),
                    (&name, &format!("applicant{i}@example.com")),
                    &cvs[i % cvs.len()],
                )
                .await;
                tokio::time::sleep(EVERY).await;
            }
        })
    };

    let started = Instant::now();
    let mut latencies: HashMap<String, f64> = HashMap::new();
    let board = [("slug", "acme".to_owned()), ("job", job.clone())];
    while latencies.len() < APPLICATIONS {
        assert!(
            started.elapsed() < Duration::from_secs(1200),
            "only {} of {APPLICATIONS} scored in 20 minutes",
            latencies.len()
        );
        let Ok(Some(Ok(message))) =
            tokio::time::timeout(Duration::from_secs(30), socket.next()).await
        else {
            continue;
        };
        let Message::Text(text) = message else {
            continue;
        };
        if !text.contains("board_changed") {
            continue;
        }
        let seen = Instant::now();
        let read = owner.call("job_board", &board).await;
        let sent = sent.lock().expect("sent").clone();
        for card in read["cards"].as_array().into_iter().flatten() {
            let name = card["name"].as_str().unwrap_or_default();
            if card["score"].is_null() || latencies.contains_key(name) {
                continue;
            }
            if let Some(at) = sent.get(name) {
                latencies.insert(name.to_owned(), (seen - *at).as_secs_f64() * 1000.0);
            }
        }
    }
    sender.await.expect("the applications were sent");
    let total = started.elapsed();
    let mut sorted: Vec<f64> = latencies.into_values().collect();
    sorted.sort_by(f64::total_cmp);
    let (cpu, cores) = support::machine();
    let mut report = String::new();
    let _ = writeln!(report, "## From an application to its score on the board\n");
    let _ = writeln!(
        report,
        "Machine: {cpu}, {cores} cores. Command: `cargo bench -p server --bench apply` (the \
         release build on SQLite, written by `server/benches/apply.rs`). {APPLICATIONS} \
         applications sent to a published job's careers page one every {} ms, each with one of \
         the 24 labelled CVs of `server/tests/fixtures/match-pairs` in turn (a text file, read \
         in the sandboxed child process like any upload); the job is that set's software \
         engineering ad. The owner's board is open (its WebSocket; at each `board_changed` the \
         board is read again, as the page does). Measured: from sending an application to the \
         first board read that shows its score (the upload, the CV read, the queue, scoring with \
         the model, the event, the board read).\n",
        EVERY.as_millis()
    );
    let _ = writeln!(
        report,
        "| applications | p50 ms | p95 ms | max ms | all scored after |\n|---:|---:|---:|---:|---:|\n| {} | {:.0} | {:.0} | {:.0} | {:.1} s |",
        sorted.len(),
        support::percentile(&sorted, 50.0),
        support::percentile(&sorted, 95.0),
        sorted.last().copied().unwrap_or_default(),
        total.as_secs_f64()
    );
    drop(server);
    report
}

fn main() {
    support::run_and_write("apply", |root| async move { run(&root).await });
}
