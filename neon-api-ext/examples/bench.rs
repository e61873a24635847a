//! Paging and join benchmarks against the simulator, side by side in one run.
//!
//! ```text
//! cargo run --release -p neon-api-ext --example bench            # full run (~75 s)
//! cargo run --release -p neon-api-ext --example bench -- --quick # smaller sizes
//! ```
//!
//! Prints one table per question of issue 5; `BENCHMARKS.md` records a run.
//! Peak memory is measured in child processes (this binary re-run with `child-stream`),
//! each reading its own `VmHWM` from `/proc/self/status` after streaming, so the
//! simulator's memory (in the parent) is not counted.

use std::process::Command;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use neon_api_ext::join::PolStrategy;
use neon_api_ext::paging::StartBase;
use neon_api_ext::types::Event;
use neon_api_ext::{NeonClient, RetryPolicy};
use neon_sim::{Fault, FaultPlan, Simulator, SimulatorBuilder};
use serde::Deserialize;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn client(sim_url: &str, token: &str) -> Result<NeonClient, BoxError> {
    Ok(NeonClient::builder()
        .base_url(sim_url)
        .token(token)
        .retry_policy(RetryPolicy::new().with_base_delay(Duration::from_millis(5)))
        .build()?)
}

async fn start(builder: SimulatorBuilder) -> Result<Simulator, BoxError> {
    Ok(builder.unknown_enum_rate(0.0).start().await?)
}

