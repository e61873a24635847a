//! Setup shared by the simulator-backed test files of this crate.

use std::time::Duration;

use neon_api_ext::{NeonClient, RetryPolicy};
use neon_sim::{Simulator, SimulatorBuilder};

/// Starts the simulator and a client for it whose retries wait 1 ms, so faults cost no time.
pub async fn start(builder: SimulatorBuilder) -> (Simulator, NeonClient) {
    let sim = builder.start().await.expect("simulator starts");
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(sim.token())
        .retry_policy(RetryPolicy::new().with_base_delay(Duration::from_millis(1)))
        .build()
        .expect("client builds");
    (sim, client)
}
