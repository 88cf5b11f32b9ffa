//! When a failed call is sent again, and how long the client waits first.
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.
//!
//! # What is retried, and why
//!
//! Authlete's callers are authorization servers, and many Authlete operations are not harmless to
//! repeat: `POST /auth/authorization/issue` mints an authorization code, `POST /auth/token` redeems
//! one and mints tokens. If such a request reached Authlete and only its answer was lost, sending it
//! again can issue a second token or burn a one-time code. So by default the client retries only:
//!
//! - a request that provably **never reached the server**, for every method: the connection was
//!   refused, the name did not resolve, the TLS handshake failed, or connecting timed out (no byte
//!   of the request was written);
//! - a **GET, HEAD, OPTIONS, PUT or DELETE** (methods that HTTP defines as idempotent) that failed
//!   after it was sent (connection reset, no answer within the timeout) or that was answered
//!   `429 Too Many Requests`, `502 Bad Gateway`, `503 Service Unavailable` or `504 Gateway Timeout`.
//!
//! A POST or PATCH that may have reached Authlete is not retried unless the caller says, for that
//! call, that sending it twice is harmless ([`Call::idempotent`](super::Call::idempotent)).
//! Other error statuses (400, 401, 403, 500, …) are answers, not accidents, and are never retried.
//!
//! Between attempts the client waits an exponentially growing delay with jitter (so that many
//! clients that failed together do not retry together), or what the server asks for, capped at
//! [`RetryPolicy::max_delay`]. The number of attempts is bounded by [`RetryPolicy::max_attempts`],
//! and all attempts and waits together by [`RetryPolicy::deadline`]; the error of a call says how
//! many attempts were made ([`Error::attempts`](super::Error::attempts)), and, when the deadline
//! ended it, that it did.
//!
//! # What the server asks for
//!
//! The wait the server asks for is read from the answer's headers, the first that is present and
//! valid of:
//!
//! 1. `Retry-After` (RFC 9110), on any answer that is retried: delay-seconds (`120`) or an HTTP
//!    date (`Wed, 21 Oct 2015 07:28:00 GMT`; one in the past asks for no wait).
//! 2. `RateLimit-Reset` (the IETF draft "RateLimit header fields for HTTP",
//!    draft-ietf-httpapi-ratelimit-headers), on a `429` or `503`: delta-seconds until the quota
//!    resets (`30`).
//! 3. `X-RateLimit-Reset` (the older, unstandardized spelling), on a `429` or `503`: whole seconds
//!    as well, which some servers send as a wait and others as the Unix time of the reset. A value
//!    of 1 000 000 000 or more (September 2001 as a Unix time, 31 years as a wait) is read as a
//!    Unix time, counted from now (one in the past asks for no wait); a smaller one as a wait.
//!
//! The rate-limit headers are read only on the statuses that say "too many requests" or "not
//! now": on other answers they describe a quota that is not why the request failed. Values that
//! are not whole non-negative numbers (or dates, for `Retry-After`) are ignored, and the client
//! backs off as if the header were absent.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

use super::error::Error;
use super::runtime::Method;

/// How a client retries failed calls: [`ClientBuilder::retry`](super::ClientBuilder::retry) for
/// all calls, [`Call::retry`](super::Call::retry) for one. See [the rules](self#what-is-retried-and-why)
/// for which failures are retried.
///
/// ```
/// use std::time::Duration;
/// use authlete::RetryPolicy;
///
/// let patient = RetryPolicy::default().max_attempts(5).deadline(Duration::from_secs(20));
/// let never = RetryPolicy::none();
/// # let _ = (patient, never);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// How many times a call is sent at most, the first time included; `1` never retries.
    pub max_attempts: u32,
    /// The wait before the first retry; each further retry waits twice as long as the one before,
    /// up to [`RetryPolicy::max_delay`], and a random part of it is left out (jitter).
    pub initial_delay: Duration,
    /// The longest wait between two attempts, also when `Retry-After` asks for more.
    pub max_delay: Duration,
    /// How long a call may take in all, every attempt and wait included. No attempt is started or
    /// waited for beyond it, and each attempt's timeout is cut to what is left of it.
    pub deadline: Duration,
}

