//! Generator for the `neon-api` crate (stub: see issue 2).
