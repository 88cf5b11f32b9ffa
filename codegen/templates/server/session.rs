//! The browser session of the interactive flows: who signed in, and the interactions (a consent
//! page shown, a device code entered) waiting for the user's decision.
//!
//! The session lives in the server's memory, bounded in count; the browser holds only its random
//! ID, in an `HttpOnly`, `SameSite=Lax` cookie (`Secure` and `__Host-` on an https server). Each
//! page that asks the user to decide carries a fresh random token naming one waiting interaction
//! of that session, and a decision takes it out: a decision posted from another browser, posted
//! twice, or posted after the interaction expired finds nothing and is refused.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use cookie::{Cookie, SameSite};
use http::header::{self, HeaderMap, HeaderValue};

use super::config::{Config, SessionLimits};

/// The most interactions one session keeps waiting (a user with several tabs open); the oldest
/// goes first.
const MAX_WAITING: usize = 8;

/// A user who signed in in this browser.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedIn {
    /// The user's subject, as the server's [`Users`](super::Users) named it.
    pub subject: String,
    /// When the user authenticated, in seconds since the Unix epoch (OIDC Core's `auth_time`).
    pub authenticated_at: i64,
    /// The authentication context class the sign-in satisfied, if the server named one.
    pub acr: Option<String>,
}

/// The sessions of an authorization server.
pub(crate) struct Sessions {
    cache: quick_cache::sync::Cache<String, Arc<Mutex<Session>>>,
    cookie_name: &'static str,
    secure: bool,
    limits: SessionLimits,
}

/// One browser's session.
pub(crate) struct Session {
    pub(crate) user: Option<SignedIn>,
    /// The token the session's plain forms (the device code entry) carry against cross-site
    /// requests.
    pub(crate) form_token: String,
    waiting: Vec<Waiting>,
    last_used: Instant,
    /// How long an interaction waits ([`SessionLimits::interaction_lifetime`]).
    interaction_lifetime: Duration,
}

struct Waiting {
    token: String,
    interaction: Interaction,
    /// `None`: a lifetime too long for the clock to say, that is, never.
    expires: Option<Instant>,
}

impl Waiting {
    fn alive_at(&self, now: Instant) -> bool {
        self.expires.is_none_or(|expires| expires > now)
    }
}

/// What a decision continues: the answer Authlete gave when the page was shown.
#[derive(Clone)]
pub(crate) enum Interaction {
    Authorization(Arc<crate::models::AuthorizationResponse>),
    Device { user_code: String, answer: Arc<crate::models::DeviceVerificationResponse> },
}

/// A session found or made for a request, and the `Set-Cookie` value to send when it is new.
pub(crate) struct Found {
    pub(crate) id: String,
    pub(crate) session: Arc<Mutex<Session>>,
    pub(crate) set_cookie: Option<HeaderValue>,
}

impl Sessions {
    pub(crate) fn new(config: &Config) -> Self {
        let secure = config.public_url().starts_with("https:");
        let limits = config.session_limits();
        Sessions {
            cache: quick_cache::sync::Cache::new(limits.max_sessions),
            // `__Host-`: a browser accepts it only from a secure origin, with `Path=/` and no
            // `Domain`, so a sibling subdomain cannot plant one (RFC 6265bis §4.1.3.2).
            cookie_name: if secure { "__Host-authlete-session" } else { "authlete-session" },
            secure,
            limits,
        }
    }

    /// The session the request's cookie names, if it is alive.
    pub(crate) fn find(&self, headers: &HeaderMap) -> Option<Found> {
        let id = self.cookie(headers)?;
        let session = self.cache.get(&id)?;
        {
            let mut state = lock(&session);
            if state.last_used.elapsed() > self.limits.idle {
                drop(state);
                self.cache.remove(&id);
                return None;
            }
            state.last_used = Instant::now();
        }
        Some(Found { id, session, set_cookie: None })
    }

    /// The request's session, or a new one with the cookie that names it.
    pub(crate) fn find_or_start(&self, headers: &HeaderMap) -> Result<Found, RandomUnavailable> {
        if let Some(found) = self.find(headers) {
            return Ok(found);
        }
        let id = random_token()?;
        let session = Arc::new(Mutex::new(Session {
            user: None,
            form_token: random_token()?,
            waiting: Vec::new(),
            last_used: Instant::now(),
            interaction_lifetime: self.limits.interaction_lifetime,
        }));
        self.cache.insert(id.clone(), Arc::clone(&session));
        let set_cookie = Some(self.set_cookie(&id));
        Ok(Found { id, session, set_cookie })
    }

