//! When to try a request again, and how long to wait first.
//!
//! Every call this crate makes is a `GET`, so repeating one is safe. What is retried:
//! 429, 502, 503, 504, connection errors, timeouts, and bodies cut off mid-way. What is
//! never retried: 400, 401, 403, 404 and every other 4xx — the same request would get the
//! same answer — and **500**, which on this API means the server failed on this request
//! (a bug, not congestion), so repeating it only multiplies load; the caller gets
//! [`crate::Error::Server`] at once.
//!
//! The wait before retry *n* (1-based) is "full jitter": a uniformly random duration in
//! `[0, min(max_delay, base_delay × 2^(n-1))]`, which spreads clients out instead of
//! having them all come back at the same instant. A `Retry-After` from the server (seconds
//! or an HTTP-date) replaces that wait when it is at most
//! [`RetryPolicy::retry_after_cap`]; a longer one is not slept at all: the call fails
//! at once with [`crate::Error::RateLimited`] (429) or [`crate::Error::Unavailable`]
//! (502/503/504) carrying the server's delay, so the caller decides (sleeping less than
//! asked would just be refused again).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

/// How many times to try a request and how long to wait between tries.
///
/// Defaults: 4 attempts in all (1 + 3 retries), base delay 200 ms, max delay 10 s,
/// `Retry-After` honoured up to 30 s.
///
/// Every call of this crate is a `GET`, so repeating one is safe. **Retried**: 429, 502,
/// 503, 504, connection errors, timeouts, and bodies cut off mid-way (including a JSON
/// document that ends early). **Never retried**: 400, 401, 403, 404 and every other 4xx
/// (the same request gets the same answer), and **500**: on this API it means the server
/// failed on this very request, so repeating it only adds load — the caller gets
/// [`crate::Error::Server`] at once.
///
/// The wait before retry *n* is "full jitter": uniformly random in
/// `[0, min(max_delay, base_delay × 2^(n-1))]`. A `Retry-After` (seconds or HTTP-date) on a
/// retried response replaces that wait when it is at most the cap; a longer one (or one
/// too large to represent) is never slept: the call fails at once — with
/// [`crate::Error::RateLimited`] for a 429, [`crate::Error::Unavailable`] for a
/// 502/503/504, both carrying the server's delay — so the caller decides. An unreadable
/// `Retry-After` is ignored and the jittered wait applies.
///
/// ```
/// use std::time::Duration;
/// use neon_api_ext::{NeonClient, RetryPolicy};
///
/// let policy = RetryPolicy::new();
/// assert_eq!(policy.max_attempts(), 4);
/// assert_eq!(policy.base_delay(), Duration::from_millis(200));
/// assert_eq!(policy.retry_after_cap(), Duration::from_secs(30));
///
/// // A batch job that can wait: more attempts, a higher ceiling, longer Retry-After slept.
/// let patient = RetryPolicy::new()
///     .with_max_attempts(8)
///     .with_max_delay(Duration::from_secs(60))
///     .with_retry_after_cap(Duration::from_secs(120));
/// let client = NeonClient::builder().token("my-token").retry_policy(patient.clone()).build()?;
/// assert_eq!(client.retry_policy(), &patient);
///
/// // An interactive tool that would rather fail fast: one attempt.
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// # Ok::<(), neon_api_ext::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            retry_after_cap: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's docs).
    pub fn new() -> Self {
        Self::default()
    }

    /// A policy that never retries: one attempt, and the first error is returned.
    pub fn none() -> Self {
        Self::default().with_max_attempts(1)
    }

    /// Total attempts including the first (a value below 1 is taken as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff ceiling of the first retry; it doubles for each later retry.
    pub fn with_base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// The largest backoff ceiling, whatever the retry number.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// The longest `Retry-After` this client will sleep; a server asking for more gets
    /// [`crate::Error::RateLimited`] (429) or [`crate::Error::Unavailable`] (502/503/504)
    /// returned to the caller at once instead of a sleep.
    pub fn with_retry_after_cap(mut self, cap: Duration) -> Self {
        self.retry_after_cap = cap;
        self
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// See [`RetryPolicy::with_base_delay`].
    pub fn base_delay(&self) -> Duration {
        self.base_delay
    }

    /// See [`RetryPolicy::with_max_delay`].
    pub fn max_delay(&self) -> Duration {
        self.max_delay
    }

    /// See [`RetryPolicy::with_retry_after_cap`].
    pub fn retry_after_cap(&self) -> Duration {
        self.retry_after_cap
    }

    /// The upper bound of the jittered wait before retry `retry` (1-based):
    /// `min(max_delay, base_delay × 2^(retry-1))`, saturating instead of overflowing.
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let exponent = retry.saturating_sub(1);
        let factor = 1u32.checked_shl(exponent).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// Full jitter: `random` mapped uniformly onto `[0, backoff_ceiling(retry)]`.
    pub(crate) fn backoff(&self, retry: u32, random: u64) -> Duration {
        let ceiling = self.backoff_ceiling(retry).as_nanos();
        // The ceiling is at most `max_delay`; a u128 holds any Duration in nanoseconds.
        let nanos = u128::from(random) % (ceiling + 1);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// What to do after attempt number `attempts_made` failed with a retryable error.
    /// `server_delay` is the response's parsed `Retry-After`, if any.
    pub(crate) fn decide(
        &self,
        attempts_made: u32,
        server_delay: Option<Duration>,
        random: u64,
    ) -> Decision {
        if attempts_made >= self.max_attempts {
            return Decision::GiveUp;
        }
        match server_delay {
            Some(delay) if delay > self.retry_after_cap => Decision::GiveUp,
            Some(delay) => Decision::RetryAfter(delay),
            None => Decision::RetryAfter(self.backoff(attempts_made, random)),
        }
    }
}

/// The outcome of [`RetryPolicy::decide`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Sleep this long, then try again.
    RetryAfter(Duration),
    /// Return the error to the caller.
    GiveUp,
}

