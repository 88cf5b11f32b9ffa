//! A real browser for tests: Debian's headless Chromium, driven over WebDriver by Debian's
//! chromedriver, both on this machine and reached only on 127.0.0.1.
//!
//! A test file includes it with `#[path = "browser_support/mod.rs"] mod browser;` (or
//! `mod browser_support;`), then:
//!
//! ```ignore
//! let browser = Browser::start().await?;
//! browser.goto(&format!("{url}/login")).await?;
//! browser.fill("input[name=username]", "alice").await?;
//! browser.click("button[type=submit]").await?;
//! let landed = browser.wait_for_url(|url| url.contains("/cb?"), Duration::from_secs(5)).await?;
//! browser.close().await?;
//! ```
//!
//! - Every browser is its own: a chromedriver on a free port of 127.0.0.1, a Chromium with a fresh
//!   profile in a temporary folder, removed at the end (its settings and crash reports too:
//!   `XDG_CONFIG_HOME` and `XDG_CACHE_HOME` point there, not to `~/.config/chromium`). Tests that
//!   each start one run in parallel. On this 2-core machine, busy with other builds, a browser
//!   takes 1.5 to 3 s to start and about 1 s for its first page; pages after that, a tenth.
//! - Chromium is started with the switches that keep it off the network it would otherwise try
//!   (Google's update, sync, QUIC and component servers, refused by this closed network).
//! - Every wait is bounded: 20 s for chromedriver to answer and the session to open, 15 s for a
//!   page to load or a script to run, 5 s for an element to appear (`set_element_timeout`), the
//!   caller's timeout for a URL. An error says what was waited for and the URL the browser was at.
//! - `close()` ends the session, which ends Chromium, then chromedriver, and checks that no process
//!   of this browser is left. A browser dropped without `close()` (a failed test) kills them all:
//!   chromedriver runs in a process group of its own, Chromium's processes with it, and the whole
//!   group is killed. (Killing chromedriver alone leaves Chromium running, orphaned.)
//!
//! Redirects to a client's redirect URI: the browser follows a `302` to any URL on 127.0.0.1. Where
//! a server of the test answers there, the page is that server's. Where nothing listens (the test
//! only wants to read the code in the URL), Chromium shows its own error page
//! (`ERR_CONNECTION_REFUSED`), and `current_url()` still gives the URL it was sent to, query
//! included, so `wait_for_url` sees it; `page_source()` is then Chromium's error page. `goto()` to
//! such a URL is an error, but the browser is at the URL all the same.
//!
//! Binaries: `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`, which `.ci/run` installs), or the paths in `CHROMIUM` and `CHROMEDRIVER`.

#![allow(dead_code)] // Each test file uses a part of it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use thirtyfour::common::command::FormatRequestData;
use thirtyfour::common::config::WebDriverConfig;
use thirtyfour::{
    By, ChromiumLikeCapabilities, DesiredCapabilities, RequestData, SessionId, TimeoutConfiguration, WebDriver,
    WebElement,
};

/// Where Debian's chromedriver is; `CHROMEDRIVER` overrides it.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian's Chromium is; `CHROMIUM` overrides it.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long chromedriver may take to answer, and then the session to open.
pub const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a page may take to load, or a script to run (the session's own timeouts).
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(15);
/// How long `fill`, `click`, `text` and `submit_form` wait for their element to appear, unless
/// [`Browser::set_element_timeout`] says otherwise.
pub const ELEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `close()` waits for the session to end and the processes to go.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(10);

/// The interval of every polling wait.
const POLL: Duration = Duration::from_millis(50);

/// Chromium's switches. Headless; no sandbox (CI runs as root, where Chromium refuses its
/// sandbox); no GPU; `/tmp` rather than `/dev/shm`; and none of the network Chromium starts by
/// itself (QUIC, component updates, sync, default apps, background requests), which this closed
/// network refuses. The window size makes screenshots readable; the profile folder is added
/// per browser.
pub const CHROMIUM_ARGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--window-size=1280,900",
];

/// What went wrong, in words: what was done or waited for, and where the browser was.
pub struct BrowserError(String);

impl BrowserError {
    fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

// `unwrap()` and `?` from a test print the message as it is.
impl fmt::Debug for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BrowserError {}

pub type Result<T, E = BrowserError> = std::result::Result<T, E>;

/// A cookie as the browser holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub value: String,
    pub http_only: bool,
    /// `"Strict"`, `"Lax"` or `"None"`, as the browser reports it (Chromium says `"Lax"` for a
    /// cookie set without the attribute); `None` if it reports nothing.
    pub same_site: Option<String>,
    pub secure: bool,
    pub path: Option<String>,
    pub domain: Option<String>,
}

