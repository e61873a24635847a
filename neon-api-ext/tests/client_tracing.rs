//! The tracing output of a request that is retried once: a span per attempt with
//! operation, path, attempt, status and latency — and never the token.
//!
//! One test in its own binary: a thread-local subscriber and tracing's global callsite
//! cache do not mix with other tests running in parallel in the same process.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use neon_api_ext::{NeonClient, RetryPolicy};
use neon_sim::{ErrorBody, Fault, FaultPlan, Filter, Resource, Simulator, SortOrder};

const TOKEN: &str = "tok-tracing-0123456789";

/// A `MakeWriter` collecting everything the subscriber prints.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test]
async fn a_span_per_attempt_with_status_and_latency_and_never_the_token() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(captured.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("first subscriber");

    let sim = Simulator::builder()
        .seed(3)
        .events(10)
        .token(TOKEN)
        .faults(FaultPlan::new().on_request(
            1,
            Fault::ServerError {
                status: 503,
                body: ErrorBody::Json,
            },
        ))
        .start()
        .await
        .unwrap();
    let id = sim.ids(Resource::Events, SortOrder::Desc, &Filter::All)[0];
    let client = NeonClient::builder()
        .base_url(sim.url())
        .token(TOKEN)
        .retry_policy(RetryPolicy::new().with_base_delay(Duration::from_millis(1)))
        .build()
        .unwrap();
    let event = client.get_event(id).await.unwrap();
    assert_eq!(event.id, Some(id));
    // An error and the client's Debug, logged, do not leak it either.
    let err = NeonClient::builder()
        .base_url(sim.url())
        .token("wrong")
        .build()
        .unwrap()
        .get_event(id)
        .await
        .unwrap_err();
    tracing::info!(client = ?client, error = %err, "done");

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!text.contains(TOKEN), "token in tracing output:\n{text}");
    let path = format!("path=\"/v1/events/{id}\"");
    let failed = text
        .lines()
        .find(|l| l.contains("Neon API request failed"))
        .unwrap_or_else(|| panic!("no failure event:\n{text}"));
    for field in [
        "neon_api_request{",
        "operation=\"get_event\"",
        "method=\"GET\"",
        path.as_str(),
        "attempt=1",
        "status=503",
        "latency_ms=",
        "retryable=true",
    ] {
        assert!(failed.contains(field), "{field} missing in: {failed}");
    }
    let succeeded = text
        .lines()
        .find(|l| l.contains("Neon API request succeeded"))
        .unwrap_or_else(|| panic!("no success event:\n{text}"));
    for field in [
        "operation=\"get_event\"",
        "attempt=2",
        "status=200",
        "latency_ms=",
    ] {
        assert!(succeeded.contains(field), "{field} missing in: {succeeded}");
    }
    assert!(
        text.lines()
            .any(|l| l.contains("retrying Neon API request") && l.contains("attempt=1")),
        "no retry event:\n{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("status=401")
                && l.contains("unauthorized (HTTP 401): invalid API key")),
        "no 401 event:\n{text}"
    );
}
