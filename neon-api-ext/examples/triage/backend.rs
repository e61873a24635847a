//! Where the examples' data comes from: the tenant named by `NEON_API_TOKEN` (and
//! `NEON_API_URL`), or — with no token — a simulator started in this process, so the first
//! run works with no account. Shared by `triage` and `export` (`#[path]`-included).

use std::io::Write;

use neon_api_ext::NeonClient;
use neon_sim::{Simulator, SimulatorBuilder};

/// The environment both programs read, shown under `--help`.
pub const ENVIRONMENT_HELP: &str = "Environment:
  NEON_API_TOKEN  the tenant's API token; unset or empty: the embedded simulator
  NEON_API_URL    the API's base URL (default https://api.neoncyber.io)";

/// The connected client, and the simulator serving it when there is no tenant.
pub struct Backend {
    /// The client every request goes through.
    pub client: NeonClient,
    /// The embedded simulator; `None` when talking to a real tenant. Kept alive for as long
    /// as the client is used (dropping it stops the server).
    pub simulator: Option<Simulator>,
}

impl Backend {
    /// A tenant when `NEON_API_TOKEN` is set (not empty), else the embedded simulator built by
    /// `sim`, announced on `notice` (stderr) so nobody mistakes demo data for their tenant.
    pub async fn connect(
        program: &str,
        sim: SimulatorBuilder,
        notice: &mut dyn Write,
    ) -> Result<Backend, String> {
        // Same rule as `NeonClient::from_env`: an empty or blank token counts as unset.
        let token_set = std::env::var_os(neon_api_ext::ENV_TOKEN)
            .is_some_and(|t| !t.to_string_lossy().trim().is_empty());
        if token_set {
            let client = NeonClient::from_env().map_err(|e| e.to_string())?;
            return Ok(Backend {
                client,
                simulator: None,
            });
        }
        let simulator = sim
            .start()
            .await
            .map_err(|e| format!("starting the embedded simulator: {e}"))?;
        let client = NeonClient::builder()
            .base_url(simulator.url())
            .token(simulator.token())
            .build()
            .map_err(|e| e.to_string())?;
        // A failed write to stderr must not stop the job.
        let _ = writeln!(
            notice,
            "{program}: {} is not set: using the embedded Neon API simulator at {} \
             (generated demo data, not your tenant). Set {} (and optionally {}) to query a real tenant.",
            neon_api_ext::ENV_TOKEN,
            simulator.url(),
            neon_api_ext::ENV_TOKEN,
            neon_api_ext::ENV_URL,
        );
        Ok(Backend {
            client,
            simulator: Some(simulator),
        })
    }

    /// Stops the embedded simulator, if any, waiting for its connections to close.
    pub async fn shutdown(self) {
        if let Some(sim) = self.simulator {
            sim.shutdown().await;
        }
    }
}

/// Turns a write error on stdout into the program's outcome: a closed pipe (`| head`) is a
/// normal end, anything else an error to report.
pub fn output_error(e: std::io::Error) -> Option<String> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        None
    } else {
        Some(format!("writing output: {e}"))
    }
}

/// An error's text with its root cause appended when the text does not already say it
/// (`transport error: error sending request …: Connection refused (os error 111)`), on one
/// line.
pub fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut root = error.source();
    while let Some(next) = root.and_then(|e| e.source()) {
        root = Some(next);
    }
    if let Some(root) = root {
        let cause = root.to_string();
        if !text.contains(&cause) {
            text = format!("{text}: {cause}");
        }
    }
    text.replace('\n', " ")
}
