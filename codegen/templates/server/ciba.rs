//! The backchannel authentication endpoint (OpenID Connect CIBA §7) and the completion of a
//! request once the user decided: `/backchannel/authentication`, `/issue`, `/fail`, `/complete`.
