//! The authorization endpoint (RFC 6749 §3.1, OpenID Connect Core §3.1.2) and the decision the
//! user makes on its page.
