//! Per-client memory of how the server counts `start`, so [`StartBase::Auto`] pays for its
//! detection once per client rather than once per walk.

use std::sync::atomic::{AtomicU8, Ordering};

use super::walk::StartBase;

/// The start base a walk of this client detected, shared by the client's clones (it lives
/// in the client's shared state, next to the remembered path spellings).
///
/// Only a 1-based server is remembered: that is where detection costs something (one
/// repeated record, or one more request when `start=0` is refused or answered empty).
/// Detection on a 0-based server costs nothing but the first request going alone, and a
/// wrong "0-based" read (possible when the list changes during the detecting walk) would
/// make later walks start below the first record; so "0-based" is detected afresh by each
/// walk, never assumed.
///
/// Caveat: "1-based" read from the overlap (the second page beginning with the first
/// page's last record) looks the same as a 0-based server whose newest-first list gained
/// exactly one record at its head between the detecting walk's first two requests; a
/// client that learned "1-based" that way would start later walks one record in. A refused
/// or empty `start=0` followed by records at `start=1` cannot be mistaken. Set
/// [`StartBase::Zero`] or [`StartBase::One`] on the list when the server is known.
#[derive(Debug, Default)]
pub(crate) struct StartBaseMemory(AtomicU8);

/// The stored value for [`StartBase::One`]; 0 (the default) means nothing remembered.
const ONE: u8 = 1;

impl StartBaseMemory {
    /// The remembered base, if a walk of this client detected one worth remembering.
    pub(crate) fn get(&self) -> Option<StartBase> {
        match self.0.load(Ordering::Relaxed) {
            ONE => Some(StartBase::One),
            _ => None,
        }
    }

    /// Records what a walk detected; only [`StartBase::One`] is kept (see the type's docs).
    pub(crate) fn remember(&self, base: StartBase) {
        if base == StartBase::One {
            self.0.store(ONE, Ordering::Relaxed);
        }
    }

    /// The start base a walk asked to use `asked` should run with: the remembered one in
    /// place of [`StartBase::Auto`], what the caller set otherwise.
    pub(crate) fn resolve(&self, asked: StartBase) -> StartBase {
        match asked {
            StartBase::Auto => self.get().unwrap_or(StartBase::Auto),
            known => known,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use futures::TryStreamExt;

    use super::super::walk::{Keyed, PageRequest, StartRejection, Walk, WalkOptions};
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Rec(u64);

    impl Keyed for Rec {
        type Key = u64;
        fn key(&self) -> Option<u64> {
            Some(self.0)
        }
    }

    #[derive(Debug, PartialEq)]
    struct Refused;

    impl StartRejection for Refused {
        fn rejects_start(&self) -> bool {
            true
        }
    }

    /// How the server in [`detected`] treats `start`.
    #[derive(Clone, Copy)]
    enum Server {
        ZeroBased,
        OneBasedReadingZeroAsOne,
        OneBasedRefusingZero,
        OneBasedEmptyAtZero,
    }

    /// Walks 5 records at page size 2 on `server`; returns the records, the starts asked
    /// and what the walk reported.
    async fn detected(server: Server) -> (Vec<u64>, Vec<u64>, Vec<StartBase>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let reported = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        let fetch = move |request: PageRequest| {
            log.lock().map(|mut l| l.push(request.start)).ok();
            let first = match (server, request.start) {
                (Server::ZeroBased, s) => Some(s),
                (Server::OneBasedRefusingZero, 0) => None,
                (Server::OneBasedEmptyAtZero, 0) => Some(u64::MAX),
                (_, s) => Some(s.saturating_sub(1)),
            };
            let page: Result<Vec<Rec>, Refused> = match first {
                None => Err(Refused),
                Some(first) => Ok((first..5).take(request.limit as usize).map(Rec).collect()),
            };
            async move { page }
        };
        let options = WalkOptions {
            page_size: 2,
            ..WalkOptions::default()
        };
        let sink = Arc::clone(&reported);
        let records: Vec<Rec> = Walk::new(fetch, options)
            .on_start_base_detected(move |base| {
                sink.lock().map(|mut s| s.push(base)).ok();
            })
            .into_records()
            .try_collect()
            .await
            .unwrap_or_default();
        let asked = asked.lock().map(|a| a.clone()).unwrap_or_default();
        let reported = reported.lock().map(|r| r.clone()).unwrap_or_default();
        (records.into_iter().map(|r| r.0).collect(), asked, reported)
    }

    #[tokio::test]
    async fn an_auto_walk_reports_the_base_once_it_can_tell() {
        let all = vec![0, 1, 2, 3, 4];
        assert_eq!(
            detected(Server::ZeroBased).await,
            (all.clone(), vec![0, 2, 4, 5], vec![StartBase::Zero])
        );
        assert_eq!(
            detected(Server::OneBasedReadingZeroAsOne).await,
            (all.clone(), vec![0, 2, 4, 6], vec![StartBase::One])
        );
        assert_eq!(
            detected(Server::OneBasedRefusingZero).await,
            (all.clone(), vec![0, 1, 3, 5, 6], vec![StartBase::One])
        );
        assert_eq!(
            detected(Server::OneBasedEmptyAtZero).await,
            (all, vec![0, 1, 3, 5, 6], vec![StartBase::One])
        );
    }

    #[test]
    fn only_a_one_based_server_is_remembered_and_only_auto_is_replaced() {
        let memory = StartBaseMemory::default();
        assert_eq!(memory.get(), None);
        memory.remember(StartBase::Zero);
        assert_eq!(memory.get(), None);
        assert_eq!(memory.resolve(StartBase::Auto), StartBase::Auto);
        memory.remember(StartBase::One);
        assert_eq!(memory.get(), Some(StartBase::One));
        assert_eq!(memory.resolve(StartBase::Auto), StartBase::One);
        assert_eq!(memory.resolve(StartBase::Zero), StartBase::Zero);
        // A later Zero report (another list, a changed list) does not undo it.
        memory.remember(StartBase::Zero);
        assert_eq!(memory.get(), Some(StartBase::One));
    }
}
