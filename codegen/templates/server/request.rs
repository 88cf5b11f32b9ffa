//! What a handler reads of an HTTP request, and the checks every endpoint makes before it asks
//! Authlete: the body's size and media type, the form, the `Authorization` header.

use std::fmt;

use base64::Engine as _;
use http::header::{self, HeaderMap};
use http::{Method, Uri};

use super::config::Config;
use super::response;

/// The parts of an HTTP request the handlers read.
///
/// Made from an [`http::Request`] with [`Request::from_http`], or from its parts with
/// [`Request::new`]; the body is read by the caller, at most
/// [`Config::body_limit`] bytes of it plus one (so that a larger one is seen to be larger).
#[derive(Clone)]
pub struct Request {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
    client_certificate: Option<String>,
}

impl Request {
    /// A request from its method, URI (as received: path and query), headers and body.
    pub fn new(method: Method, uri: Uri, headers: HeaderMap, body: impl Into<Vec<u8>>) -> Self {
        Request { method, uri, headers, body: body.into(), client_certificate: None }
    }

    /// A request from an [`http::Request`] whose body has been read.
    pub fn from_http<B: Into<Vec<u8>>>(request: http::Request<B>) -> Self {
        let (parts, body) = request.into_parts();
        Request::new(parts.method, parts.uri, parts.headers, body)
    }

