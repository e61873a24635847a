//! Auto-paging over the eight lists: one [`ListRequest`] builder per list, streamed record by
//! record ([`ListRequest::stream`]), page by page ([`ListRequest::pages`]) or collected
//! ([`ListRequest::collect_all`]).
//!
//! Neon pages by offset (`start`, `limit`, optional `end`, `sort` by `updated_at`), which
//! leaves a lot to the server: whether `start` counts from 0 or 1, whether `limit` is
//! clamped, whether `end` is honoured. The walk assumes none of it:
//!
//! - `start` advances by the number of records received, so a clamped (short) page is
//!   never mistaken for the end and never leaves a hole; the walk ends on an empty page.
//! - The start base is detected ([`StartBase::Auto`]): the first request asks for
//!   `start=0`; a 1-based server that reads 0 as 1 then repeats one record at the front of
//!   the second page, which is dropped; a server that refuses 0 (400) or answers it with an
//!   empty page is asked again at `start=1`. Set [`ListRequest::start_base`] to skip this.
//! - No record is handed out twice in one walk: the ids of the last
//!   [`SEEN_WINDOW_PAGES`] pages are remembered (a few kilobytes, whatever the list's size).
//!   With `start` advancing by what was received, a record can only come back shifted
//!   forward — by that one-record overlap, or by records inserted at the head of a
//!   newest-first list during the walk — so repeats are always the last records handed
//!   out. Fewer than a page of insertions between two requests loses nothing: the records
//!   there when the walk began all come out. A page that adds nothing new ends the walk
//!   (this also stops a server that ignores `start`); so a burst of a full page or more of
//!   insertions between two requests ends it early rather than repeating records.
//! - [`ListRequest::prefetch`] keeps up to `n` page requests in flight at the offsets the
//!   last page size predicts; records still come out in order and at most `n` pages are
//!   held. A page of another size drops the requests behind it and re-plans, so a wrong
//!   guess costs requests, never records. No task is spawned: the requests are futures
//!   owned by the stream, and dropping the stream cancels them. The no-loss guarantee under
//!   concurrent insertions is for `prefetch(1)`: requests in flight together may be served
//!   in any order.
//! - Faults (429, 5xx, resets, truncated bodies) are retried by the client; one that
//!   outlasts the retry policy is the stream's last item, after every record before it.
//!
//! Request counts: a walk of `N` records at page size `P` on a server that does not clamp
//! sends `ceil(N / P) + 1` requests when `N` is not a multiple of `P` and `N / P + 1` when
//! it is (the last one comes back empty); [`StartBase::Auto`] adds one record of overlap on
//! a 1-based server, or one request on a server that refuses `start=0`.

mod list;
mod records;
mod walk;

pub use list::{ListRequest, Sort};
pub use records::ListRecord;
pub use walk::{Page, PageRequest, StartBase, SEEN_WINDOW_PAGES};
