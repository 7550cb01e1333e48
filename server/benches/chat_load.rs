//! Chat under load, as pages see it: the release server on SQLite, PEOPLE members of one
//! organisation in PEOPLE / 2 direct conversations, each person with TABS open sockets (every
//! socket says hello as a page does), CONNECTIONS = PEOPLE × TABS in all. Messages are sent at
//! each rate of RATES (a second) for SECONDS, round the conversations, from one tab of each side
//! in turn; every message reaches both people's tabs. Each message carries the time it was sent: a delivery's
//! latency is from sending to a socket reading it. Reported: connections held, messages
//! acknowledged and deliveries per second, p50 / p99 / max delivery latency, and the server's
//! memory per connection (its resident memory before and after the sockets opened).
//!
//! Then `kill -9`: messages go out at KILL_RATE a second, the server is killed with SIGKILL in
//! the middle, started again on the same database, and every message it had acknowledged is
//! looked for in the conversations' history.
//!
//! Writes the "chat-load" section of docs/BENCHMARKS.md. Run: `cargo bench -p server --bench
//! chat-load`; `PEOPLE=100 TABS=2 RATES=200 SECONDS=10 cargo bench -p server --bench chat-load`
//! for a small run (the section says what ran).

#[path = "support/mod.rs"]
mod support;

use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::{
    collections::HashMap,
    fmt::Write as _,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{
    client::IntoClientRequest, protocol::WebSocketConfig, Message,
};

const SLUG: &str = "load";
/// Each socket's read buffer.
const READ_BUFFER_BYTES: usize = 4 * 1024;
const PASSWORD: &str = "correct horse battery staple 42";

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Acknowledged messages: client id → (conversation, seq).
type Acked = HashMap<String, (i64, i64)>;

/// What every socket's reader adds to (for the rate being measured).
#[derive(Default)]
struct Tally {
    deliveries: AtomicU64,
    errors: AtomicU64,
    /// Delivery latencies, in microseconds.
    latencies: Mutex<Vec<u64>>,
    acked: Mutex<Acked>,
}

impl Tally {
    /// What was counted since the last time, counting afresh from now.
    fn take(&self) -> (u64, u64, Vec<u64>, Acked) {
        let latencies = self
            .latencies
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default();
        let acked = self
            .acked
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default();
        (
            self.deliveries.swap(0, Ordering::Relaxed),
            self.errors.swap(0, Ordering::Relaxed),
            latencies,
            acked,
        )
    }
}

/// One rate's results.
struct Measured {
    rate: usize,
    sent: u64,
    acked: usize,
    send_secs: f64,
    deliveries: u64,
    expected: usize,
    errors: u64,
    p50: f64,
    p99: f64,
    max: f64,
}

/// One open socket: where to write frames.
struct Tab {
    frames: mpsc::UnboundedSender<String>,
}

/// What the tool reads of a server frame (a message's own fields are at its top level; an ack
/// carries the stored message). An error frame does not read as one (its `message` is text).
#[derive(serde::Deserialize)]
struct Frame<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(borrow, default)]
    body: Option<&'a str>,
    #[serde(borrow, default)]
    client_id: Option<&'a str>,
    #[serde(default)]
    message: Option<Stored>,
}

/// An acknowledged message's place.
#[derive(serde::Deserialize)]
struct Stored {
    conversation: i64,
    seq: i64,
}