    /// The client's certificate (PEM), when the server terminates TLS itself and has one.
    /// Otherwise the certificate comes from [`Config::client_certificate_header`], if set.
    pub fn client_certificate(mut self, pem: impl Into<String>) -> Self {
        self.client_certificate = Some(pem.into());
        self
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request's URI, as received.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request's body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The text of a header, if it is there and is visible ASCII.
    pub(crate) fn header(&self, name: impl header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The `DPoP` proof (RFC 9449 §4), if the client sent one.
    pub(crate) fn dpop(&self) -> Option<String> {
        self.header("dpop").map(str::to_owned)
    }

    /// The URL the client used, as a DPoP proof's `htu` names it: the public URL and the path,
    /// without query or fragment (RFC 9449 §4.3).
    pub(crate) fn htu(&self, config: &Config) -> String {
        format!("{}{}", config.public_url(), self.uri.path())
    }

    /// The `htm` of a DPoP proof: the request's method.
    pub(crate) fn htm(&self) -> String {
        self.method.as_str().to_owned()
    }

    /// The client certificate as PEM: the one given by the server, or the one a trusted proxy put
    /// in the configured header (PEM, URL-encoded PEM, or RFC 9440's `:base64 DER:`).
    pub(crate) fn certificate(&self, config: &Config) -> Option<String> {
        if let Some(pem) = &self.client_certificate {
            return Some(pem.clone());
        }
        let value = self.header(config.certificate_header()?)?.trim();
        if value.is_empty() {
            return None;
        }
        if let Some(der) = value.strip_prefix(':').and_then(|v| v.strip_suffix(':')) {
            // RFC 9440 §2.1: a byte sequence, Base64 DER; Authlete reads PEM.
            let der = base64::engine::general_purpose::STANDARD.decode(der).ok()?;
            let body = base64::engine::general_purpose::STANDARD.encode(der);
            let lines: Vec<&str> =
                body.as_bytes().chunks(64).map(|line| std::str::from_utf8(line).unwrap_or_default()).collect();
            return Some(format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----", lines.join("\n")));
        }
        if value.starts_with("-----BEGIN") && !value.contains('%') {
            return Some(value.to_owned());
        }
        // nginx's `$ssl_client_escaped_cert`: PEM, percent-encoded.
        let decoded = percent_decode(value)?;
        decoded.starts_with("-----BEGIN").then_some(decoded)
    }

    /// The body as the text of an `application/x-www-form-urlencoded` form, checked: not larger
    /// than the limit, sent as a form, UTF-8, and made of `name=value` pairs with valid escapes.
    /// The text is what Authlete's APIs take as `parameters`.
    pub(crate) fn form(&self, config: &Config) -> Result<&str, http::Response<String>> {
        self.check_size(config)?;
        let media_type = self.header(header::CONTENT_TYPE).unwrap_or_default();
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(response::invalid_request(
                "the request body must be sent as application/x-www-form-urlencoded",
            ));
        }
        let Ok(text) = std::str::from_utf8(&self.body) else {
            return Err(response::invalid_request("the request body is not UTF-8"));
        };
        if !is_form(text) {
            return Err(response::invalid_request("the request body is not a form of name=value pairs"));
        }
        Ok(text)
    }

    /// The body as JSON text, checked: not larger than the limit, sent as `application/json`
    /// (any parameters), and UTF-8. Whether it is valid JSON is Authlete's to say, in the error
    /// the endpoint's specification prescribes (RFC 7591's `invalid_client_metadata`, say).
    pub(crate) fn json_text(&self, config: &Config) -> Result<&str, http::Response<String>> {
        self.check_size(config)?;
        let media_type = self.header(header::CONTENT_TYPE).unwrap_or_default();
        let essence = media_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case("application/json") {
            return Err(response::invalid_request("the request body must be sent as application/json"));
        }
        std::str::from_utf8(&self.body).map_err(|_| response::invalid_request("the request body is not UTF-8"))
    }

    /// The last segment of the path, percent-decoded: the resource a request to `…/{id}` names
    /// (a client, a grant). `None` when it is empty (the path ends with `/`) or not UTF-8.
    pub(crate) fn last_path_segment(&self) -> Option<String> {
        let segment = self.uri.path().rsplit('/').next().unwrap_or_default();
        if segment.is_empty() {
            return None;
        }
        // Not `percent_decode`: that reads a form value, where `&` and `=` would end it.
        let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().ok()?;
        (!decoded.is_empty()).then(|| decoded.into_owned())
    }

    /// The form and the `Basic` credentials of a request from a client that authenticates at the
    /// endpoint (token, PAR, revocation), both checked ([`Request::form`],
    /// [`Request::basic_credentials`]), or the response that refuses the request.
    pub(crate) fn client_form(
        &self,
        config: &Config,
        realm: &str,
    ) -> Result<(String, Option<BasicCredentials>), http::Response<String>> {
        let parameters = self.form(config)?.to_owned();
        let credentials = self.basic_credentials(realm)?;
        Ok((parameters, credentials))
    }

    /// `413` when the body is larger than the limit.
    pub(crate) fn check_size(&self, config: &Config) -> Result<(), http::Response<String>> {
        if self.body.len() > config.body_limit() {
            return Err(response::too_large(config.body_limit()));
        }
        Ok(())
    }

    /// The query's values, decoded (for endpoints that take GET).
    pub(crate) fn query(&self) -> &str {
        self.uri.query().unwrap_or_default()
    }

    /// The client's credentials from `Authorization: Basic` (`client_secret_basic`), if the
    /// request has that header; anything else in `Authorization` is refused with
    /// `401 invalid_client` and a `Basic` challenge of `realm`, never ignored.
    pub(crate) fn basic_credentials(&self, realm: &str) -> Result<Option<BasicCredentials>, http::Response<String>> {
        let Some(value) = self.headers.get(header::AUTHORIZATION) else {
            return Ok(None);
        };
        let refuse = |why: &str| response::invalid_client(realm, why);
        let Some((scheme, encoded)) = value.to_str().ok().and_then(split_credentials) else {
            return Err(refuse("the Authorization header is malformed"));
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(refuse("client authentication with the Authorization header takes the Basic scheme"));
        }
        let Some(decoded) = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        else {
            return Err(refuse("the Basic credentials are not Base64 of UTF-8 text"));
        };
        let Some((id, secret)) = decoded.split_once(':') else {
            return Err(refuse("the Basic credentials have no `:` between client ID and secret"));
        };
        if id.is_empty() {
            return Err(refuse("the Basic credentials have an empty client ID"));
        }
        Ok(Some(BasicCredentials::new(id, secret)))
    }

    /// The access token of a request to a protected resource (RFC 6750 §2, RFC 9449 §7):
    /// `Authorization: Bearer …` or `DPoP …` in any case, else `access_token` in a form body
    /// (POST with a form) or in the query, where `in_query` allows it.
    ///
    /// `Ok(None)` when there is none; `Err` with `400 invalid_request` when the header is
    /// malformed or the request carries a token in more than one way (RFC 6750 §2).
    pub(crate) fn access_token(&self, in_query: bool) -> Result<Option<AccessToken>, TokenError> {
        let mut found = Vec::new();
        let mut headers = self.headers.get_all(header::AUTHORIZATION).iter();
        if let Some(value) = headers.next() {
            if headers.next().is_some() {
                return Err(TokenError("the request has more than one Authorization header"));
            }
            let (scheme, token) = value
                .to_str()
                .ok()
                .and_then(split_credentials)
                .ok_or(TokenError("the Authorization header is malformed"))?;
            let scheme = if scheme.eq_ignore_ascii_case("bearer") {
                TokenScheme::Bearer
            } else if scheme.eq_ignore_ascii_case("dpop") {
                TokenScheme::DPoP
            } else {
                return Err(TokenError("the Authorization header takes the Bearer or DPoP scheme"));
            };
            if !is_token68(token) {
                return Err(TokenError("the access token in the Authorization header is malformed"));
            }
            found.push(AccessToken { token: token.to_owned(), scheme });
        }
        let is_form = self
            .header(header::CONTENT_TYPE)
            .and_then(|media| media.split(';').next())
            .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
        if is_form && self.method == Method::POST {
            let text = std::str::from_utf8(&self.body).map_err(|_| TokenError("the request body is not UTF-8"))?;
            found.extend(form_token(text));
        }
        if in_query {
            found.extend(form_token(self.query()));
        }
        match found.len() {
            0 => Ok(None),
            1 => Ok(found.pop()),
            _ => Err(TokenError("the request carries an access token in more than one way")),
        }
    }
}

impl fmt::Debug for Request {
    /// Headers by name only, and the body's size: requests carry credentials and tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.uri.path())
            .field("headers", &self.headers.keys().map(|name| name.as_str()).collect::<Vec<_>>())
            .field("body_bytes", &self.body.len())
            .field("client_certificate", &self.client_certificate.is_some())
            .finish()
    }
}

/// Client credentials from `Authorization: Basic`, in both spellings a client may have used
/// (see the [module docs](super#client_secret_basic)).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct BasicCredentials {
    /// The form-decoded spelling (RFC 6749 §2.3.1), or the raw one where the text is not a valid
    /// form encoding.
    pub(crate) id: String,
    pub(crate) secret: String,
    /// The raw spelling, where it differs from the decoded one.
    pub(crate) raw: Option<(String, String)>,
}

