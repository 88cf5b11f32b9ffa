//! A client configured from the environment: [`ClientBuilder::from_env`].
//!
//! This file is copied verbatim into every generated crate (after the provenance line); it is
//! hand-written so that it stays readable, and is compiled and tested as part of those crates.

use std::ffi::OsString;
use std::fmt;

use super::runtime::{bearer, check_base_url};
use super::{ClientBuilder, REGIONS};

/// The server's URL.
const BASE_URL: &str = "AUTHLETE_BASE_URL";
/// The server, by region.
const REGION: &str = "AUTHLETE_REGION";
/// The bearer token.
const TOKEN: &str = "AUTHLETE_SERVICE_TOKEN";
/// The service of [`Client::default_service`](super::Client::default_service).
const SERVICE_ID: &str = "AUTHLETE_SERVICE_ID";

impl ClientBuilder {
    /// A builder configured from the environment variables below, or every variable that is
    /// missing or malformed, named in one [`EnvError`].
    ///
    /// | variable | what it is |
    /// | --- | --- |
    /// | `AUTHLETE_BASE_URL` | The server's URL, such as `https://us.authlete.com` ([`ClientBuilder::base_url`]). |
    /// | `AUTHLETE_REGION` | Instead of `AUTHLETE_BASE_URL`: the server of a region of the API (`us`, `jp`, `eu` or `br` for Authlete's; any case). One of the two is required, not both. |
    /// | `AUTHLETE_SERVICE_TOKEN` | Required: the service access token or organization token ([`ClientBuilder::bearer_token`]). It is never shown, also not in errors. |
    /// | `AUTHLETE_SERVICE_ID` | Optional: the service of [`Client::default_service`](super::Client::default_service) ([`ClientBuilder::service_id`]); Authlete's service IDs are numbers. |
    ///
    /// Leading and trailing whitespace is ignored, and a variable that is empty counts as unset.
    /// The builder can be changed further before it is built (a [`ClientBuilder::retry`] policy,
    /// a [`ClientBuilder::token_source`] instead of the static token, …).
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// // AUTHLETE_REGION=us AUTHLETE_SERVICE_TOKEN=… AUTHLETE_SERVICE_ID=715948317
    /// let client = authlete::ClientBuilder::from_env()?.build()?;
    /// let service = client.default_service().ok_or("set AUTHLETE_SERVICE_ID")?;
    /// # let _ = service;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_env() -> Result<Self, EnvError> {
        from_variables(|name| std::env::var_os(name))
    }
}

/// The builder that the variables `var` gives describe, or every problem with them.
fn from_variables(var: impl Fn(&str) -> Option<OsString>) -> Result<ClientBuilder, EnvError> {
    let mut problems = Vec::new();
    let mut read = |variable: &'static str| -> Option<String> {
        let value = var(variable)?;
        match value.into_string() {
            Ok(text) => Some(text.trim().to_owned()).filter(|text| !text.is_empty()),
            Err(_) => {
                problems.push(EnvProblem::new(variable, format!("{variable} is not valid Unicode")));
                None
            }
        }
    };
    let (base_url, region, token, service_id) = (read(BASE_URL), read(REGION), read(TOKEN), read(SERVICE_ID));
    let mut builder = ClientBuilder::default();

    let names = REGIONS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ");
    match (base_url, region) {
        (Some(_), Some(_)) => problems.push(EnvProblem::new(
            BASE_URL,
            format!("{BASE_URL} and {REGION} are both set: set only one of them"),
        )),
        (None, None) => {
            let region = match REGIONS.is_empty() {
                true => String::new(),
                false => format!(", or {REGION} to one of {names}"),
            };
            let example = REGIONS.first().map_or(String::new(), |(_, url)| format!(" (such as {url})"));
            problems.push(EnvProblem::new(
                BASE_URL,
                format!("neither {BASE_URL} nor {REGION} is set: set {BASE_URL} to the server's URL{example}{region}"),
            ));
        }
        (Some(url), None) => match check_base_url(&url) {
            Ok(()) => builder = builder.base_url(url),
            Err(reason) => problems.push(EnvProblem::new(BASE_URL, format!("{BASE_URL} ({url:?}) is not usable: {reason}"))),
        },
        (None, Some(region)) => match REGIONS.iter().find(|(name, _)| name.eq_ignore_ascii_case(&region)) {
            Some((_, url)) => builder = builder.base_url(*url),
            None if REGIONS.is_empty() => problems.push(EnvProblem::new(
                REGION,
                format!("{REGION} is set, but this API names no regions: set {BASE_URL} instead"),
            )),
            None => problems.push(EnvProblem::new(REGION, format!("{REGION} ({region:?}) is not one of {names}"))),
        },
    }

    match token {
        None => problems.push(EnvProblem::new(
            TOKEN,
            format!("{TOKEN} is not set: set it to the service access token or organization token"),
        )),
        Some(token) if bearer(&token).is_none() => problems.push(EnvProblem::new(
            TOKEN,
            format!("{TOKEN} has characters an HTTP header cannot carry (its value is not shown)"),
        )),
        Some(token) => builder = builder.bearer_token(token),
    }

    match service_id {
        Some(id) if !id.bytes().all(|b| b.is_ascii_digit()) => problems.push(EnvProblem::new(
            SERVICE_ID,
            format!("{SERVICE_ID} ({id:?}) is not a service ID: Authlete's service IDs are numbers, such as 715948317"),
        )),
        Some(id) => builder = builder.service_id(id),
        None => {}
    }

    match problems.is_empty() {
        true => Ok(builder),
        false => Err(EnvError { problems }),
    }
}

/// The environment variables [`ClientBuilder::from_env`] reads are missing or malformed: every
/// problem, each naming its variable. A token's value is never shown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvError {
    /// Each problem, in the order of the table of [`ClientBuilder::from_env`].
    pub problems: Vec<EnvProblem>,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Authlete client cannot be configured from the environment: ")?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            f.write_str(&problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for EnvError {}

/// One missing or malformed environment variable: [`EnvError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvProblem {
    /// The variable, such as `AUTHLETE_SERVICE_TOKEN`.
    pub variable: &'static str,
    /// What is wrong with it, as a sentence that names it.
    pub message: String,
}

impl EnvProblem {
    fn new(variable: &'static str, message: String) -> Self {
        EnvProblem { variable, message }
    }
}

impl fmt::Display for EnvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
