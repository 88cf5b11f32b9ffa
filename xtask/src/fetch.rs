//! Downloading the pinned specs (`cargo xtask fetch-spec`, and `cargo xtask codegen` when the spec
//! it reads is missing): each from its pin's `url` (raw GitHub at the pinned commit), checked
//! against the pin's sha256, and written atomically where the link in `schema/` points.
//!
//! A copy is written only there, beside the checkout (`../shared/specs/`), never into the
//! repository. When that folder cannot be created, the download fails and says what to do by hand:
//! pointing the tracked links somewhere else instead would show up as a change to commit.

use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::pins::{self, Pin};

/// Replaces the scheme and host of every pin's `url` (`http://127.0.0.1:8080`, a mirror): the path
/// (`/<owner>/<repository>/<commit>/<file>`) is kept.
pub const BASE_URL_VAR: &str = "AUTHLETE_SPEC_BASE_URL";

/// The most a spec may weigh (the pinned ones are under 1 MiB).
const LIMIT: u64 = 64 << 20;

/// Downloads the missing pinned spec `spec` (a link beside its `pins.json`) to where it points,
/// then the folder's other pinned specs that are missing too (the tests read them all); a failure
/// for `spec` is an error, for the others a warning.
pub fn missing(spec: &Path, pin: &Pin) -> Result<(), String> {
    fetch(spec, pin)?;
    let folder = pins::folder_of(spec);
    for other in pins::read(folder)?.into_iter().filter(|other| other.name != pin.name) {
        let link = folder.join(&other.name);
        let absent =
            matches!(fs::metadata(pins::target_of(&link, &other)), Err(e) if e.kind() == io::ErrorKind::NotFound);
        if absent {
            if let Err(why) = fetch(&link, &other) {
                eprintln!("warning: {why}");
            }
        }
    }
    Ok(())
}

/// `cargo xtask fetch-spec`: makes the pinned specs of `folder` named in `names` (all when empty)
/// present with their pinned sha256, downloading those that are missing. One that is present with
/// another sha256 is left alone and reported.
pub fn fetch_spec(folder: &Path, names: &[String]) -> Result<(), String> {
    let pins = pins::read(folder)?;
    if pins.is_empty() {
        return Err(format!("{}: no pinned specs", folder.join("pins.json").display()));
    }
    if let Some(unknown) = names.iter().find(|name| !pins.iter().any(|pin| &pin.name == *name)) {
        let known: Vec<_> = pins.iter().map(|pin| pin.name.as_str()).collect();
        return Err(format!(
            "{}: no pin `{unknown}` (pinned: {})",
            folder.join("pins.json").display(),
            known.join(", ")
        ));
    }
    let selected: Vec<_> = pins.iter().filter(|pin| names.is_empty() || names.contains(&pin.name)).collect();
    let mut failed = 0;
    for pin in &selected {
        let link = folder.join(&pin.name);
        let target = pins::target_of(&link, pin);
        let outcome = match fs::read(&target) {
            Ok(bytes) => {
                let sha256 = sha256_hex(&bytes);
                if sha256 == pin.sha256 {
                    println!("{}: present ({}, sha256 as pinned)", link.display(), target.display());
                    Ok(())
                } else {
                    Err(format!(
                        "{}: {} has sha256 {sha256}, not the pinned {} ({}); left as it is (remove it to download \
                         the pinned one, or update the pin)",
                        link.display(),
                        target.display(),
                        pin.sha256,
                        pin.spec
                    ))
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => fetch(&link, pin),
            Err(e) => Err(format!("{}: {e}", target.display())),
        };
        if let Err(why) = outcome {
            eprintln!("error: {why}");
            failed += 1;
        }
    }
    match failed {
        0 => Ok(()),
        _ => Err(format!("{failed} of {} pinned specs are not in place", selected.len())),
    }
}

/// Downloads the pinned spec of the link `link` to where it points. The error says why and what
/// to download by hand.
fn fetch(link: &Path, pin: &Pin) -> Result<(), String> {
    let target = pins::target_of(link, pin);
    let url = url_of(pin);
    eprintln!("{}: the pinned spec is missing; downloading {} from {url}", link.display(), pin.spec);
    let bytes = download(&url).map_err(|why| pins::missing_message(link, pin, &why))?;
    let sha256 = sha256_hex(&bytes);
    if sha256 != pin.sha256 {
        let why = format!(
            "GET {url} gave a file whose sha256 is {sha256}, not the pinned {}; nothing was written",
            pin.sha256
        );
        return Err(pins::missing_message(link, pin, &why));
    }
    write_atomically(&target, &bytes).map_err(|why| pins::missing_message(link, pin, &why))?;
    eprintln!("{}: wrote {} ({} bytes, sha256 as pinned)", link.display(), target.display(), bytes.len());
    if matches!(fs::symlink_metadata(link), Err(e) if e.kind() == io::ErrorKind::NotFound) {
        eprintln!("warning: {} itself is gone; `git checkout -- {}` restores the link", link.display(), link.display());
    }
    Ok(())
}

/// The pin's URL, on the host of `AUTHLETE_SPEC_BASE_URL` when that is set.
fn url_of(pin: &Pin) -> String {
    url_on(pin, std::env::var(BASE_URL_VAR).ok().filter(|base| !base.is_empty()).as_deref())
}

/// The pin's URL, on the scheme and host of `base` if given.
fn url_on(pin: &Pin, base: Option<&str>) -> String {
    match base {
        Some(base) => {
            let path = pin.url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|at| &rest[at..]));
            format!("{}{}", base.trim_end_matches('/'), path.unwrap_or("/"))
        }
        None => pin.url.clone(),
    }
}