impl BasicCredentials {
    pub(crate) fn new(id: &str, secret: &str) -> Self {
        match (form_decode(id), form_decode(secret)) {
            (Some(decoded_id), Some(decoded_secret)) => {
                let differs = decoded_id != id || decoded_secret != secret;
                BasicCredentials {
                    id: decoded_id,
                    secret: decoded_secret,
                    raw: differs.then(|| (id.to_owned(), secret.to_owned())),
                }
            }
            // Not a form encoding (a lone `%`): the client sent the raw text.
            _ => BasicCredentials { id: id.to_owned(), secret: secret.to_owned(), raw: None },
        }
    }
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials").field("id", &self.id).field("secret", &"[redacted]").finish()
    }
}

/// How an access token was presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenScheme {
    /// `Bearer` (RFC 6750), in the header, a form body or the query.
    Bearer,
    /// `DPoP` (RFC 9449): the token is bound to a key and comes with a proof.
    DPoP,
}

/// An access token as a request presented it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct AccessToken {
    pub(crate) token: String,
    pub(crate) scheme: TokenScheme,
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessToken").field("token", &"[redacted]").field("scheme", &self.scheme).finish()
    }
}

/// Why a request's access token could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenError(pub(crate) &'static str);

/// `scheme credentials` of an `Authorization` header: one space or more between them, none in
/// the credentials.
pub(crate) fn split_credentials(value: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    let credentials = rest.trim_start();
    (!scheme.is_empty() && !credentials.is_empty() && !credentials.contains(' ')).then_some((scheme, credentials))
}

/// RFC 7235's `token68`: the syntax of a bearer token in a header (RFC 6750 §2.1).
pub(crate) fn is_token68(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/'))
}

/// `access_token` of a form (a body or a query).
fn form_token(text: &str) -> Option<AccessToken> {
    form_urlencoded::parse(text.as_bytes())
        .find(|(name, _)| name == "access_token")
        .map(|(_, value)| AccessToken { token: value.into_owned(), scheme: TokenScheme::Bearer })
}

/// Whether `text` is a form: `&`-separated `name=value` pairs whose `%` escapes are all valid.
fn is_form(text: &str) -> bool {
    text.is_empty()
        || text.split('&').filter(|pair| !pair.is_empty()).all(|pair| pair.contains('=') && valid_escapes(pair))
}

fn valid_escapes(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Form decoding of one value (`+` is a space, `%XX` a byte), or `None` when it is not a valid
/// form encoding of UTF-8 text.
fn form_decode(text: &str) -> Option<String> {
    // Most IDs and secrets have nothing to decode.
    if !text.contains(['%', '+']) {
        return Some(text.to_owned());
    }
    percent_decode(&text.replace('+', " "))
}

/// `%XX` escapes decoded, or `None` if one is invalid or the result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !valid_escapes(text) {
        return None;
    }
    percent_encoding::percent_decode_str(text).decode_utf8().ok().map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_keep_both_spellings_where_they_differ() {
        let plain = BasicCredentials::new("client", "s3cret");
        assert_eq!((plain.id.as_str(), plain.secret.as_str(), plain.raw), ("client", "s3cret", None));
        let encoded = BasicCredentials::new("my%20client", "a%2Bb+c");
        assert_eq!((encoded.id.as_str(), encoded.secret.as_str()), ("my client", "a+b c"));
        assert_eq!(encoded.raw, Some(("my%20client".to_owned(), "a%2Bb+c".to_owned())));
        // A lone `%` is no form encoding: the raw text is the only spelling.
        let raw = BasicCredentials::new("client", "100%sure");
        assert_eq!((raw.secret.as_str(), raw.raw), ("100%sure", None));
        let non_ascii = BasicCredentials::new("client", "p%C3%A4ss");
        assert_eq!(non_ascii.secret, "päss");
        assert_eq!(format!("{non_ascii:?}"), "BasicCredentials { id: \"client\", secret: \"[redacted]\" }");
    }

    #[test]
    fn forms_are_name_value_pairs_with_valid_escapes() {
        assert!(is_form("grant_type=client_credentials&scope=a%20b"));
        assert!(is_form(""));
        assert!(!is_form("{\"grant_type\":\"x\"}"));
        assert!(!is_form("a=%zz"));
        assert!(!is_form("a=1&b"));
    }
}
