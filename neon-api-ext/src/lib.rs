//! Ergonomic client (stub: see issue 4).
