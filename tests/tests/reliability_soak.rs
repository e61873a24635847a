//! The fault soak: 100,000 events streamed from the simulator while it answers 10% of
//! requests with 503, 5% with 429 (`Retry-After`), resets 2% of connections, cuts 1% of
//! bodies short, and gets 20 new events at the head of the list during the walk.
//!
//! Pinned: every event there when the walk began comes out exactly once and in order, no
//! record comes out twice, the stream ends without an error, every injected fault costs
//! exactly one extra request (retried, never given up), no page needs more attempts than the
//! retry policy allows — and the fault counts are printed (simulator's and client's).
//!
//! Run it alone with output: `cargo test -p neon-tests --test reliability_soak -- --nocapture`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use neon_api_ext::{NeonClient, RetryPolicy};
use neon_sim::{
    ErrorBody, Fault, FaultKind, FaultPlan, Resource, RetryAfter, Simulator, SortOrder,
};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;
use uuid::Uuid;

const EVENTS: u64 = 100_000;
const PAGE_SIZE: u32 = 200;
const INSERTS: usize = 20;
const MAX_ATTEMPTS: u32 = 8;

/// Counts the client's "retrying Neon API request" events by the error that caused them.
#[derive(Clone, Default)]
struct RetryCounter(Arc<Mutex<BTreeMap<String, u64>>>);

struct ErrorField(Option<String>, bool);

impl Visit for ErrorField {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "error" => self.0 = Some(format!("{value:?}")),
            "message" => self.1 = format!("{value:?}") == "retrying Neon API request",
            _ => {}
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for RetryCounter {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = ErrorField(None, false);
        event.record(&mut fields);
        if let (true, Some(error)) = (fields.1, fields.0) {
            *self
                .0
                .lock()
                .unwrap()
                .entry(retry_class(&error))
                .or_default() += 1;
        }
    }
}

/// The client's error text, reduced to the fault that caused it.
fn retry_class(error: &str) -> String {
    let class = if error.starts_with("server error (HTTP 503") {
        "503"
    } else if error.starts_with("rate limited (HTTP 429)") {
        "429"
    } else if error.starts_with("response body was cut off") {
        "cut-off body (JSON ended early)"
    } else if error.starts_with("transport error") {
        "transport (reset / body cut off)"
    } else if error.starts_with("request timed out") {
        "timeout"
    } else {
        return format!("other: {error}");
    };
    class.to_owned()
}

fn fault_plan() -> FaultPlan {
    FaultPlan::new()
        .seed(2026)
        .only_paths("/v1/events")
        .with_rate(
            Fault::ServerError {
                status: 503,
                body: ErrorBody::Json,
            },
            0.05,
        )
        .with_rate(
            Fault::ServerError {
                status: 503,
                body: ErrorBody::Html,
            },
            0.05,
        )
        // 429s ask for 0 s (4%) and 1 s (1%): both forms are honoured, the soak stays quick.
        .with_rate(Fault::TooManyRequests(Some(RetryAfter::Seconds(0))), 0.04)
        .with_rate(Fault::TooManyRequests(Some(RetryAfter::Seconds(1))), 0.01)
        .with_rate(Fault::ConnectionReset, 0.02)
        .with_rate(Fault::TruncatedBody, 0.01)
}

/// The client's retry events, counted process-wide (one global subscriber), and a lock so
/// the soaks of this file run one at a time and each sees only its own retries.
async fn retry_counter() -> (RetryCounter, tokio::sync::MutexGuard<'static, ()>) {
    static COUNTER: std::sync::OnceLock<RetryCounter> = std::sync::OnceLock::new();
    static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let turn = TURN.lock().await;
    let counter = COUNTER.get_or_init(|| {
        let counter = RetryCounter::default();
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(counter.clone()),
        )
        .unwrap();
        counter
    });
    counter.0.lock().unwrap().clear();
    (counter.clone(), turn)
}