impl RetryPolicy {
    /// Up to 3 attempts, 200 ms before the first retry, at most 5 s between attempts, 60 s in all.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_attempts: 3,
        initial_delay: Duration::from_millis(200),
        max_delay: Duration::from_secs(5),
        deadline: Duration::from_secs(60),
    };

    /// Never retries: every call is sent once (the deadline of [`RetryPolicy::DEFAULT`] still
    /// bounds it).
    pub fn none() -> Self {
        RetryPolicy { max_attempts: 1, ..Self::DEFAULT }
    }

    /// Sets [`RetryPolicy::max_attempts`] (`0` is taken as `1`: a call is always sent once).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets [`RetryPolicy::initial_delay`].
    pub fn initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets [`RetryPolicy::max_delay`].
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets [`RetryPolicy::deadline`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The wait before retry number `retry` (1 for the first retry) when the server did not say:
    /// `initial_delay × 2^(retry-1)`, capped at `max_delay`, of which a random part of up to
    /// half is left out ("equal jitter": never less than half the delay, so that retries still
    /// back off, and spread out so that clients that failed together do not come back together).
    pub(crate) fn backoff(&self, retry: u32, random: u64) -> Duration {
        let factor = 1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX);
        let delay = self.initial_delay.saturating_mul(factor).min(self.max_delay);
        let half = delay / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        let jitter = if nanos == 0 { 0 } else { random % (nanos + 1) };
        half + Duration::from_nanos(jitter)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a failed attempt may be sent again, for the retry event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The request never reached the server.
    NotConnected,
    /// The request was sent, but no complete answer came (reset, timeout).
    NoAnswer,
    /// The server answered with a status that says "try again".
    Status(u16),
}

impl Reason {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reason::NotConnected => "not connected",
            Reason::NoAnswer => "no answer",
            Reason::Status(_) => "retryable status",
        }
    }
}

/// Whether HTTP defines `method` as idempotent, so that sending it twice does no more than once.
pub(crate) fn is_idempotent(method: Method) -> bool {
    matches!(method, Method::Get | Method::Head | Method::Options | Method::Put | Method::Delete)
}

/// The one place that decides whether a failed attempt may be sent again: `Some` with the reason
/// (and the server's requested wait, if it gave one) or `None`. `idempotent` says whether sending
/// the request twice is harmless (the method's nature, or the caller's word for this call).
pub(crate) fn classify(error: &Error, idempotent: bool) -> Option<(Reason, Option<Duration>)> {
    match error {
        // Connecting failed (refused, DNS, TLS handshake, connect timeout): nothing was sent.
        Error::Transport { source, .. } if source.is_connect() => Some((Reason::NotConnected, None)),
        Error::Transport { .. } | Error::Timeout { .. } if idempotent => Some((Reason::NoAnswer, None)),
        Error::Api(api) if idempotent && matches!(api.status, 429 | 502 | 503 | 504) => {
            Some((Reason::Status(api.status), api.retry_after))
        }
        _ => None,
    }
}

/// How long to wait before retry number `retry`: the server's `Retry-After` if it gave one, capped
/// at the policy's largest delay, else the policy's backoff.
pub(crate) fn delay(policy: &RetryPolicy, retry: u32, retry_after: Option<Duration>) -> Duration {
    match retry_after {
        Some(asked) => asked.min(policy.max_delay),
        None => policy.backoff(retry, random()),
    }
}

/// How long the error answer with `status` and `headers` asks the client to wait before trying
/// again (see [the rules](self#what-the-server-asks-for)), counted from `now`.
pub(crate) fn asked_wait(status: u16, headers: &reqwest::header::HeaderMap, now: SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(wait) = header("retry-after").and_then(|value| parse_retry_after(value, now)) {
        return Some(wait);
    }
    if !matches!(status, 429 | 503) {
        return None;
    }
    header("ratelimit-reset")
        .and_then(parse_seconds)
        .map(Duration::from_secs)
        .or_else(|| header("x-ratelimit-reset").and_then(|value| parse_x_ratelimit_reset(value, now)))
}

/// Whole non-negative seconds (`30`); a huge number is still "a long time", not an error.
fn parse_seconds(value: &str) -> Option<u64> {
    let value = value.trim();
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit())).then(|| value.parse().unwrap_or(u64::MAX))
}

/// From this value on, `X-RateLimit-Reset` is a Unix time rather than a wait: 2001-09-09 as a
/// time, 31 years as a wait, so neither reading is plausible for the other.
const UNIX_TIME_FROM: u64 = 1_000_000_000;

/// The wait an `X-RateLimit-Reset` header asks for: seconds to wait, or the Unix time of the
/// reset when the number is [`UNIX_TIME_FROM`] or more.
fn parse_x_ratelimit_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let seconds = parse_seconds(value)?;
    if seconds < UNIX_TIME_FROM {
        return Some(Duration::from_secs(seconds));
    }
    let at = SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A random number for jitter. The standard library's hasher keys are random per process and
/// change with every `RandomState`, which is all jitter needs; no random number crate is built
/// for it.
fn random() -> u64 {
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(0x9e37_79b9_7f4a_7c15);
    hasher.finish()
}

