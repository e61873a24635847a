//! Auto-paging over the eight lists: one [`ListRequest`] builder per list, streamed record by
//! record ([`ListRequest::stream`]), page by page ([`ListRequest::pages`]) or collected
//! ([`ListRequest::collect_all`]).
//!
//! Neon pages by offset (`start`, `limit`, optional `end`, `sort` by `updated_at`), which
//! leaves a lot to the server: whether `start` counts from 0 or 1, whether `limit` is
//! clamped, whether `end` is honoured. The walk assumes none of it:
//!
//! - `start` advances by the number of records received, so a clamped (short) page is
//!   never mistaken for the end and never leaves a hole; the walk ends on an empty page
//!   (for the other ways it ends, see below).
//! - The start base is detected ([`StartBase::Auto`]): the first request asks for
//!   `start=0`; a 1-based server that reads 0 as 1 then repeats one record at the front of
//!   the second page, which is dropped; a server that refuses 0 (400) or answers it with an
//!   empty page is asked again at `start=1`. Set [`ListRequest::start_base`] to skip this.
//! - No record is handed out twice, and none there when the walk began is lost to
//!   insertions, whatever their number: a **watermark** on the sort key. Every list is
//!   sorted by `updated_at` ([`Sort`]; ties broken by id, in an order the walk does not rely
//!   on). In a newest-first walk every record handed out has an `updated_at` at or after
//!   the watermark, the `updated_at` of the last one handed out. So on later pages a record
//!   *newer* than the watermark is a repeat, or was inserted or updated after the walk
//!   passed its place: it is dropped. A record *at* the watermark is dropped if its id is
//!   among those handed out at that same `updated_at` (at most [`WATERMARK_TIES_MAX`] ids
//!   kept). An older record is new. Oldest-first walks mirror this. The ids of the last
//!   [`SEEN_WINDOW_PAGES`] pages are also remembered and dropped on sight. Memory: one
//!   timestamp, the ids sharing it, two pages of ids — whatever the list's size.
//! - Insertions can fill whole pages with records already handed out; such a page is not
//!   the end, `start` moves on past it and the walk catches up: k insertions between two
//!   requests cost about k / page-size more requests, nothing else. A server that ignores
//!   `start` looks exactly like a page of insertions per request, so the walk gives up after
//!   [`IDLE_RECORDS_MAX`] records in a row without a new one (1,000 requests at page size
//!   10): the stream's last item is then [`Error::Stalled`](crate::Error::Stalled), after
//!   every record handed out — never a silent end with records not reached.
//! - The watermark is only trusted while the server keeps its order: a page whose
//!   `updated_at` values (those present) are out of the walk's order turns it off for the
//!   rest of the walk, and a record without `updated_at` is never dropped by it. Without
//!   the watermark the walk falls back to the id window alone, and then a page that adds
//!   nothing new ends the walk (so a server ignoring `start` stops after one repeated
//!   page), and a burst of a page or more of insertions between two requests can end it
//!   early or, past two pages, repeat records.
//! - Updates during a walk (guaranteed: nothing handed out twice in a newest-first walk;
//!   not guaranteed: the rest). An update moves a record to the head of a newest-first
//!   list, behind the walk: if the walk had handed it out it is not handed out again; if
//!   not, it is not handed out at all (its old place is gone, its new one already passed).
//!   In an oldest-first list it moves to the tail, ahead of the walk: it comes out there,
//!   a second time if the walk had already handed it out, and its old place closes behind
//!   the walk, so the record that slides into the walk's last position is skipped (one per
//!   record updated after the walk passed it). Offset paging cannot see either; walk
//!   newest-first for "no repeats", or re-walk for a consistent snapshot.
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
//! a 1-based server, or one request on a server that refuses `start=0` — once per client:
//! a 1-based server, once detected, is remembered by the client and its clones, and their
//! later `Auto` walks start at `start=1` with neither.

mod list;
mod memory;
mod records;
mod walk;

pub use list::{ListRequest, Sort};
pub(crate) use memory::StartBaseMemory;
pub use records::ListRecord;
pub use walk::{
    Page, PageRequest, StartBase, IDLE_RECORDS_MAX, SEEN_WINDOW_PAGES, WATERMARK_TIES_MAX,
};
