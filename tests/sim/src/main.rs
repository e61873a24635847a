//! `neon-sim`: run the simulator from the command line.
//!
//! `cargo run -p neon-sim -- --port 8080 --events 100000` prints the URL and token, then
//! serves until Ctrl-C.

use clap::Parser;
use neon_sim::{PolById, RegistrationById, Simulator, StartBase};

/// Serve a simulated Neon Cyber Developer API on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "neon-sim", version)]
struct Args {
    /// Port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Seed of all generated data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Token clients must send as `Authorization: <token>` (default derived from the seed).
    #[arg(long)]
    token: Option<String>,
    #[arg(long, default_value_t = 1_000)]
    events: u64,
    #[arg(long, default_value_t = 200)]
    detections: u64,
    #[arg(long, default_value_t = 50)]
    clients: u64,
    #[arg(long, default_value_t = 75)]
    registrations: u64,
    #[arg(long, default_value_t = 5)]
    deployments: u64,
    #[arg(long, default_value_t = 3)]
    policies: u64,
    #[arg(long, default_value_t = 40)]
    apps: u64,
    /// Clamp `limit` to this page size (0: no clamp).
    #[arg(long, default_value_t = 1000)]
    max_page_size: u64,
    /// Count `start`/`end` from 0 instead of 1.
    #[arg(long)]
    zero_based: bool,
    /// Ignore the `end` parameter.
    #[arg(long)]
    ignore_end: bool,
    /// Also serve `/v1/registrations/{id}` and `/v1/detections_pol/{id}`.
    #[arg(long)]
    all_spellings: bool,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), neon_sim::Error> {
    let a = Args::parse();
    let mut b = Simulator::builder()
        .port(a.port)
        .seed(a.seed)
        .events(a.events)
        .detections(a.detections)
        .clients(a.clients)
        .registrations(a.registrations)
        .deployments(a.deployments)
        .policies(a.policies)
        .apps(a.apps)
        .max_page_size((a.max_page_size > 0).then_some(a.max_page_size))
        .ignore_end(a.ignore_end)
        .start_base(if a.zero_based {
            StartBase::Zero
        } else {
            StartBase::One
        });
    if a.all_spellings {
        b = b
            .registration_by_id(RegistrationById::Both)
            .pol_by_id(PolById::Both);
    }
    if let Some(t) = a.token {
        b = b.token(t);
    }
    let sim = b.start().await?;
    println!("NEON_API_URL={}", sim.url());
    println!("NEON_API_TOKEN={}", sim.token());
    println!(
        "try: curl -H 'Authorization: {}' '{}/v1/events?limit=2'",
        sim.token(),
        sim.url()
    );
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    Ok(())
}