/// A simulator served by its own single-threaded runtime on its own OS thread, so that a
/// client on another single-threaded runtime gets the other core: 2 cores, 2 threads, the
/// server's CPU and the client's CPU no longer queue behind each other on one scheduler.
struct SimThread {
    sim: Option<Simulator>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SimThread {
    fn start(builder: SimulatorBuilder) -> Result<Self, BoxError> {
        let (sim_tx, sim_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = sim_tx.send(Err(error.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                let started = builder.unknown_enum_rate(0.0).start().await;
                let _ = sim_tx.send(started.map_err(|e| e.to_string()));
                // Serve until the bench drops its handle.
                let _ = stop_rx.await;
            });
        });
        let sim = sim_rx.recv()??;
        Ok(SimThread {
            sim: Some(sim),
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    fn sim(&self) -> &Simulator {
        // Set in `start`, taken only in `drop`.
        self.sim.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for SimThread {
    fn drop(&mut self) {
        drop(self.sim.take());
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Runs `walks` on a fresh single-threaded runtime on a blocking thread (the client's core).
async fn on_client_thread<T: Send + 'static>(
    walks: impl std::future::Future<Output = Result<T, BoxError>> + Send + 'static,
) -> Result<T, BoxError> {
    tokio::task::spawn_blocking(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(walks)
    })
    .await?
}

/// Records per second of the typed stream, page size `page`, sequential.
async fn typed_stream(client: &NeonClient, page: u32) -> Result<(usize, Duration), BoxError> {
    let started = Instant::now();
    let stream = client
        .events()
        .page_size(page)
        .start_base(StartBase::One)
        .stream();
    futures::pin_mut!(stream);
    let mut n = 0;
    while let Some(event) = stream.try_next().await? {
        std::hint::black_box(&event);
        n += 1;
    }
    Ok((n, started.elapsed()))
}

/// What a user would write by hand: a reqwest loop decoding the envelope with serde.
async fn plain_loop(url: &str, token: &str, page: u32) -> Result<(usize, Duration), BoxError> {
    #[derive(Deserialize)]
    struct Envelope {
        data: Option<Vec<Event>>,
    }
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut start = 1u64;
    let mut n = 0;
    loop {
        let response = http
            .get(format!("{url}/v1/events"))
            .header("Authorization", token)
            .query(&[("start", start.to_string()), ("limit", page.to_string())])
            .send()
            .await?
            .error_for_status()?;
        let envelope: Envelope = serde_json::from_slice(&response.bytes().await?)?;
        let data = envelope.data.unwrap_or_default();
        if data.is_empty() {
            break;
        }
        start += data.len() as u64;
        for event in &data {
            std::hint::black_box(event);
            n += 1;
        }
    }
    Ok((n, started.elapsed()))
}

async fn prefetch_walk(
    client: &NeonClient,
    prefetch: usize,
    page: u32,
) -> Result<(usize, Duration), BoxError> {
    let started = Instant::now();
    let n = client
        .events()
        .page_size(page)
        .prefetch(prefetch)
        .start_base(StartBase::One)
        .stream()
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    Ok((n, started.elapsed()))
}

/// Runs this binary as a child that streams every event and reports its peak RSS.
fn child_peak_kib(url: &str, token: &str) -> Result<(u64, u64), BoxError> {
    let output = Command::new(std::env::current_exe()?)
        .args(["child-stream", url, token])
        .output()?;
    if !output.status.success() {
        return Err(format!("child failed: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let text = String::from_utf8(output.stdout)?;
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    match (fields.next(), fields.next()) {
        (Some(Ok(records)), Some(Ok(kib))) => Ok((records, kib)),
        _ => Err(format!("unexpected child output: {text}").into()),
    }
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn child_stream(url: &str, token: &str) -> Result<(), BoxError> {
    let client = client(url, token)?;
    let n = client
        .events()
        .page_size(1000)
        .start_base(StartBase::One)
        .stream()
        .try_fold(0u64, |n, event| async move {
            std::hint::black_box(&event);
            Ok(n + 1)
        })
        .await?;
    println!("{n} {}", vm_hwm_kib().unwrap_or(0));
    Ok(())
}

async fn join_run(
    sim: &Simulator,
    client: &NeonClient,
    strategy: PolStrategy,
) -> Result<(usize, u64, Duration), BoxError> {
    sim.clear_request_log();
    let started = Instant::now();
    let rows = client
        .detections()
        .page_size(1000)
        .start_base(StartBase::One)
        .with_pol()
        .pol_strategy(strategy)
        .concurrency(8)
        .collect_all()
        .await?;
    let elapsed = started.elapsed();
    Ok((rows.len(), sim.request_log().len() as u64, elapsed))
}

#[derive(Clone, Copy)]
enum Layout {
    Shared,
    Split,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Shared => "shared runtime",
            Layout::Split => "split: simulator thread + client thread",
        }
    }
}

/// Where to read the request count from.
enum Counter<'a> {
    Shared(&'a Simulator),
    Split(&'a SimThread),
}

impl Counter<'_> {
    fn sim(&self) -> &Simulator {
        match self {
            Counter::Shared(sim) => sim,
            Counter::Split(thread) => thread.sim(),
        }
    }
}

/// One walk per prefetch 1 / 2 / 4 / 8: (prefetch, records, time, requests). In the split
/// layout the walks run on their own single-threaded runtime.
async fn prefetch_rows(
    counter: Counter<'_>,
    url: String,
    token: String,
    page: u32,
) -> Result<Vec<(usize, usize, Duration, usize)>, BoxError> {
    let split = matches!(counter, Counter::Split(_));
    let mut rows = Vec::new();
    for prefetch in [1, 2, 4, 8] {
        counter.sim().clear_request_log();
        let neon = client(&url, &token)?;
        let (n, d) = if split {
            on_client_thread(async move { prefetch_walk(&neon, prefetch, page).await }).await?
        } else {
            prefetch_walk(&neon, prefetch, page).await?
        };
        rows.push((prefetch, n, d, counter.sim().request_log().len()));
    }
    Ok(rows)
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child-stream") {
        let (Some(url), Some(token)) = (args.get(2), args.get(3)) else {
            return Err("usage: bench child-stream URL TOKEN".into());
        };
        return child_stream(url, token).await;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let scale = |full: u64, small: u64| if quick { small } else { full };

    // 1. Throughput: typed stream vs a hand-written reqwest + serde loop, same data. Paired
    // rounds, alternating which goes first; the median of the per-round ratios resists the
    // noise of a shared machine better than one long run.
    let events = scale(50_000, 20_000);
    let rounds = 6;
    let sim = start(
        Simulator::builder()
            .events(events)
            .max_page_size(Some(1000)),
    )
    .await?;
    let neon = client(&sim.url(), sim.token())?;
    println!(
        "## Throughput: {events} events, page size 1000, no added latency, {rounds} paired rounds"
    );
    println!("| walk | records | best time | best records/s | median records/s |");
    println!("|---|---:|---:|---:|---:|");
    let (mut typed_times, mut plain_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut counts = (0, 0);
    for round in 0..rounds {
        let mut pair = [Duration::ZERO; 2];
        for typed in [round % 2 == 0, round % 2 == 1] {
            if typed {
                let (n, d) = typed_stream(&neon, 1000).await?;
                counts.0 = n;
                pair[0] = d;
            } else {
                let (n, d) = plain_loop(&sim.url(), sim.token(), 1000).await?;
                counts.1 = n;
                pair[1] = d;
            }
        }
        typed_times.push(pair[0]);
        plain_times.push(pair[1]);
        ratios.push(pair[1].as_secs_f64() / pair[0].as_secs_f64());
    }
    for (name, n, times) in [
        ("plain reqwest + serde loop", counts.1, &mut plain_times),
        (
            "typed stream (`client.events().stream()`)",
            counts.0,
            &mut typed_times,
        ),
    ] {
        times.sort();
        println!(
            "| {name} | {n} | {:.3} s | {:.0} | {:.0} |",
            times[0].as_secs_f64(),
            rate(n, times[0]),
            rate(n, times[times.len() / 2])
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "\nratio typed / plain (records/s): median of rounds **{:.2}×**, best-vs-best {:.2}× \
         (target ≥ 0.9×)\n",
        ratios[ratios.len() / 2],
        plain_times[0].as_secs_f64() / typed_times[0].as_secs_f64()
    );
    drop(sim);

    // 2. Prefetch with added latency per request, at three page sizes, in two layouts.
    // "shared": the simulator and the client share one 2-worker runtime, so every page's CPU
    // (the simulator generating and serialising, the client decoding, ~0.04 ms a record
    // together) competes on the same 2 cores and scheduler as the walk it is timing.
    // "split": the simulator on its own single-threaded runtime thread, the client on
    // another (2 cores, 2 threads), so the server's CPU and the client's overlap instead of
    // queueing behind each other. The last table raises the latency to 100 ms, where CPU
    // cannot be the bound at all.
    for (layout, latency_ms, events, page) in [
        (Layout::Shared, 20u64, scale(1_000, 500), 10u32),
        (Layout::Shared, 20, scale(2_000, 1_000), 20),
        (Layout::Shared, 20, scale(10_000, 3_000), 100),
        (Layout::Split, 20, scale(10_000, 3_000), 100),
        (Layout::Split, 100, scale(10_000, 3_000), 100),
    ] {
        let latency =
            FaultPlan::new().with_rate(Fault::Latency(Duration::from_millis(latency_ms)), 1.0);
        let builder = Simulator::builder().events(events).faults(latency);
        println!(
            "## Prefetch ({}): {events} events, page size {page}, {latency_ms} ms added latency per request",
            layout.name()
        );
        println!("| prefetch | records | requests | time | records/s | speed-up |");
        println!("|---:|---:|---:|---:|---:|---:|");
        let rows = match layout {
            Layout::Shared => {
                let sim = start(builder).await?;
                prefetch_rows(
                    Counter::Shared(&sim),
                    sim.url(),
                    sim.token().to_owned(),
                    page,
                )
                .await?
            }
            Layout::Split => {
                let sim = SimThread::start(builder)?;
                let (url, token) = (sim.sim().url(), sim.sim().token().to_owned());
                prefetch_rows(Counter::Split(&sim), url, token, page).await?
            }
        };
        let base_d = rows[0].2;
        for (prefetch, n, d, requests) in rows.iter().map(|r| (r.0, r.1, r.2, r.3)) {
            println!(
                "| {prefetch} | {n} | {requests} | {:.3} s | {:.0} | {:.2}× |",
                d.as_secs_f64(),
                rate(n, d),
                base_d.as_secs_f64() / d.as_secs_f64()
            );
        }
        println!();
    }

    // 3. Peak memory of a child process streaming everything.
    println!("## Peak memory: a child process streams every event (page size 1000), VmHWM");
    println!("| events | records streamed | peak RSS (VmHWM) |");
    println!("|---:|---:|---:|");
    let mut peaks = Vec::new();
    for events in [10_000, scale(1_000_000, 200_000)] {
        let sim = start(Simulator::builder().events(events)).await?;
        let started = Instant::now();
        let (n, kib) = child_peak_kib(&sim.url(), sim.token())?;
        println!(
            "| {events} | {n} ({:.1} s) | {:.1} MiB |",
            started.elapsed().as_secs_f64(),
            kib as f64 / 1024.0
        );
        peaks.push(kib as f64);
        drop(sim);
    }
    println!(
        "\nratio large / small: **{:.2}×** (target ≤ 1.3×)\n",
        peaks[1] / peaks[0]
    );

    // 4. Joins for 1,000 detections, each strategy, without and with latency.
    for latency_ms in [0u64, 20] {
        let mut builder = Simulator::builder().detections(1_000);
        if latency_ms > 0 {
            builder = builder.faults(
                FaultPlan::new().with_rate(Fault::Latency(Duration::from_millis(latency_ms)), 1.0),
            );
        }
        let sim = start(builder).await?;
        println!("## Detection → PoL join: 1,000 detections ({} PoL entries), {latency_ms} ms added latency, concurrency 8", sim.count(neon_sim::Resource::DetectionsPol));
        println!("| strategy | joined | requests | time |");
        println!("|---|---:|---:|---:|");
        for (name, strategy) in [
            ("per-detection lookups", PolStrategy::PerDetection),
            ("one pass over /v1/detections_pol", PolStrategy::OnePass),
            ("auto (read-ahead 200)", PolStrategy::Auto),
        ] {
            // A fresh client per strategy: none inherits another's remembered PoL spelling.
            let neon = client(&sim.url(), sim.token())?;
            let (n, requests, d) = join_run(&sim, &neon, strategy).await?;
            println!("| {name} | {n} | {requests} | {:.3} s |", d.as_secs_f64());
        }
        println!();
        drop(sim);
    }
    Ok(())
}
