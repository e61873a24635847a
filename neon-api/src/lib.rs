//! Raw generated client (stub: see issue 2).
