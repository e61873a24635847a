//! Throughput of the simulator: records/s served over loopback by a server pinned to a
//! single-threaded (one core) tokio runtime, paged by a reqwest client on another thread.
//!
//! `cargo bench -p neon-sim --bench serve` prints a table. The bar: ≥ 20,000
//! records/s on one core.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use neon_sim::Simulator;

const EVENTS: u64 = 100_000;

fn main() {
    let (tx, rx) = mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
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
            let _ = stop_rx.await;
            sim.shutdown().await;
        });
    });
    let (url, token) = rx.recv().expect("server started");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    println!("neon-sim serve benchmark: server on one current_thread runtime, {EVENTS} events");
    println!(
        "{:<28} {:>9} {:>9} {:>10} {:>12} {:>9}",
        "case", "requests", "records", "seconds", "records/s", "MB/s"
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
                let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
                let n = v["data"].as_array().map(Vec::len).unwrap_or(0) as u64;
                if n == 0 {
                    break;
                }
                bytes += body.len();
                got += n;
                start += n;
            }
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{name:<28} {requests:>9} {got:>9} {secs:>10.3} {:>12.0} {:>9.1}",
                got as f64 / secs,
                bytes as f64 / secs / 1e6
            );
        }
    });
    let _ = stop_tx.send(());
    let _ = server.join();
}