/// Opens a socket with `cookie`, says hello, and reads it until it closes.
async fn open_tab(base: &str, cookie: &str, clock: Instant, tally: Arc<Tally>) -> Option<Tab> {
    let mut request = format!("{}/ws", base.replace("http://", "ws://"))
        .into_client_request()
        .ok()?;
    request.headers_mut().insert("cookie", cookie.parse().ok()?);
    request.headers_mut().insert("origin", base.parse().ok()?);
    // The library's default read buffer (128 KiB, zeroed for each read) made the tool spend
    // half a core clearing memory at 2,000 messages a second (perf): a page's frames are small.
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER_BYTES);
    let (socket, _) = tokio_tungstenite::connect_async_with_config(request, Some(config), true)
        .await
        .ok()?;
    let (mut write, mut read) = socket.split();
    let (frames, mut outgoing) = mpsc::unbounded_channel::<String>();
    let hello = json!({"type": "hello", "version": shared::ws::PROTOCOL_VERSION}).to_string();
    write.send(Message::Text(hello.into())).await.ok()?;
    tokio::spawn(async move {
        while let Some(frame) = outgoing.recv().await {
            if write.send(Message::Text(frame.into())).await.is_err() {
                break;
            }
        }
        // The tab is dropped: the socket closes (its reader ends with it).
        let _ = write.close().await;
    });
    tokio::spawn(async move {
        while let Some(Ok(message)) = read.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            // Read as borrowed fields: the tool shares the cores with the server, so it reads
            // no more of a frame than it needs.
            let Ok(event) = serde_json::from_str::<Frame<'_>>(text.as_str()) else {
                // An error's `message` is its text, not a stored message.
                let error = serde_json::from_str::<Value>(text.as_str())
                    .is_ok_and(|event| event["type"] == "error");
                if error {
                    tally.errors.fetch_add(1, Ordering::Relaxed);
                }
                continue;
            };
            match event.kind {
                "message" => {
                    let sent = event
                        .body
                        .and_then(|b| b.strip_prefix('t'))
                        .and_then(|t| t.split(' ').next())
                        .and_then(|t| t.parse::<u64>().ok());
                    if let Some(sent) = sent {
                        let now = clock.elapsed().as_micros() as u64;
                        tally.deliveries.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut l) = tally.latencies.lock() {
                            l.push(now.saturating_sub(sent));
                        }
                    }
                }
                "ack" => {
                    let id = event.client_id.unwrap_or_default().to_owned();
                    let at = event.message.map_or((0, 0), |m| (m.conversation, m.seq));
                    if let Ok(mut acked) = tally.acked.lock() {
                        acked.insert(id, at);
                    }
                }
                "error" => {
                    tally.errors.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
    });
    Some(Tab { frames })
}

/// A member of the organisation: signed in, with their user id.
struct Person {
    api: support::Api,
    user_id: i64,
}

fn cookie_of(api: &support::Api) -> String {
    let url: reqwest::Url = api.base.parse().expect("url");
    reqwest::cookie::CookieStore::cookies(api.jar.as_ref(), &url)
        .and_then(|c| c.to_str().ok().map(str::to_owned))
        .expect("a session cookie")
}

