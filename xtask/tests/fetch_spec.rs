//! `cargo xtask fetch-spec`, and `cargo xtask codegen` on a missing pinned spec, against an HTTP
//! server on 127.0.0.1 that each test starts itself (`AUTHLETE_SPEC_BASE_URL` points the pins'
//! URLs at it). Each test works in a scratch checkout of its own — a `schema/` folder with a
//! `pins.json` and links into `shared/specs/` beside it — never in the real `../shared/specs`.

use std::fs;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// A spec the generator accepts, small enough to serve from a test.
const TINY: &str = "openapi: 3.0.3\ninfo: {title: Tiny, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    \
                    Thing:\n      type: object\n      properties:\n        name: {type: string}\n";
/// Another pinned spec of the same folder (never generated from, only fetched).
const OTHER: &str = "openapi: 3.0.3\ninfo: {title: Other, version: '2'}\npaths: {}\n";

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn path_of(name: &str) -> String {
    format!("/example/specs/{COMMIT}/openapi/{name}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// What the server answers for a path.
#[derive(Clone)]
enum Answer {
    File(Vec<u8>),
    NotFound,
    /// These bytes, after a `Content-Length` this many bytes larger; then the connection closes.
    Truncated(Vec<u8>, usize),
}

struct Server {
    base: String,
    /// The paths requested, in order.
    requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `routes` (anything else is a 404) on 127.0.0.1, one connection at a time, for as long
/// as the test runs.
fn serve(routes: Vec<(String, Answer)>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&requests);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let _ = answer(stream, &routes, &seen);
        }
    });
    Server { base, requests }
}

fn answer(mut stream: TcpStream, routes: &[(String, Answer)], seen: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or_default().to_owned();
    seen.lock().unwrap().push(path.clone());
    let found = routes.iter().find(|(route, _)| *route == path).map(|(_, answer)| answer.clone());
    let (status, body, announced) = match found.unwrap_or(Answer::NotFound) {
        Answer::File(bytes) => ("200 OK", bytes.clone(), bytes.len()),
        Answer::NotFound => ("404 Not Found", b"404: Not Found".to_vec(), 14),
        Answer::Truncated(bytes, missing) => ("200 OK", bytes.clone(), bytes.len() + missing),
    };
    write!(stream, "HTTP/1.1 {status}\r\nContent-Length: {announced}\r\nConnection: close\r\n\r\n")?;
    stream.write_all(&body)?;
    stream.flush()?;
    stream.shutdown(std::net::Shutdown::Both)
}

/// A scratch checkout: `<dir>/checkout/schema/` with a `pins.json` pinning `tiny.yaml` and
/// `other.yaml` (links into `<dir>/shared/specs/`, which does not exist yet).
struct Checkout {
    dir: PathBuf,
}

impl Checkout {
    fn new(test: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fetch-spec").join(test);
        if dir.exists() {
            fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        }
        let schema = dir.join("checkout/schema");
        fs::create_dir_all(&schema).unwrap();
        let pin = |name: &str, text: &str| {
            serde_json::json!({
                "spec": format!("the {name} spec"),
                "upstream": "https://github.com/example/specs",
                "file": format!("openapi/{name}"),
                "commit": &COMMIT[..7],
                "date": "2026-01-01",
                "sha256": sha256_hex(text.as_bytes()),
                "url": format!("https://raw.githubusercontent.com{}", path_of(name)),
                "license": "MIT",
            })
        };
        let pins = serde_json::json!({ "tiny.yaml": pin("tiny.yaml", TINY), "other.yaml": pin("other.yaml", OTHER) });
        fs::write(schema.join("pins.json"), serde_json::to_string_pretty(&pins).unwrap()).unwrap();
        for name in ["tiny.yaml", "other.yaml"] {
            std::os::unix::fs::symlink(format!("../../shared/specs/{name}"), schema.join(name)).unwrap();
        }
        Checkout { dir }
    }

    fn schema(&self) -> PathBuf {
        self.dir.join("checkout/schema")
    }

    fn specs(&self) -> PathBuf {
        self.dir.join("shared/specs")
    }

    /// Every file in `shared/specs/` (temporary ones included), sorted; none if it does not exist.
    fn spec_files(&self) -> Vec<String> {
        let Ok(entries) = fs::read_dir(self.specs()) else { return Vec::new() };
        let mut names: Vec<_> =
            entries.map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// Runs the xtask binary with `args`, its downloads aimed at `base`.
    fn xtask(&self, base: &str, args: &[&str]) -> Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .env("AUTHLETE_SPEC_BASE_URL", base)
            // A loopback server is reached directly, whatever proxy the machine sets.
            .env("NO_PROXY", "127.0.0.1")
            .env("no_proxy", "127.0.0.1")
            .output()
            .expect("run xtask")
    }

    fn fetch_spec(&self, base: &str, names: &[&str]) -> Output {
        let schema = self.schema();
        let mut args = vec!["fetch-spec", "--schema", schema.to_str().unwrap()];
        args.extend(names);
        self.xtask(base, &args)
    }

