//! Faults injected into responses, reproducible from a seed.
//!
//! A [`FaultPlan`] decides, for request number `n` (1-based, in arrival order, every path),
//! either by script ("request 3 gets a 503") or by rate (each fault drawn with its
//! probability from `(seed, n)`), which fault it gets. A script entry wins over the rates.
//! The same plan and the same request sequence inject the same faults.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::ids::Rng;

/// How a 429 states when to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>` this long after the response.
    HttpDate(Duration),
}

/// Body of an injected 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorBody {
    /// The envelope, `{"error":"…","data":null}`, `application/json`.
    Json,
    /// A proxy's HTML error page, `text/html` — what a load balancer sends.
    Html,
}

/// One injected misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer normally after this delay.
    Latency(Duration),
    /// 429 with the envelope, and `Retry-After` when given.
    TooManyRequests(Option<RetryAfter>),
    /// 500, 502 or 503 (any status given) with the chosen body.
    ServerError {
        /// HTTP status code.
        status: u16,
        /// JSON envelope or HTML page.
        body: ErrorBody,
    },
    /// Close the connection with a TCP reset, no response at all.
    ConnectionReset,
    /// Send headers with the full `Content-Length`, half the body, then close.
    TruncatedBody,
    /// 200 `application/json` whose body is cut in half: correctly framed, not JSON.
    MalformedJson,
}

/// The kind of a [`Fault`], for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// [`Fault::Latency`].
    Latency,
    /// [`Fault::TooManyRequests`].
    TooManyRequests,
    /// [`Fault::ServerError`].
    ServerError,
    /// [`Fault::ConnectionReset`].
    ConnectionReset,
    /// [`Fault::TruncatedBody`].
    TruncatedBody,
    /// [`Fault::MalformedJson`].
    MalformedJson,
}

impl Fault {
    /// Its kind.
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Latency(_) => FaultKind::Latency,
            Fault::TooManyRequests(_) => FaultKind::TooManyRequests,
            Fault::ServerError { .. } => FaultKind::ServerError,
            Fault::ConnectionReset => FaultKind::ConnectionReset,
            Fault::TruncatedBody => FaultKind::TruncatedBody,
            Fault::MalformedJson => FaultKind::MalformedJson,
        }
    }
}

/// Which requests get which fault. Empty by default (no faults).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    seed: u64,
    script: BTreeMap<u64, Fault>,
    rates: Vec<(Fault, f64)>,
    path_prefix: Option<String>,
}

impl FaultPlan {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Seed of the rate draws (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Request number `n` (1-based, counting every request) gets `fault`.
    pub fn on_request(mut self, n: u64, fault: Fault) -> Self {
        self.script.insert(n, fault);
        self
    }

    /// Every request gets `fault` with probability `p` (rates are drawn in the order
    /// added, from one uniform draw per request: their sum should be ≤ 1).
    pub fn with_rate(mut self, fault: Fault, p: f64) -> Self {
        self.rates.push((fault, p));
        self
    }

    /// Only requests whose path starts with `prefix` are eligible for *rate* faults
    /// (e.g. `/v1/events`); scripted faults always apply.
    pub fn only_paths(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// The fault for request `n` to `path`, if any.
    pub fn decide(&self, n: u64, path: &str) -> Option<Fault> {
        if let Some(f) = self.script.get(&n) {
            return Some(*f);
        }
        if self.rates.is_empty() {
            return None;
        }
        if let Some(prefix) = &self.path_prefix {
            if !path.starts_with(prefix.as_str()) {
                return None;
            }
        }
        let u = Rng::new(self.seed, 0xFA17, n).range_f64(0.0, 1.0);
        let mut acc = 0.0;
        for (fault, p) in &self.rates {
            acc += p;
            if u < acc {
                return Some(*fault);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_win_and_rates_are_reproducible() {
        let plan = FaultPlan::new()
            .seed(9)
            .on_request(3, Fault::ConnectionReset)
            .with_rate(Fault::MalformedJson, 0.25);
        assert_eq!(plan.decide(3, "/v1/events"), Some(Fault::ConnectionReset));
        let a: Vec<_> = (1..=1000).map(|n| plan.decide(n, "/v1/events")).collect();
        let b: Vec<_> = (1..=1000).map(|n| plan.decide(n, "/v1/events")).collect();
        assert_eq!(a, b);
        let hits = a
            .iter()
            .filter(|f| **f == Some(Fault::MalformedJson))
            .count();
        assert!((200..300).contains(&hits), "{hits} hits at rate 0.25");
    }
}
