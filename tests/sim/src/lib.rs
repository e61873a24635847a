//! Neon API simulator (stub: see issue 3).