    /// `text` with this checkout's directory as `<dir>`.
    fn relative(&self, text: &[u8]) -> String {
        String::from_utf8_lossy(text).replace(&self.dir.display().to_string(), "<dir>")
    }
}

#[track_caller]
fn assert_failed(output: &Output) -> String {
    assert!(!output.status.success(), "expected a failure:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What to download by hand, as every failure to download `tiny.yaml` ends.
fn by_hand() -> String {
    format!(
        "  It is `openapi/tiny.yaml` of https://github.com/example/specs at commit 0123456 (2026-01-01), the tiny.yaml \
         spec.\n  \
         Download it by hand from https://raw.githubusercontent.com{},\n  \
         check that its sha256 is {},\n  \
         and put it at <dir>/shared/specs/tiny.yaml (where <dir>/checkout/schema/tiny.yaml points); see \
         schema/README.md.\n",
        path_of("tiny.yaml"),
        sha256_hex(TINY.as_bytes()),
    )
}

#[test]
fn codegen_downloads_missing_pinned_specs_then_generates() {
    let checkout = Checkout::new("codegen");
    let server = serve(vec![
        (path_of("tiny.yaml"), Answer::File(TINY.into())),
        (path_of("other.yaml"), Answer::File(OTHER.into())),
    ]);
    let spec = checkout.schema().join("tiny.yaml");
    let out = checkout.dir.join("out");
    let args = ["codegen", "--spec", spec.to_str().unwrap(), "--out", out.to_str().unwrap()];

    let output = checkout.xtask(&server.base, &args);
    let stderr = checkout.relative(&output.stderr).replace(&server.base, "<server>");
    assert!(output.status.success(), "codegen fails:\n{stderr}");
    let downloads = format!(
        "<dir>/checkout/schema/tiny.yaml: the pinned spec is missing; downloading the tiny.yaml spec from <server>{}\n\
         <dir>/checkout/schema/tiny.yaml: wrote <dir>/shared/specs/tiny.yaml ({} bytes, sha256 as pinned)\n\
         <dir>/checkout/schema/other.yaml: the pinned spec is missing; downloading the other.yaml spec from <server>{}\n\
         <dir>/checkout/schema/other.yaml: wrote <dir>/shared/specs/other.yaml ({} bytes, sha256 as pinned)\n",
        path_of("tiny.yaml"),
        TINY.len(),
        path_of("other.yaml"),
        OTHER.len()
    );
    assert!(stderr.starts_with(&downloads), "stderr:\n{stderr}");
    // The files, whole and read-only, where the links point; nothing else (no temporary file).
    assert_eq!(checkout.spec_files(), ["other.yaml", "tiny.yaml"]);
    assert_eq!(fs::read_to_string(&spec).unwrap(), TINY);
    assert_eq!(fs::read_to_string(checkout.schema().join("other.yaml")).unwrap(), OTHER);
    assert!(fs::metadata(checkout.specs().join("tiny.yaml")).unwrap().permissions().readonly());
    // Then generated from it.
    assert!(out.join("src/lib.rs").is_file(), "nothing generated in {}", out.display());
    assert!(
        String::from_utf8_lossy(&output.stdout).starts_with("Tiny 1: "),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(*server.requests.lock().unwrap(), [path_of("tiny.yaml"), path_of("other.yaml")]);

    // Once present, nothing is downloaded again.
    let again = checkout.xtask(&server.base, &args);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(!String::from_utf8_lossy(&again.stderr).contains("downloading"));
    let fetched = checkout.fetch_spec(&server.base, &[]);
    assert!(fetched.status.success());
    assert_eq!(
        checkout.relative(&fetched.stdout),
        "<dir>/checkout/schema/tiny.yaml: present (<dir>/shared/specs/tiny.yaml, sha256 as pinned)\n\
         <dir>/checkout/schema/other.yaml: present (<dir>/shared/specs/other.yaml, sha256 as pinned)\n"
    );
    assert_eq!(server.requests.lock().unwrap().len(), 2);
}

#[test]
fn a_file_with_another_sha256_is_refused_and_nothing_is_written() {
    let checkout = Checkout::new("wrong-file");
    let wrong = TINY.replace("Tiny", "Tampered");
    let server = serve(vec![(path_of("tiny.yaml"), Answer::File(wrong.clone().into()))]);
    let stderr = checkout.relative(assert_failed(&checkout.fetch_spec(&server.base, &["tiny.yaml"])).as_bytes());
    let expected = format!(
        "<dir>/checkout/schema/tiny.yaml: the pinned spec is missing; downloading the tiny.yaml spec from {base}{path}\n\
         error: <dir>/checkout/schema/tiny.yaml: the pinned spec is missing, and downloading it failed: GET {base}{path} \
         gave a file whose sha256 is {got}, not the pinned {want}; nothing was written\n{by_hand}\
         error: 1 of 1 pinned specs are not in place\n",
        base = server.base,
        path = path_of("tiny.yaml"),
        got = sha256_hex(wrong.as_bytes()),
        want = sha256_hex(TINY.as_bytes()),
        by_hand = by_hand(),
    );
    assert_eq!(stderr, expected);
    assert_eq!(checkout.spec_files(), Vec::<String>::new(), "nothing is written");
}

#[test]
fn a_404_says_what_to_download_by_hand() {
    let checkout = Checkout::new("not-found");
    let server = serve(Vec::new());
    let stderr = checkout.relative(assert_failed(&checkout.fetch_spec(&server.base, &["tiny.yaml"])).as_bytes());
    let reason = format!("GET {}{} answered 404 Not Found", server.base, path_of("tiny.yaml"));
    assert!(stderr.contains(&format!("downloading it failed: {reason}\n{}", by_hand())), "stderr:\n{stderr}");
    assert_eq!(checkout.spec_files(), Vec::<String>::new());
}

#[test]
fn a_refused_connection_says_so() {
    let checkout = Checkout::new("refused");
    // A port that was just free: nothing listens on it.
    let base = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let stderr = checkout.relative(assert_failed(&checkout.fetch_spec(&base, &["tiny.yaml"])).as_bytes());
    let host = base.trim_start_matches("http://");
    let reason = format!("{host} refused the connection (GET {base}{})", path_of("tiny.yaml"));
    assert!(stderr.contains(&format!("downloading it failed: {reason}\n{}", by_hand())), "stderr:\n{stderr}");
    assert_eq!(checkout.spec_files(), Vec::<String>::new());
}

#[test]
fn a_truncated_body_is_refused_and_nothing_is_written() {
    let checkout = Checkout::new("truncated");
    let half = TINY.as_bytes()[..TINY.len() / 2].to_vec();
    let server = serve(vec![(path_of("tiny.yaml"), Answer::Truncated(half.clone(), 100))]);
    let stderr = checkout.relative(assert_failed(&checkout.fetch_spec(&server.base, &["tiny.yaml"])).as_bytes());
    let reason = format!(
        "the download broke off: {} of the {} bytes announced (Content-Length) arrived",
        half.len(),
        half.len() + 100
    );
    assert!(stderr.contains(&format!("downloading it failed: {reason} (")), "stderr:\n{stderr}");
    assert!(
        stderr.contains(&format!("; GET {}{})\n{}", server.base, path_of("tiny.yaml"), by_hand())),
        "stderr:\n{stderr}"
    );
    assert_eq!(checkout.spec_files(), Vec::<String>::new());
}

#[test]
fn an_unresolvable_host_says_there_may_be_no_network() {
    let checkout = Checkout::new("no-network");
    // `.invalid` never resolves (RFC 6761), with or without a network.
    let base = "http://authlete-specs.invalid";
    let stderr = checkout.relative(assert_failed(&checkout.fetch_spec(base, &["tiny.yaml"])).as_bytes());
    assert!(
        stderr.contains("downloading it failed: cannot resolve authlete-specs.invalid: no network (or no DNS)? ("),
        "stderr:\n{stderr}"
    );
    assert!(stderr.contains(&format!("; GET {base}{})\n{}", path_of("tiny.yaml"), by_hand())), "stderr:\n{stderr}");
}

#[test]
fn a_folder_that_cannot_be_made_says_so() {
    let checkout = Checkout::new("no-folder");
    // `shared` is a link to nothing: `shared/specs/tiny.yaml` is missing, and `shared/specs` cannot
    // be created (as a read-only parent folder would do, for users other than root).
    std::os::unix::fs::symlink("nowhere", checkout.dir.join("shared")).unwrap();
    let server = serve(vec![(path_of("tiny.yaml"), Answer::File(TINY.into()))]);
    let stderr = checkout.relative(assert_failed(&checkout.fetch_spec(&server.base, &["tiny.yaml"])).as_bytes());
    assert!(
        stderr.contains("downloading it failed: cannot create the folder <dir>/shared/specs ("),
        "stderr:\n{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "); create it yourself (writable), or clone the repository where a `shared/specs` folder can be made beside \
             it\n{}",
            by_hand()
        )),
        "stderr:\n{stderr}"
    );
    assert!(!checkout.dir.join("nowhere").exists());
}

#[test]
fn a_present_spec_with_another_sha256_is_left_alone() {
    let checkout = Checkout::new("moved");
    fs::create_dir_all(checkout.specs()).unwrap();
    fs::write(checkout.specs().join("tiny.yaml"), "edited").unwrap();
    fs::write(checkout.specs().join("other.yaml"), OTHER).unwrap();
    // No server: nothing may be requested.
    let output = checkout.fetch_spec("http://127.0.0.1:9", &[]);
    let stderr = checkout.relative(assert_failed(&output).as_bytes());
    assert_eq!(
        stderr,
        format!(
            "error: <dir>/checkout/schema/tiny.yaml: <dir>/shared/specs/tiny.yaml has sha256 {}, not the pinned {} (the \
             tiny.yaml spec); left as it is (remove it to download the pinned one, or update the pin)\n\
             error: 1 of 2 pinned specs are not in place\n",
            sha256_hex(b"edited"),
            sha256_hex(TINY.as_bytes())
        )
    );
    assert_eq!(fs::read_to_string(checkout.specs().join("tiny.yaml")).unwrap(), "edited");
}