/// Invites `n` people into the organisation and lets each accept (as a browser would).
async fn members(owner: &Arc<support::Api>, base: &str, n: usize) -> Vec<Person> {
    let mut people = Vec::new();
    for chunk in (0..n).collect::<Vec<_>>().chunks(16) {
        let joins = chunk.iter().map(|i| {
            let (owner, base) = (owner.clone(), base.to_owned());
            let email = format!("p{i}@load.example.com");
            async move {
                owner
                    .call(
                        "invite",
                        &[
                            ("slug", SLUG.into()),
                            ("email", email.clone()),
                            ("role", "recruiter".into()),
                        ],
                    )
                    .await;
                let outbox = owner.call("outbox", &[("slug", SLUG.into())]).await;
                let body = outbox["messages"]
                    .as_array()
                    .and_then(|m| m.iter().find(|m| m["recipient"] == email.as_str()))
                    .and_then(|m| m["body"].as_str())
                    .expect("the invitation")
                    .to_owned();
                let start = body.find("/invite/").expect("a link") + "/invite/".len();
                let token = body[start..].split_whitespace().next().unwrap_or_default();
                let api = support::Api::new(&base);
                api.call(
                    "accept_invitation",
                    &[
                        ("token", token.to_owned()),
                        ("name", format!("Person {i}")),
                        ("password", PASSWORD.into()),
                    ],
                )
                .await;
                let user_id = api.call("me", &[]).await["user_id"]
                    .as_i64()
                    .expect("an id");
                Person { api, user_id }
            }
        });
        people.extend(futures::future::join_all(joins).await);
    }
    people
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// Opens `tabs` sockets for each person; answers them by person.
async fn open_all(
    base: &str,
    people: &[Person],
    tabs: usize,
    clock: Instant,
    tally: &Arc<Tally>,
) -> Vec<Vec<Tab>> {
    let mut all = Vec::new();
    for person in people {
        let cookie = cookie_of(&person.api);
        let opened = (0..tabs).map(|_| open_tab(base, &cookie, clock, tally.clone()));
        let opened: Vec<Tab> = futures::future::join_all(opened)
            .await
            .into_iter()
            .flatten()
            .collect();
        all.push(opened);
    }
    all
}

/// Sends `rate` messages a second for `seconds`, round the conversations; answers how many
/// were sent.
async fn send_for(
    tabs: &[Vec<Tab>],
    conversations: &[i64],
    rate: usize,
    seconds: f64,
    clock: Instant,
    run: &str,
) -> u64 {
    let total = (rate as f64 * seconds) as u64;
    let started = Instant::now();
    for k in 0..total {
        // Paced against the start: a late tick catches up, never drifts.
        let due = Duration::from_secs_f64(k as f64 / rate as f64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            tokio::time::sleep(wait).await;
        }
        let c = (k as usize) % conversations.len();
        // Each side of a conversation writes in turn, from its first tab.
        let side = (k as usize / conversations.len()) % 2;
        let Some(tab) = tabs.get(2 * c + side).and_then(|t| t.first()) else {
            continue;
        };
        let sent_at = clock.elapsed().as_micros();
        let frame = json!({
            "type": "send",
            "conversation": conversations[c],
            "client_id": format!("{run}-{k}"),
            "body": format!("t{sent_at} message {k}"),
        });
        let _ = tab.frames.send(frame.to_string());
    }
    total
}

async fn run(root: std::path::PathBuf) -> String {
    let people_n = setting("PEOPLE", 1_000) & !1;
    let tabs_n = setting("TABS", 10).clamp(1, 20);
    let rates: Vec<usize> = std::env::var("RATES")
        .unwrap_or_else(|_| "500,1000,2000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .filter(|r| *r > 0)
        .collect();
    let seconds = setting("SECONDS", 30).max(1);
    let kill_rate = setting("KILL_RATE", 500).max(1);
    let connections = people_n * tabs_n;
    let env = [
        ("WS_MAX_CONNECTIONS", "100000"),
        ("SIGN_UPS_PER_HOUR", "1000000"),
        ("INVITATIONS_PER_HOUR", "1000000"),
        ("SIGN_IN_ATTEMPTS_PER_MINUTE", "1000000"),
    ];
    let data = tempfile::tempdir().expect("a data directory");
    let server = support::Server::start_in(data.path(), &env).await;
    let base = server.base.clone();
    let owner = Arc::new(support::Api::owner_of(&base, SLUG).await);
    let setup = Instant::now();
    let people = members(&owner, &base, people_n).await;
    let mut conversations = Vec::new();
    for pair in people.chunks(2) {
        let started = pair[0]
            .api
            .call(
                "start_direct",
                &[
                    ("slug", SLUG.into()),
                    ("user_id", pair[1].user_id.to_string()),
                ],
            )
            .await;
        conversations.push(started["id"].as_i64().expect("a conversation"));
    }
    eprintln!(
        "{people_n} members and {} conversations in {:.0?}",
        conversations.len(),
        setup.elapsed()
    );

    let clock = Instant::now();
    let tally = Arc::new(Tally::default());
    let before = rss_kib(server.pid());
    let opening = Instant::now();
    let tabs = open_all(&base, &people, tabs_n, clock, &tally).await;
    let opened: usize = tabs.iter().map(Vec::len).sum();
    let open_time = opening.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_kib(server.pid());
    eprintln!("{opened} sockets open in {open_time:.1?}; server RSS {before} → {after} KiB");

    let mut measured = Vec::new();
    for &rate in &rates {
        let sending = Instant::now();
        let run = format!("load{rate}");
        let sent = send_for(&tabs, &conversations, rate, seconds as f64, clock, &run).await;
        let send_secs = sending.elapsed().as_secs_f64();
        // What is still on its way arrives (a backlog is measured, not waited out).
        tokio::time::sleep(Duration::from_secs(5)).await;
        let (deliveries, errors, latencies, acked) = tally.take();
        let mut latencies: Vec<f64> = latencies.iter().map(|us| *us as f64 / 1000.0).collect();
        latencies.sort_by(f64::total_cmp);
        let (p50, p99, max) = if latencies.is_empty() {
            (f64::NAN, f64::NAN, f64::NAN)
        } else {
            (
                support::percentile(&latencies, 50.0),
                support::percentile(&latencies, 99.0),
                latencies[latencies.len() - 1],
            )
        };
        eprintln!(
            "{rate}/s: {} acknowledged of {sent}, p99 {p99:.1} ms",
            acked.len()
        );
        measured.push(Measured {
            rate,
            sent,
            acked: acked.len(),
            send_secs,
            deliveries,
            expected: sent as usize * 2 * tabs_n,
            errors,
            p50,
            p99,
            max,
        });
        // The next rate starts from an empty queue.
        tokio::time::sleep(Duration::from_secs(10)).await;
        tally.take();
    }
    let peak = rss_kib(server.pid());
    drop(tabs);

    // kill -9 in the middle of sending.
    let kill_tally = Arc::new(Tally::default());
    let kill_tabs = open_all(&base, &people, 1, clock, &kill_tally).await;
    let killer = {
        let pid = server.pid();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            // SIGKILL: nothing is flushed or closed.
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
        })
    };
    let kill_sent = send_for(&kill_tabs, &conversations, kill_rate, 6.0, clock, "kill").await;
    let _ = killer.await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let kill_acked: Vec<(String, (i64, i64))> = kill_tally
        .acked
        .lock()
        .map(|a| a.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    drop(kill_tabs);
    // Reaps the killed process.
    drop(server);
    let server = support::Server::start_in(data.path(), &env).await;
    // Each conversation's history, as its first member reads it, after the restart.
    let mut stored: HashMap<(i64, i64), String> = HashMap::new();
    for (c, conversation) in conversations.iter().enumerate() {
        let again = support::Api::new(&server.base);
        let email = format!("p{}@load.example.com", 2 * c);
        again
            .call(
                "sign_in",
                &[("email", email), ("password", PASSWORD.into())],
            )
            .await;
        let mut before: Option<i64> = None;
        loop {
            let mut form = vec![
                ("slug", SLUG.to_owned()),
                ("conversation", conversation.to_string()),
            ];
            if let Some(b) = before {
                form.push(("before", b.to_string()));
            }
            let page = again.call("conversation_history", &form).await;
            let messages = page["messages"].as_array().cloned().unwrap_or_default();
            for m in &messages {
                stored.insert(
                    (*conversation, m["seq"].as_i64().unwrap_or(0)),
                    m["client_id"].as_str().unwrap_or_default().to_owned(),
                );
            }
            before = messages.first().and_then(|m| m["seq"].as_i64());
            if page["more_before"] != true || before.is_none() {
                break;
            }
        }
    }
    let lost: Vec<&String> = kill_acked
        .iter()
        .filter(|(id, at)| stored.get(at) != Some(id))
        .map(|(id, _)| id)
        .collect();
    drop(server);

    let (cpu, cores) = support::machine();
    let per_connection = after.saturating_sub(before) as f64 / opened.max(1) as f64;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Chat under load (`cargo bench -p server --bench chat-load`)\n"
    );
    let _ = writeln!(
        out,
        "Machine: {cpu}, {cores} cores; the release server on SQLite and the load tool on the \
         same machine (they share the cores). {people_n} members of one organisation in {} direct \
         conversations, {tabs_n} sockets each: **{opened} of {connections} connections** open \
         (in {:.1} s). At each rate, messages are sent for {seconds} s, round the conversations; \
         each reaches both people's {tabs_n} tabs. Server memory: {before} KiB before the \
         sockets, {after} KiB with them open, {peak} KiB after sending: **{:.1} KiB per \
         connection**.\n",
        conversations.len(),
        open_time.as_secs_f64(),
        per_connection
    );
    let _ = writeln!(
        out,
        "| rate sent | acknowledged | deliveries read | latency p50 / p99 / max | errors |\n\
         | --- | --- | --- | --- | --- |"
    );
    for m in &measured {
        let _ = writeln!(
            out,
            "| {} a second ({} in {:.0} s) | {} ({:.0} a second) | {} of {} ({:.0} a second) | {:.1} / {:.1} / {:.0} ms | {} |",
            m.rate,
            m.sent,
            m.send_secs,
            m.acked,
            m.acked as f64 / m.send_secs,
            m.deliveries,
            m.expected,
            m.deliveries as f64 / (m.send_secs + 5.0),
            m.p50,
            m.p99,
            m.max,
            m.errors
        );
    }
    let _ = writeln!(out, "\n| `kill -9` | result |\n| --- | --- |");
    let _ = writeln!(
        out,
        "| while sending {kill_rate} a second | {kill_sent} sent, {} acknowledged before the kill; after the restart **{} of them missing** from the history |",
        kill_acked.len(),
        lost.len()
    );
    let _ = writeln!(
        out,
        "\nTargets (issue 13): 10,000 connections, 2,000 messages a second, p99 ≤ 100 ms. \
         Latency is measured by the tool's own clock from handing a frame to its socket to \
         reading the delivery, so it includes the tool's own scheduling on the shared cores."
    );
    let _ = root;
    out
}

fn main() {
    support::run_and_write("chat-load", run);
}
