//! The device authorization endpoint (RFC 8628 §3.1): `/device/authorization`.
