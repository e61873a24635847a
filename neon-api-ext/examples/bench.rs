//! Paging and join benchmarks against the simulator, side by side in one run.
//!
//! ```text
//! cargo run --release -p neon-api-ext --example bench            # full run (~1-2 min)
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

    // 2. Prefetch with 20 ms added latency per request, at three page sizes. The simulator
    // and the client share these 2 cores, so every page also costs CPU (generating,
    // serialising and decoding, ~0.15 ms a record here): at 10 and 20 records a page the
    // 20 ms latency dominates, which is what prefetch hides; at 100 the walk with 8 in
    // flight becomes CPU-bound.
    for (events, page) in [
        (scale(1_000, 500), 10u32),
        (scale(2_000, 1_000), 20),
        (scale(10_000, 3_000), 100),
    ] {
        let latency = FaultPlan::new().with_rate(Fault::Latency(Duration::from_millis(20)), 1.0);
        let sim = start(Simulator::builder().events(events).faults(latency)).await?;
        let neon = client(&sim.url(), sim.token())?;
        println!("## Prefetch: {events} events, page size {page}, 20 ms added latency per request");
        println!("| prefetch | records | requests | time | records/s | speed-up |");
        println!("|---:|---:|---:|---:|---:|---:|");
        let mut base = None;
        for prefetch in [1, 2, 4, 8] {
            sim.clear_request_log();
            let (n, d) = prefetch_walk(&neon, prefetch, page).await?;
            let base_d = *base.get_or_insert(d);
            println!(
                "| {prefetch} | {n} | {} | {:.3} s | {:.0} | {:.2}× |",
                sim.request_log().len(),
                d.as_secs_f64(),
                rate(n, d),
                base_d.as_secs_f64() / d.as_secs_f64()
            );
        }
        println!();
        drop(sim);
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
        let neon = client(&sim.url(), sim.token())?;
        println!("## Detection → PoL join: 1,000 detections ({} PoL entries), {latency_ms} ms added latency, concurrency 8", sim.count(neon_sim::Resource::DetectionsPol));
        println!("| strategy | joined | requests | time |");
        println!("|---|---:|---:|---:|");
        for (name, strategy) in [
            ("per-detection lookups", PolStrategy::PerDetection),
            ("one pass over /v1/detections_pol", PolStrategy::OnePass),
            ("auto (threshold 200)", PolStrategy::Auto),
        ] {
            let (n, requests, d) = join_run(&sim, &neon, strategy).await?;
            println!("| {name} | {n} | {requests} | {:.3} s |", d.as_secs_f64());
        }
        println!();
        drop(sim);
    }
    Ok(())
}