/// The wait a `Retry-After` header asks for: delay-seconds (`120`) or an HTTP date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, counted from `now`; a date in the past means no wait).
/// Anything else is ignored, and the client backs off as if the header were absent.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Some(seconds) = parse_seconds(value) {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value.trim())?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires senders to use.
fn parse_http_date(value: &str) -> Option<SystemTime> {
    let rest = value.split_once(", ")?.1;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| m == month)? as i64 + 1;
    let number = |text: &str, digits: usize| -> Option<i64> {
        (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit())).then(|| text.parse().ok()).flatten()
    };
    let (day, year) = (number(day, 2)?, number(year, 4)?);
    let clock: Vec<&str> = time.split(':').collect();
    let [hour, minute, second] = clock.as_slice() else { return None };
    let (hour, minute, second) = (number(hour, 2)?, number(minute, 2)?, number(second, 2)?);
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second;
    let seconds = u64::try_from(seconds).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`, in eras of 400 years).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now), Some(Duration::from_secs(10)));
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", SystemTime::UNIX_EPOCH),
            Some(Duration::from_secs(1_445_412_480))
        );
        for broken in ["", "-1", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 PST", "Sunday, 06-Nov-94 08:49:37 GMT"] {
            assert_eq!(parse_retry_after(broken, now), None, "{broken:?}");
        }
    }

    #[test]
    fn rate_limit_headers_ask_for_a_wait_on_429_and_503() {
        use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, value) in pairs {
                map.insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
            }
            map
        };
        let wait = |status, pairs: &[(&'static str, &str)]| asked_wait(status, &headers(pairs), now);
        assert_eq!(wait(429, &[("ratelimit-reset", "7")]), Some(Duration::from_secs(7)));
        assert_eq!(wait(503, &[("RateLimit-Reset", " 30 ")]), Some(Duration::from_secs(30)));
        assert_eq!(wait(429, &[("x-ratelimit-reset", "12")]), Some(Duration::from_secs(12)));
        assert_eq!(wait(429, &[("x-ratelimit-reset", "1700000005")]), Some(Duration::from_secs(5)));
        assert_eq!(wait(429, &[("x-ratelimit-reset", "1699999999")]), Some(Duration::ZERO));
        assert_eq!(wait(429, &[("x-ratelimit-reset", "999999999")]), Some(Duration::from_secs(999_999_999)));
        // Retry-After comes first, then RateLimit-Reset.
        let all = [("retry-after", "2"), ("ratelimit-reset", "3"), ("x-ratelimit-reset", "4")];
        assert_eq!(wait(429, &all), Some(Duration::from_secs(2)));
        assert_eq!(wait(429, &all[1..]), Some(Duration::from_secs(3)));
        // A quota's reset is not why a 502 failed; Retry-After counts on any status.
        assert_eq!(wait(502, &all[1..]), None);
        assert_eq!(wait(502, &all), Some(Duration::from_secs(2)));
        for broken in ["", "-1", "1.5", "soon", "Sun, 06 Nov 1994 08:49:37 GMT"] {
            assert_eq!(wait(429, &[("ratelimit-reset", broken), ("x-ratelimit-reset", broken)]), None, "{broken:?}");
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_keeps_at_least_half() {
        let policy = RetryPolicy::default().initial_delay(Duration::from_millis(100)).max_delay(Duration::from_secs(1));
        assert_eq!(policy.backoff(1, 0), Duration::from_millis(50));
        assert_eq!(policy.backoff(1, 50_000_000), Duration::from_millis(100));
        assert_eq!(policy.backoff(2, 0), Duration::from_millis(100));
        assert_eq!(policy.backoff(3, 0), Duration::from_millis(200));
        assert_eq!(policy.backoff(5, 0), Duration::from_millis(500));
        assert_eq!(policy.backoff(40, 0), Duration::from_millis(500));
        for retry in 1..50 {
            for random in [0, 1, 12_345_678_901, u64::MAX] {
                let wait = policy.backoff(retry, random);
                assert!(wait <= Duration::from_secs(1), "{retry}: {wait:?}");
                assert!(wait >= Duration::from_millis(50), "{retry}: {wait:?}");
            }
        }
    }

    #[test]
    fn retry_after_is_capped() {
        let policy = RetryPolicy::default().max_delay(Duration::from_secs(3));
        assert_eq!(delay(&policy, 1, Some(Duration::from_secs(2))), Duration::from_secs(2));
        assert_eq!(delay(&policy, 1, Some(Duration::from_secs(3_600))), Duration::from_secs(3));
    }
}
