//! Throughput of the simulator: records/s served over loopback by a server pinned to a
//! single-threaded (one core) tokio runtime, paged by a reqwest client on another thread.
//!
//! `cargo bench -p neon-sim --bench serve` prints a table. The bar: ≥ 20,000
//! records/s on one core. Two rates are shown: wall-clock (depends on what else the
//! machine runs, client included) and per CPU-second of the server thread (read from
//! `/proc/thread-self/stat`, Linux only) — the server's own one-core capacity.

use std::sync::mpsc;

/// CPU seconds used by the calling thread so far (Linux; None elsewhere).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

#[derive(serde::Deserialize)]
struct Page {
    data: Vec<serde::de::IgnoredAny>,
}
use std::time::{Duration, Instant};

use neon_sim::Simulator;

const EVENTS: u64 = 100_000;

fn main() {
    let (tx, rx) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let (cpu_tx, mut cpu_rx) = tokio::sync::mpsc::unbounded_channel::<mpsc::Sender<Option<f64>>>();
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let sim = Simulator::builder()
                .events(EVENTS)
                .detections(20_000)
                .max_page_size(None)
                .start()
                .await
                .expect("simulator starts");
            tx.send((sim.url(), sim.token().to_string()))
                .expect("bench alive");
            // Runs on this (the server's only) thread, so it reads the server's CPU time.
            tokio::spawn(async move {
                while let Some(reply) = cpu_rx.recv().await {
                    let _ = reply.send(thread_cpu_seconds());
                }
            });
            let _ = stop_rx.await;
            sim.shutdown().await;
        });
    });
    let (url, token) = rx.recv().expect("server started");
    let server_cpu = move || {
        let (tx, rx) = mpsc::channel();
        cpu_tx.send(tx).ok()?;
        rx.recv().ok().flatten()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    println!("neon-sim serve benchmark: server on one current_thread runtime, {EVENTS} events");
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>11} {:>7} {:>9} {:>16}",
        "case",
        "requests",
        "records",
        "wall s",
        "records/s",
        "MB/s",
        "server s",
        "records/server-s"
    );
    rt.block_on(async {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        for (name, path, page, records) in [
            ("events, page 100", "/v1/events", 100u64, 20_000u64),
            ("events, page 1000", "/v1/events", 1000, EVENTS),
            (
                "events desc, page 1000, all",
                "/v1/events?sort=desc",
                1000,
                EVENTS,
            ),
            (
                "events type=app, page 1000",
                "/v1/events?type=app",
                1000,
                15_000,
            ),
            ("detections, page 1000", "/v1/detections", 1000, 20_000),
            (
                "detections_pol, page 1000",
                "/v1/detections_pol",
                1000,
                50_000,
            ),
        ] {
            let cpu0 = server_cpu();
            let t = Instant::now();
            let (mut got, mut bytes, mut requests) = (0u64, 0usize, 0u64);
            let mut start = 1;
            while got < records {
                let sep = if path.contains('?') { '&' } else { '?' };
                let body = client
                    .get(format!("{url}{path}{sep}start={start}&limit={page}"))
                    .header("Authorization", &token)
                    .send()
                    .await
                    .expect("response")
                    .bytes()
                    .await
                    .expect("body");
                requests += 1;
                let n = serde_json::from_slice::<Page>(&body)
                    .expect("envelope")
                    .data
                    .len() as u64;
                if n == 0 {
                    break;
                }
                bytes += body.len();
                got += n;
                start += n;
            }
            let secs = t.elapsed().as_secs_f64();
            let cpu = match (cpu0, server_cpu()) {
                (Some(a), Some(b)) if b > a => Some(b - a),
                _ => None,
            };
            println!(
                "{name:<28} {requests:>8} {got:>8} {secs:>8.3} {:>11.0} {:>7.1} {:>9} {:>16}",
                got as f64 / secs,
                bytes as f64 / secs / 1e6,
                cpu.map(|c| format!("{c:.2}")).unwrap_or_else(|| "-".into()),
                cpu.map(|c| format!("{:.0}", got as f64 / c))
                    .unwrap_or_else(|| "-".into()),
            );
        }
    });
    let _ = stop_tx.send(());
    let _ = server.join();
}