/// A headless Chromium and the chromedriver that drives it; see the module's documentation.
pub struct Browser {
    /// `None` once the session has ended (`close`) or been given up (`Drop`).
    driver: Option<WebDriver>,
    /// chromedriver, the leader of its own process group: Chromium's processes are in it too.
    chromedriver: tokio::process::Child,
    /// The process group: chromedriver's pid, kept while the child is not reaped.
    group: Option<i32>,
    /// The profile, Chromium's settings and crash folders and chromedriver's output.
    dir: PathBuf,
    element_timeout: Duration,
}

impl Browser {
    /// Starts chromedriver on a free port of 127.0.0.1 and opens a session with a headless
    /// Chromium of a fresh profile.
    pub async fn start() -> Result<Self> {
        let chromedriver = binary("CHROMEDRIVER", CHROMEDRIVER, "chromedriver", "chromium-driver")?;
        let chromium = binary("CHROMIUM", CHROMIUM, "chromium", "chromium")?;
        let dir = fresh_dir()?;
        let log_path = dir.join("chromedriver.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| BrowserError::new(format!("creating {}: {e}", log_path.display())))?;
        let log_err = log.try_clone().map_err(|e| BrowserError::new(format!("{}: {e}", log_path.display())))?;
        let port = free_port()?;
        let mut command = tokio::process::Command::new(&chromedriver);
        command
            .arg(format!("--port={port}"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0)
            .kill_on_drop(true);
        let child =
            command.spawn().map_err(|e| BrowserError::new(format!("starting {}: {e}", chromedriver.display())))?;
        let group = child.id().map(|pid| pid as i32);
        let mut browser = Browser { driver: None, chromedriver: child, group, dir, element_timeout: ELEMENT_TIMEOUT };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + START_TIMEOUT;
        browser.wait_for_chromedriver(&url, deadline, &chromedriver, &log_path).await?;

        let mut caps = DesiredCapabilities::chrome();
        let profile = browser.dir.join("profile");
        let caps_error = |e: thirtyfour::error::WebDriverError| BrowserError::new(format!("Chromium's options: {e}"));
        caps.set_binary(&chromium.to_string_lossy()).map_err(caps_error)?;
        for arg in CHROMIUM_ARGS {
            caps.add_arg(arg).map_err(caps_error)?;
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.display())).map_err(caps_error)?;
        // Past the session's own timeouts, so that chromedriver's error (which names them) comes first.
        let config = WebDriverConfig::builder()
            .reqwest_timeout(PAGE_TIMEOUT + Duration::from_secs(10))
            .build()
            .map_err(|e| BrowserError::new(format!("WebDriver client: {e}")))?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let driver = match tokio::time::timeout(remaining, WebDriver::new_with_config(url.as_str(), caps, config)).await
        {
            Ok(Ok(driver)) => driver,
            Ok(Err(e)) => {
                return Err(BrowserError::new(format!(
                    "opening a session with {} through {}: {}{}",
                    chromium.display(),
                    chromedriver.display(),
                    brief(&e.to_string()),
                    log_tail(&log_path)
                )))
            }
            Err(_) => {
                return Err(BrowserError::new(format!(
                    "opening a session with {} through {}: no answer in {} s{}",
                    chromium.display(),
                    chromedriver.display(),
                    START_TIMEOUT.as_secs(),
                    log_tail(&log_path)
                )))
            }
        };
        let timeouts = TimeoutConfiguration::new(Some(PAGE_TIMEOUT), Some(PAGE_TIMEOUT), Some(Duration::ZERO));
        let set = driver.update_timeouts(timeouts).await;
        browser.driver = Some(driver);
        set.map_err(|e| BrowserError::new(format!("setting the session's timeouts: {}", brief(&e.to_string()))))?;
        Ok(browser)
    }

    async fn wait_for_chromedriver(
        &mut self,
        url: &str,
        deadline: Instant,
        binary: &Path,
        log_path: &Path,
    ) -> Result<()> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .map_err(|e| BrowserError::new(format!("an HTTP client: {e}")))?;
        loop {
            if let Ok(Some(status)) = self.chromedriver.try_wait() {
                self.group = None;
                return Err(BrowserError::new(format!(
                    "{} exited ({status}) before answering on {url}{}",
                    binary.display(),
                    log_tail(log_path)
                )));
            }
            let ready = match client.get(format!("{url}/status")).send().await {
                Ok(response) => response
                    .text()
                    .await
                    .ok()
                    .and_then(|body| serde_json::from_str::<Value>(&body).ok())
                    .and_then(|status| status["value"]["ready"].as_bool()),
                Err(_) => None,
            };
            if ready == Some(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(BrowserError::new(format!(
                    "{} did not answer ready on {url}/status in {} s{}",
                    binary.display(),
                    START_TIMEOUT.as_secs(),
                    log_tail(log_path)
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// How long the element helpers wait for their element (a test that expects none sets less).
    pub fn set_element_timeout(&mut self, timeout: Duration) {
        self.element_timeout = timeout;
    }

    /// The WebDriver session, for what the helpers do not cover.
    pub fn driver(&self) -> &WebDriver {
        self.driver.as_ref().expect("the session is open until close() or drop")
    }

    /// Loads `url` and waits for the page to load (at most [`PAGE_TIMEOUT`]).
    pub async fn goto(&self, url: &str) -> Result<()> {
        match self.driver().goto(url).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.error(&format!("loading {url}"), e).await),
        }
    }

    /// The URL the browser is at, also where it shows its error page for a URL it could not load.
    pub async fn current_url(&self) -> Result<String> {
        match tokio::time::timeout(PAGE_TIMEOUT, self.driver().current_url()).await {
            Ok(Ok(url)) => Ok(url.to_string()),
            Ok(Err(e)) => Err(BrowserError::new(format!("reading the current URL: {}", brief(&e.to_string())))),
            Err(_) => {
                Err(BrowserError::new(format!("reading the current URL: no answer in {} s", PAGE_TIMEOUT.as_secs())))
            }
        }
    }

    /// Types `text` into the element `css` selects, after clearing it.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let element = self.element(css, "to fill it").await?;
        if let Err(e) = element.clear().await {
            return Err(self.error(&format!("clearing `{css}`"), e).await);
        }
        match element.send_keys(text).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.error(&format!("typing into `{css}`"), e).await),
        }
    }

    /// Clicks the element `css` selects. A click that navigates does not wait for the new page:
    /// follow it with [`Browser::wait_for_url`].
    pub async fn click(&self, css: &str) -> Result<()> {
        let element = self.element(css, "to click it").await?;
        match element.click().await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.error(&format!("clicking `{css}`"), e).await),
        }
    }

    /// Submits the form `css` selects as its submit button would (`requestSubmit()`: the form's
    /// validation and `submit` handlers run). Follow it with [`Browser::wait_for_url`].
    pub async fn submit_form(&self, css: &str) -> Result<()> {
        let form = self.element(css, "to submit it").await?;
        let argument = match form.to_json() {
            Ok(argument) => argument,
            Err(e) => return Err(self.error(&format!("the form `{css}`"), e).await),
        };
        let script = "const form = arguments[0];
            if (!(form instanceof HTMLFormElement)) { return 'not a form: ' + form.tagName; }
            form.requestSubmit();
            return null;";
        match self.driver().execute(script, vec![argument]).await {
            Ok(ret) => match ret.json().as_str() {
                None => Ok(()),
                Some(problem) => Err(self.error(&format!("submitting `{css}`"), problem).await),
            },
            Err(e) => Err(self.error(&format!("submitting `{css}`"), e).await),
        }
    }

    /// The rendered text of the element `css` selects.
    pub async fn text(&self, css: &str) -> Result<String> {
        let element = self.element(css, "to read its text").await?;
        match element.text().await {
            Ok(text) => Ok(text),
            Err(e) => Err(self.error(&format!("reading the text of `{css}`"), e).await),
        }
    }

    /// The page's HTML as the browser has it now (its DOM, scripts' changes included).
    pub async fn page_source(&self) -> Result<String> {
        match self.driver().source().await {
            Ok(source) => Ok(source),
            Err(e) => Err(self.error("reading the page source", e).await),
        }
    }

    /// Runs `script` in the page (`arguments[i]` are `args`) and gives what it returns.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        match self.driver().execute(script, args).await {
            Ok(ret) => Ok(ret.json().clone()),
            Err(e) => Err(self.error("running a script", e).await),
        }
    }

    /// Polls the URL until `predicate` holds, at most `timeout`; gives that URL. The error lists
    /// the URLs seen while waiting.
    pub async fn wait_for_url(&self, predicate: impl Fn(&str) -> bool, timeout: Duration) -> Result<String> {
        let started = Instant::now();
        let mut seen: Vec<String> = Vec::new();
        let mut last_error = None;
        loop {
            let remaining = timeout.saturating_sub(started.elapsed());
            match tokio::time::timeout(remaining.max(POLL), self.driver().current_url()).await {
                Ok(Ok(url)) => {
                    let url = url.to_string();
                    if predicate(&url) {
                        return Ok(url);
                    }
                    if seen.last() != Some(&url) {
                        seen.push(url);
                    }
                }
                Ok(Err(e)) => last_error = Some(brief(&e.to_string())),
                Err(_) => last_error = Some("no answer from the browser".into()),
            }
            if started.elapsed() >= timeout {
                let current = seen.last().cloned().unwrap_or_else(|| "(not read)".into());
                let error = last_error.map(|e| format!("; last error: {e}")).unwrap_or_default();
                return Err(BrowserError::new(format!(
                    "waited {:.1} s for a URL that satisfies the test's predicate; URLs seen: [{}]; current \
                     URL: {current}{error}",
                    timeout.as_secs_f64(),
                    seen.join(", "),
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Every cookie the browser holds for the current page, with the attributes it keeps.
    pub async fn cookies(&self) -> Result<Vec<Cookie>> {
        // thirtyfour's own `Cookie` drops `httpOnly`: ask WebDriver directly.
        let value = match self.driver().cmd(AllCookies).await.and_then(|r| r.value_json()) {
            Ok(value) => value,
            Err(e) => return Err(self.error("reading the cookies", e).await),
        };
        let Some(list) = value.as_array() else {
            return Err(self.error("reading the cookies", format!("not a list: {value}")).await);
        };
        Ok(list
            .iter()
            .map(|c| Cookie {
                name: c["name"].as_str().unwrap_or_default().to_owned(),
                value: c["value"].as_str().unwrap_or_default().to_owned(),
                http_only: c["httpOnly"].as_bool().unwrap_or(false),
                same_site: c["sameSite"].as_str().map(str::to_owned),
                secure: c["secure"].as_bool().unwrap_or(false),
                path: c["path"].as_str().map(str::to_owned),
                domain: c["domain"].as_str().map(str::to_owned),
            })
            .collect())
    }

    /// The cookie named `name`, if the browser holds one for the current page.
    pub async fn cookie(&self, name: &str) -> Result<Option<Cookie>> {
        Ok(self.cookies().await?.into_iter().find(|c| c.name == name))
    }

    /// Saves the viewport as `target/browser-screenshots/<name>.png`; gives the file's path.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = match self.driver().screenshot_as_png().await {
            Ok(png) => png,
            Err(e) => return Err(self.error(&format!("taking the screenshot {name}"), e).await),
        };
        let folder = screenshot_dir();
        let path = folder.join(format!("{name}.png"));
        std::fs::create_dir_all(&folder)
            .and_then(|()| std::fs::write(&path, &png))
            .map_err(|e| BrowserError::new(format!("writing {}: {e}", path.display())))?;
        Ok(path)
    }

    /// Ends the session (Chromium quits), then chromedriver, and checks within
    /// [`CLOSE_TIMEOUT`] that none of this browser's processes is left.
    pub async fn close(mut self) -> Result<()> {
        let mut problems = Vec::new();
        if let Some(driver) = self.driver.take() {
            match tokio::time::timeout(CLOSE_TIMEOUT, driver.quit()).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => problems.push(format!("ending the session: {}", brief(&e.to_string()))),
                Err(_) => problems.push(format!("ending the session: no answer in {} s", CLOSE_TIMEOUT.as_secs())),
            }
        }
        // What the session's end left, chromedriver first: the whole group.
        self.kill_group();
        match tokio::time::timeout(CLOSE_TIMEOUT, self.chromedriver.wait()).await {
            Ok(_) => self.group = None,
            Err(_) => problems.push(format!("chromedriver still running {} s after SIGKILL", CLOSE_TIMEOUT.as_secs())),
        }
        // Chromium's processes name its profile, its crash handlers their folder: all in `dir`.
        let deadline = Instant::now() + CLOSE_TIMEOUT;
        let mut left = processes_mentioning(&self.dir);
        while !left.is_empty() && Instant::now() < deadline {
            tokio::time::sleep(POLL).await;
            left = processes_mentioning(&self.dir);
        }
        if !left.is_empty() {
            problems.push(format!("Chromium processes left after {} s: {left:?}", CLOSE_TIMEOUT.as_secs()));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(BrowserError::new(format!("closing the browser: {}", problems.join("; "))))
        }
    }

    async fn element(&self, css: &str, purpose: &str) -> Result<WebElement> {
        let started = Instant::now();
        loop {
            let last = match self.driver().find(By::Css(css)).await {
                Ok(element) => return Ok(element),
                Err(e) => e,
            };
            if started.elapsed() >= self.element_timeout {
                return Err(self
                    .error(
                        &format!(
                            "waiting {:.1} s for an element `{css}` {purpose}",
                            self.element_timeout.as_secs_f64()
                        ),
                        last,
                    )
                    .await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// An error for `doing`, with the URL the browser is at.
    async fn error(&self, doing: &str, cause: impl fmt::Display) -> BrowserError {
        let url = match tokio::time::timeout(Duration::from_secs(2), self.driver().current_url()).await {
            Ok(Ok(url)) => url.to_string(),
            Ok(Err(e)) => format!("(unknown: {})", brief(&e.to_string())),
            Err(_) => "(unknown: no answer in 2 s)".into(),
        };
        BrowserError::new(format!("{doing}: {} (current URL: {url})", brief(&cause.to_string())))
    }

    fn kill_group(&mut self) {
        if let Some(group) = self.group {
            // SAFETY: a plain system call on a process group of our own: chromedriver's pid, not yet
            // reaped, so it names no one else's group.
            unsafe { libc::killpg(group, libc::SIGKILL) };
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.take() {
            // No session end over HTTP from a destructor: the kill below ends everything.
            let _ = driver.leak();
        }
        self.kill_group();
        let _ = self.chromedriver.start_kill();
        // The dying processes may still write for a moment.
        for _ in 0..10 {
            if std::fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
}

/// WebDriver's "Get All Cookies", whose answer thirtyfour's `Cookie` would shorten.
#[derive(Debug)]
struct AllCookies;

impl FormatRequestData for AllCookies {
    fn format_request(&self, session_id: &SessionId) -> RequestData {
        RequestData::new(reqwest::Method::GET, format!("/session/{session_id}/cookie"))
    }
}

/// thirtyfour's message on one line, without chromedriver's stack trace and the framing around
/// it: "Unknown error: unknown error: net::ERR_CONNECTION_REFUSED".
fn brief(message: &str) -> String {
    let framing = ["Status:", "State:", "Additional info:", "(Session info:", "Error:"];
    message
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Stacktrace:"))
        .filter(|line| !line.is_empty() && !framing.iter().any(|f| line.starts_with(f)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The binary named by `variable`, else `default`; an error naming it and its Debian package if
/// it is not there.
fn binary(variable: &str, default: &str, name: &str, package: &str) -> Result<PathBuf> {
    let path = std::env::var_os(variable).filter(|v| !v.is_empty()).map(PathBuf::from);
    let path = path.unwrap_or_else(|| PathBuf::from(default));
    if path.is_file() {
        Ok(path)
    } else {
        Err(BrowserError::new(format!(
            "{name} not found at {}: install Debian's {package} (.ci/run does), or set {variable} to its path",
            path.display()
        )))
    }
}

/// A port of 127.0.0.1 that was free a moment ago.
fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| BrowserError::new(format!("finding a free port on 127.0.0.1: {e}")))?;
    let port = listener.local_addr().map_err(|e| BrowserError::new(format!("finding a free port: {e}")))?.port();
    Ok(port)
}

/// A new empty folder for one browser: in `/dev/shm` where there is one (memory: this machine's
/// disk takes a third of a second to delete a profile from), else the system's temporary folder.
fn fresh_dir() -> Result<PathBuf> {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    let base = if Path::new("/dev/shm").is_dir() { PathBuf::from("/dev/shm") } else { std::env::temp_dir() };
    let dir = base.join(format!("authlete-browser-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| BrowserError::new(format!("creating {}: {e}", dir.display())))?;
    Ok(dir)
}

/// The end of chromedriver's output (Chromium's too), for an error.
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = &lines[lines.len().saturating_sub(15)..];
    format!("\n--- the end of {} ---\n{}", path.display(), tail.join("\n"))
}

/// The pids of the processes whose command line mentions `path` (a live Chromium of this profile).
fn processes_mentioning(path: &Path) -> Vec<u32> {
    let needle = path.to_string_lossy().into_owned();
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline).contains(&needle).then_some(pid)
        })
        .collect()
}

/// `target/browser-screenshots` of the workspace: under `CARGO_TARGET_DIR` if set (relative to
/// the workspace's root if relative), else the workspace's `target`.
pub fn screenshot_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = match std::env::var_os("CARGO_TARGET_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => workspace.join(dir), // `join` keeps an absolute path as it is
        None => workspace.join("target"),
    };
    target.join("browser-screenshots")
}
