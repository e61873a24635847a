//! Which record each list returns, and how a walk recognises a record it has seen.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

use super::walk::Keyed;
use crate::Operation;
use neon_api::types::{App, Client, Deployment, Detection, Event, PolEntry, Policy, Registration};

mod sealed {
    /// Ties a record type to its list operation; sealed so the mapping stays ours.
    pub trait Sealed {
        const OPERATION: crate::Operation;
    }
}

pub(crate) use sealed::Sealed;

/// A record one of the eight lists returns: [`App`], [`Client`], [`Deployment`],
/// [`Detection`], [`Event`], [`Policy`], [`Registration`], or [`PolEntry`]
/// (`/v1/detections_pol`).
///
/// Sealed: the set is fixed by the API. A walk drops a record whose [`record_id`] it has
/// just handed out (see [`crate::paging`]). A record the server sent without an id is
/// recognised by its content instead (a fingerprint of its known fields), so a server that
/// ignores `start` still cannot make a walk endless; two id-less records with the same
/// content on neighbouring pages count as one.
///
/// [`record_id`]: ListRecord::record_id
pub trait ListRecord: Sealed + DeserializeOwned + Serialize + Send + 'static {
    /// The record's `id`, if the server sent one.
    fn record_id(&self) -> Option<Uuid>;

    /// The record's `updated_at` in microseconds since the epoch, if the server sent it:
    /// the sort key of every list, which the walk's watermark follows (see
    /// [`crate::paging`]).
    fn updated_at_micros(&self) -> Option<i64>;
}

macro_rules! list_records {
    ($($record:ty => $operation:ident),* $(,)?) => {$(
        impl Sealed for $record {
            const OPERATION: Operation = Operation::$operation;
        }
        impl ListRecord for $record {
            fn record_id(&self) -> Option<Uuid> {
                self.id
            }
            fn updated_at_micros(&self) -> Option<i64> {
                self.updated_at.map(|at| at.timestamp_micros())
            }
        }
    )*};
}

list_records! {
    App => ListApps,
    Client => ListClients,
    Deployment => ListDeployments,
    Detection => ListDetections,
    Event => ListEvents,
    PolEntry => ListDetectionsPol,
    Policy => ListPolicies,
    Registration => ListRegistrations,
}

/// How a walk recognises a record it has handed out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKey {
    /// The record's `id`.
    Id(Uuid),
    /// For a record without an id: a 64-bit fingerprint of its serialized fields.
    Content(u64),
}

impl<R: ListRecord> Keyed for R {
    type Key = RecordKey;

    fn key(&self) -> Option<RecordKey> {
        if let Some(id) = self.record_id() {
            return Some(RecordKey::Id(id));
        }
        // Serializing a generated record cannot fail (plain fields, string map keys); if it
        // ever did, the record is simply never taken for a repeat.
        let bytes = serde_json::to_vec(self).ok()?;
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        Some(RecordKey::Content(hasher.finish()))
    }

    fn updated_at_micros(&self) -> Option<i64> {
        ListRecord::updated_at_micros(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use neon_api::types::Event;

    #[test]
    fn records_are_known_by_id_or_else_by_content() {
        let id = Uuid::from_u128(7);
        let with_id = Event {
            id: Some(id),
            ..Event::default()
        };
        assert_eq!(with_id.key(), Some(RecordKey::Id(id)));
        let a = Event {
            url: Some("https://a.example".into()),
            ..Event::default()
        };
        let same = a.clone();
        let b = Event {
            url: Some("https://b.example".into()),
            ..Event::default()
        };
        assert!(matches!(a.key(), Some(RecordKey::Content(_))));
        assert_eq!(a.key(), same.key());
        assert_ne!(a.key(), b.key());
    }
}
