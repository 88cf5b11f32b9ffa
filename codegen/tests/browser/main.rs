//! Browser tests: headless Chromium over WebDriver (Debian's `chromium` and `chromium-driver`,
//! which `.ci/run` installs), against servers the tests start on 127.0.0.1.

#[path = "../browser_support/mod.rs"]
mod browser_support;

#[path = "../../../generated/examples/openid_provider.rs"]
#[allow(dead_code)] // its `main`, which the tests do not use
mod provider;

mod backend;
mod flows;
mod provider_settings;
mod smoke;