/// Parses a `Retry-After` value: delay-seconds (`120`) or an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`), relative to `now`.
///
/// A number of seconds too large for `u64` is [`Duration::MAX`] — more than any cap, and a
/// value no whole number of seconds can equal, so an error can say "more than" instead of
/// showing a made-up figure; a date in the past means "now" (zero); anything else —
/// negative, fractional, garbage — is `None`, and the normal backoff applies.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(
            value
                .parse::<u64>()
                .map_or(Duration::MAX, Duration::from_secs),
        );
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A random number for jitter. Not cryptographic and need not be: `RandomState` is seeded
/// from the OS once per thread and advanced on every call, which is enough to spread retries.
pub(crate) fn jitter_seed() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    hasher.write_u32(nanos);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy::new()
            .with_base_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_secs(1))
            .with_retry_after_cap(Duration::from_secs(5))
            .with_max_attempts(4)
    }

    #[test]
    fn defaults_are_four_attempts_200ms_10s_and_a_30s_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.max_attempts(), 4);
        assert_eq!(p.base_delay(), Duration::from_millis(200));
        assert_eq!(p.max_delay(), Duration::from_secs(10));
        assert_eq!(p.retry_after_cap(), Duration::from_secs(30));
        assert_eq!(RetryPolicy::none().max_attempts(), 1);
        assert_eq!(RetryPolicy::new().with_max_attempts(0).max_attempts(), 1);
    }

    #[test]
    fn backoff_ceiling_doubles_then_stops_at_max_delay() {
        let p = policy();
        assert_eq!(p.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(p.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(p.backoff_ceiling(3), Duration::from_millis(400));
        assert_eq!(p.backoff_ceiling(4), Duration::from_millis(800));
        assert_eq!(p.backoff_ceiling(5), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(40), Duration::from_secs(1));
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_secs(1));
    }

    #[test]
    fn backoff_ceiling_never_overflows_with_huge_delays() {
        let p = RetryPolicy::new()
            .with_base_delay(Duration::MAX)
            .with_max_delay(Duration::MAX);
        assert_eq!(p.backoff_ceiling(1), Duration::MAX);
        assert_eq!(p.backoff_ceiling(64), Duration::MAX);
        // Jitter over a ceiling that does not fit u64 nanoseconds still yields a value.
        assert!(p.backoff(64, u64::MAX) <= Duration::MAX);
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        let p = policy();
        assert_eq!(p.backoff(1, 0), Duration::ZERO);
        // 100 ms = 100_000_000 ns; the range has 100_000_001 values.
        assert_eq!(p.backoff(1, 100_000_000), Duration::from_millis(100));
        assert_eq!(p.backoff(1, 100_000_001), Duration::ZERO);
        assert_eq!(p.backoff(2, 150_000_000), Duration::from_millis(150));
        for seed in [1u64, 7, 1 << 40, u64::MAX] {
            assert!(p.backoff(3, seed) <= Duration::from_millis(400));
        }
    }

    #[test]
    fn decide_gives_up_when_attempts_are_spent() {
        let p = policy();
        assert_eq!(
            p.decide(1, None, 0),
            Decision::RetryAfter(Duration::ZERO),
            "first failure of four allowed attempts retries"
        );
        assert_eq!(p.decide(3, None, 0), Decision::RetryAfter(Duration::ZERO));
        assert_eq!(p.decide(4, None, 0), Decision::GiveUp);
        assert_eq!(RetryPolicy::none().decide(1, None, 0), Decision::GiveUp);
    }

    #[test]
    fn decide_honours_retry_after_up_to_the_cap_and_gives_up_beyond_it() {
        let p = policy();
        assert_eq!(
            p.decide(1, Some(Duration::from_secs(2)), 0),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            p.decide(1, Some(Duration::from_secs(5)), 0),
            Decision::RetryAfter(Duration::from_secs(5))
        );
        assert_eq!(
            p.decide(1, Some(Duration::from_secs(6)), 0),
            Decision::GiveUp
        );
        assert_eq!(
            p.decide(1, Some(Duration::from_secs(u64::MAX)), 0),
            Decision::GiveUp
        );
    }

    #[test]
    fn retry_after_seconds_form() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn retry_after_huge_number_is_duration_max_instead_of_overflowing() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(
            parse_retry_after("99999999999999999999999999999", now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after("18446744073709551616", now),
            Some(Duration::MAX)
        );
        assert_eq!(
            parse_retry_after("18446744073709551615", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn retry_after_http_date_form_is_relative_to_now() {
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777 s after the epoch.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777 - 7);
        assert_eq!(parse_retry_after(date, now), Some(Duration::from_secs(7)));
        let later = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777 + 60);
        assert_eq!(
            parse_retry_after(date, later),
            Some(Duration::ZERO),
            "a date in the past means retry now"
        );
        // The obsolete RFC 850 and asctime forms are HTTP-dates too.
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:49:37 1994", now),
            Some(Duration::from_secs(7))
        );
    }

    #[test]
    fn retry_after_garbage_is_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        for value in [
            "",
            "  ",
            "-5",
            "1.5",
            "soon",
            "3s",
            "Mon, 99 Foo 2020",
            "+3",
        ] {
            assert_eq!(parse_retry_after(value, now), None, "value {value:?}");
        }
    }

    #[test]
    fn jitter_seeds_vary() {
        let seeds: std::collections::HashSet<u64> = (0..16).map(|_| jitter_seed()).collect();
        assert!(seeds.len() > 1, "16 seeds were all equal");
    }
}