    /// Signs `user` in: the session moves to a new ID (so an ID planted in the browser before the
    /// sign-in is worth nothing after it), and the cookie that names it is returned.
    pub(crate) fn sign_in(&self, found: &Found, user: SignedIn) -> Result<HeaderValue, RandomUnavailable> {
        let id = random_token()?;
        {
            let mut state = lock(&found.session);
            state.user = Some(user);
            state.form_token = random_token()?;
        }
        self.cache.remove(&found.id);
        self.cache.insert(id.clone(), Arc::clone(&found.session));
        Ok(self.set_cookie(&id))
    }

    /// Ends the session the request names, and the cookie that clears it in the browser.
    pub(crate) fn end(&self, headers: &HeaderMap) -> HeaderValue {
        if let Some(id) = self.cookie(headers) {
            self.cache.remove(&id);
        }
        let cookie = self.cookie_builder(String::new()).max_age(cookie::time::Duration::ZERO).build();
        header_value(&cookie)
    }

    fn cookie(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(Cookie::split_parse)
            .filter_map(Result::ok)
            .find(|cookie| cookie.name() == self.cookie_name)
            .map(|cookie| cookie.value().to_owned())
            .filter(|id| id.len() == TOKEN_LENGTH)
    }

    fn cookie_builder(&self, id: String) -> cookie::CookieBuilder<'static> {
        Cookie::build((self.cookie_name, id)).path("/").http_only(true).same_site(SameSite::Lax).secure(self.secure)
    }

    fn set_cookie(&self, id: &str) -> HeaderValue {
        // Whole seconds, rounded up: a `Max-Age` of 0 would delete the cookie at once.
        let seconds = self.limits.idle.as_secs() + u64::from(self.limits.idle.subsec_nanos() > 0);
        let idle = cookie::time::Duration::seconds(i64::try_from(seconds.max(1)).unwrap_or(i64::MAX));
        header_value(&self.cookie_builder(id.to_owned()).max_age(idle).build())
    }
}

fn header_value(cookie: &Cookie<'_>) -> HeaderValue {
    // The cookie holds a name, a Base64url ID and fixed attributes: always a valid header value.
    HeaderValue::from_str(&cookie.to_string()).unwrap_or_else(|_| HeaderValue::from_static(""))
}

impl Session {
    /// Keeps `interaction` waiting for a decision, and returns the token the decision must carry.
    pub(crate) fn wait(&mut self, interaction: Interaction) -> Result<String, RandomUnavailable> {
        let now = Instant::now();
        self.waiting.retain(|waiting| waiting.alive_at(now));
        if self.waiting.len() >= MAX_WAITING {
            self.waiting.remove(0);
        }
        let token = random_token()?;
        self.waiting.push(Waiting {
            token: token.clone(),
            interaction,
            expires: now.checked_add(self.interaction_lifetime),
        });
        Ok(token)
    }

    /// Takes out the interaction `token` names, if it is waiting and alive: once only.
    pub(crate) fn take(&mut self, token: &str) -> Option<Interaction> {
        let index = self.waiting.iter().position(|waiting| constant_time_eq(&waiting.token, token))?;
        let waiting = self.waiting.remove(index);
        waiting.alive_at(Instant::now()).then_some(waiting.interaction)
    }

    /// Whether `token` is this session's form token.
    pub(crate) fn form_token_is(&self, token: &str) -> bool {
        constant_time_eq(&self.form_token, token)
    }
}

/// Locks a session; a panic elsewhere while it was held leaves it usable (it holds plain data).
pub(crate) fn lock(session: &Mutex<Session>) -> MutexGuard<'_, Session> {
    session.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The length of a token: 32 random bytes in unpadded Base64url.
const TOKEN_LENGTH: usize = 43;

/// The operating system gave no random bytes: no session or token can be made safely.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RandomUnavailable;

/// 256 random bits from the operating system, in unpadded Base64url.
pub(crate) fn random_token() -> Result<String, RandomUnavailable> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| RandomUnavailable)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `given` is the token `expected`, in time that tells nothing of how much of it matched.
fn constant_time_eq(expected: &str, given: &str) -> bool {
    super::introspection::same_secret(expected.as_bytes(), given.as_bytes())
}

/// Now, in seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs() as i64)
}
