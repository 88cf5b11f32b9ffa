//! The browser session of the interactive flows.