/// The host (and port) of `url`.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split('/').next().unwrap_or(rest)
}

/// Whether the host of `url` resolves to an address (asked only once a download has failed, to say
/// why).
fn resolves(url: &str) -> bool {
    use std::net::ToSocketAddrs as _;
    let Ok(uri) = url.parse::<ureq::http::Uri>() else { return false };
    let Some(host) = uri.host() else { return false };
    let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("https") { 443 } else { 80 });
    (host.trim_matches(['[', ']']), port).to_socket_addrs().is_ok_and(|mut addresses| addresses.next().is_some())
}

/// The body of a 200 answer to `GET url`, whole, or why there is none (a sentence).
///
/// The client is ureq (rustls with ring, Mozilla's roots), not reqwest's `blocking` client, though
/// the generated crate uses reqwest: a download is one blocking GET, and ureq builds 30 crates to
/// reqwest-blocking's 113. Each built alone from scratch (`--release -j2` on the project's 2-core
/// machine): ureq 91 s of CPU, reqwest with `blocking` and rustls 234 s (aws-lc-rs, hyper, tokio),
/// paid by the first `cargo xtask` of a fresh clone, before the crate's own reqwest is built. The
/// price is 4 packages new to `Cargo.lock` (ureq, ureq-proto, utf8-zero, webpki-roots).
fn download(url: &str) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_resolve(Some(Duration::from_secs(20)))
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_global(Some(Duration::from_secs(300)))
        .user_agent(concat!("authlete-rust-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let host = host_of(url);
    let response = agent.get(url).call().map_err(|e| match e {
        ureq::Error::HostNotFound => format!("cannot resolve {host}: no network (or no DNS)? (GET {url})"),
        ureq::Error::Io(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            format!("{host} refused the connection (GET {url})")
        }
        ureq::Error::Io(e)
            if matches!(e.kind(), io::ErrorKind::NetworkUnreachable | io::ErrorKind::HostUnreachable) =>
        {
            format!("cannot reach {host}: no network? ({e}; GET {url})")
        }
        // ureq passes the system resolver's failure on as an I/O error of no particular kind.
        ureq::Error::Io(e) if !resolves(url) => {
            format!("cannot resolve {host}: no network (or no DNS)? ({e}; GET {url})")
        }
        ureq::Error::ConnectionFailed => format!("cannot connect to {host}: no network? (GET {url})"),
        ureq::Error::Timeout(timeout) => format!("timed out ({timeout}) at {host}: no or a slow network? (GET {url})"),
        e => format!("GET {url}: {e}"),
    })?;
    let status = response.status();
    if status != 200 {
        return Err(format!("GET {url} answered {status}"));
    }
    let announced = response.body().content_length();
    let mut bytes = Vec::new();
    let read = response.into_body().into_with_config().limit(LIMIT).reader().read_to_end(&mut bytes);
    let arrived = bytes.len() as u64;
    let broke_off = |e: &dyn std::fmt::Display| {
        let of = match announced {
            Some(announced) => format!(" of the {announced} bytes announced (Content-Length)"),
            None => " bytes".to_owned(),
        };
        format!("the download broke off: {arrived}{of} arrived ({e}; GET {url})")
    };
    match read {
        Err(e) => Err(broke_off(&e)),
        Ok(_) if announced.is_some_and(|announced| announced != arrived) => Err(broke_off(&"the connection closed")),
        Ok(_) => Ok(bytes),
    }
}

/// Writes `bytes` to `target` through a temporary file beside it and a rename, so that `target`
/// is either absent or whole; the copy is read-only, like the shared ones.
fn write_atomically(target: &Path, bytes: &[u8]) -> Result<(), String> {
    let folder = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(|e| {
        format!(
            "cannot create the folder {} ({e}); create it yourself (writable), or clone the repository where a \
             `shared/specs` folder can be made beside it",
            folder.display()
        )
    })?;
    let mut name = std::ffi::OsString::from(".");
    name.push(target.file_name().unwrap_or_default());
    name.push(format!(".download-{}", std::process::id()));
    let temporary = folder.join(name);
    let written = (|| {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        let mut permissions = file.metadata()?.permissions();
        permissions.set_readonly(true);
        file.set_permissions(permissions)?;
        file.sync_all()?;
        fs::rename(&temporary, target)
    })();
    written.map_err(|e| {
        // Leave no partial file behind.
        let _ = fs::remove_file(&temporary);
        format!("cannot write {} ({e})", target.display())
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_replaces_scheme_and_host_only() {
        let pin = crate::pins::read(&crate::workspace_root().join("schema"))
            .expect("schema/pins.json reads")
            .into_iter()
            .find(|pin| pin.name == "authlete-openapi.yaml")
            .expect("the primary spec is pinned");
        let url = url_on(&pin, Some("http://127.0.0.1:9/"));
        assert_eq!(url, "http://127.0.0.1:9/authlete/openapi/1ee7c24f660d0012b3250607df06831ee2cecdf0/spec_next.yaml");
        assert_eq!(host_of(&url), "127.0.0.1:9");
        assert_eq!(url_on(&pin, None), pin.url);
        assert_eq!(host_of(&pin.url), "raw.githubusercontent.com");
    }
}