fn soak_policy() -> RetryPolicy {
    RetryPolicy::new()
        .with_max_attempts(MAX_ATTEMPTS)
        .with_base_delay(Duration::from_millis(1))
        .with_max_delay(Duration::from_millis(20))
        .with_retry_after_cap(Duration::from_secs(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_100k_events_with_faults_and_head_inserts_delivers_each_once() {
    let (retries, _turn) = retry_counter().await;

    let sim = Simulator::builder()
        .seed(11)
        .events(EVENTS)
        .faults(fault_plan())
        .start()
        .await
        .unwrap();
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .request_timeout(Duration::from_secs(20))
        .retry_policy(soak_policy())
        .no_proxy()
        .build()
        .unwrap();

    let original = sim.events_sorted(SortOrder::Desc);
    assert_eq!(original.len() as u64, EVENTS);
    let started = Instant::now();

    // Insert one event at the head after every ~4,750 records handed out.
    let insert_at: Vec<usize> = (1..=INSERTS).map(|k| k * 4_750).collect();
    let mut inserted: Vec<Uuid> = Vec::new();
    let mut delivered: Vec<Uuid> = Vec::with_capacity(original.len() + INSERTS);
    let stream = client.events().page_size(PAGE_SIZE).stream();
    futures::pin_mut!(stream);
    let mut next_insert = insert_at.iter().peekable();
    while let Some(event) = stream.try_next().await.unwrap() {
        delivered.push(event.id.expect("every simulated event has an id"));
        if next_insert.peek() == Some(&&delivered.len()) {
            next_insert.next();
            inserted.extend(sim.insert(Resource::Events, 1).unwrap());
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(inserted.len(), INSERTS, "all inserts happened mid-walk");

    // Nothing twice, nothing foreign, every original id exactly once and in order.
    let mut seen = HashSet::new();
    let repeats: Vec<&Uuid> = delivered.iter().filter(|id| !seen.insert(**id)).collect();
    assert_eq!(repeats, Vec::<&Uuid>::new(), "ids delivered twice");
    let known: HashSet<Uuid> = original.iter().chain(&inserted).copied().collect();
    assert!(delivered.iter().all(|id| known.contains(id)), "foreign id");
    let original_set: HashSet<Uuid> = original.iter().copied().collect();
    let originals_delivered: Vec<Uuid> = delivered
        .iter()
        .copied()
        .filter(|id| original_set.contains(id))
        .collect();
    assert_eq!(originals_delivered.len(), original.len(), "originals lost");
    assert!(originals_delivered == original, "originals out of order");

    // Every injected fault was followed by a repeat of the same request, and nothing else
    // cost a request: requests = fault-free answers + injected faults.
    let log = sim.request_log();
    let injected: BTreeMap<FaultKind, u64> = sim.fault_counts();
    let mut retried: BTreeMap<FaultKind, u64> = BTreeMap::new();
    for pair in log.windows(2) {
        if let Some(kind) = pair[0].fault {
            assert_eq!(
                pair[1].path_and_query(),
                pair[0].path_and_query(),
                "request {} ({kind:?}) was not retried",
                pair[0].number
            );
            *retried.entry(kind).or_default() += 1;
        }
    }
    assert_eq!(
        log.last().and_then(|r| r.fault),
        None,
        "the walk ended on a fault"
    );
    let faults_total: u64 = injected.values().sum();
    let clean = log.iter().filter(|r| r.fault.is_none()).count() as u64;
    assert_eq!(log.len() as u64, clean + faults_total);
    assert_eq!(
        retried, injected,
        "every injected fault retried exactly once"
    );

    // Retry budget: no request needed more attempts than the policy allows.
    let mut attempts: HashMap<String, u32> = HashMap::new();
    let mut longest = 0;
    let mut run = 0;
    let mut previous = String::new();
    for entry in &log {
        let target = entry.path_and_query();
        run = if target == previous { run + 1 } else { 1 };
        longest = longest.max(run);
        previous = target.clone();
        *attempts.entry(target).or_default() += 1;
    }
    assert!(longest <= MAX_ATTEMPTS, "{longest} attempts at one page");

    // The client saw (and retried) what the simulator injected.
    let client_retries = retries.0.lock().unwrap().clone();
    let count = |kind| injected.get(&kind).copied().unwrap_or(0);
    assert_eq!(
        client_retries.get("503").copied().unwrap_or(0),
        count(FaultKind::ServerError)
    );
    assert_eq!(
        client_retries.get("429").copied().unwrap_or(0),
        count(FaultKind::TooManyRequests)
    );
    let client_total: u64 = client_retries.values().sum();
    assert_eq!(
        client_total, faults_total,
        "client retries {client_retries:?} vs injected {injected:?}"
    );
    assert!(
        client_retries.keys().all(|k| !k.starts_with("other")),
        "{client_retries:?}"
    );

    println!(
        "soak: {} events + {INSERTS} inserted, page size {PAGE_SIZE}, {} requests, {:.1} s",
        EVENTS,
        log.len(),
        elapsed.as_secs_f64()
    );
    println!(
        "  delivered {} records ({} original, {} inserted)",
        delivered.len(),
        originals_delivered.len(),
        delivered.len() - originals_delivered.len()
    );
    println!(
        "  {:<18} {:>9} {:>9}",
        "fault (simulator)", "injected", "retried"
    );
    for (kind, n) in &injected {
        println!(
            "  {:<18} {:>9} {:>9}",
            format!("{kind:?}"),
            n,
            retried.get(kind).copied().unwrap_or(0)
        );
    }
    println!("  {:<34} {:>8}", "client retry events, by error", "count");
    for (class, n) in &client_retries {
        println!("  {class:<34} {n:>8}");
    }
    println!("  longest run of attempts at one page: {longest} (budget {MAX_ATTEMPTS})");
}

/// The same faults with four page requests in flight (no inserts: the no-loss guarantee
/// under concurrent inserts is for one request in flight). Requests are interleaved, so
/// the check is that every faulted request was sent again later, and that every event
/// still comes out exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_20k_events_with_faults_and_prefetch_4_delivers_each_once_in_order() {
    let (retries, _turn) = retry_counter().await;
    let sim = Simulator::builder()
        .seed(12)
        .events(20_000)
        .faults(fault_plan().seed(7))
        .start()
        .await
        .unwrap();
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .request_timeout(Duration::from_secs(20))
        .retry_policy(soak_policy())
        .no_proxy()
        .build()
        .unwrap();
    let original = sim.events_sorted(SortOrder::Desc);
    let delivered: Vec<Uuid> = client
        .events()
        .page_size(100)
        .prefetch(4)
        .stream()
        .map_ok(|event| event.id.expect("every simulated event has an id"))
        .try_collect()
        .await
        .unwrap();
    assert!(
        delivered == original,
        "{} of {} delivered, or out of order",
        delivered.len(),
        original.len()
    );

    let log = sim.request_log();
    for (i, entry) in log.iter().enumerate() {
        if let Some(kind) = entry.fault {
            let target = entry.path_and_query();
            // A prefetched request past the end of the list may be dropped instead of
            // retried once an earlier page showed the walk is over: that is the stream
            // cancelling what it no longer needs, not a lost page.
            if start_of(&target) >= original.len() as u64 {
                continue;
            }
            assert!(
                log[i + 1..]
                    .iter()
                    .any(|later| later.path_and_query() == target),
                "request {} ({kind:?}) to {target} was never sent again",
                entry.number
            );
        }
    }
    let injected = sim.fault_counts();
    let client_retries = retries.0.lock().unwrap().clone();
    println!(
        "prefetch(4) soak: {} events, {} requests; injected {injected:?}; client retries {client_retries:?}",
        delivered.len(),
        log.len()
    );
    assert!(
        client_retries.keys().all(|k| !k.starts_with("other")),
        "{client_retries:?}"
    );
}

/// The `start` a logged request asked for (0 when absent).
fn start_of(path_and_query: &str) -> u64 {
    path_and_query
        .split(['?', '&'])
        .find_map(|pair| pair.strip_prefix("start="))
        .and_then(|value| value.parse().ok())
        .unwrap_or(0)
}
