//! Which record each list returns, and how a walk recognises a record it has seen.

use serde::de::DeserializeOwned;
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
/// just handed out (see [`crate::paging`]); a record without an id is never dropped.
///
/// [`record_id`]: ListRecord::record_id
pub trait ListRecord: Sealed + DeserializeOwned + Send + 'static {
    /// The record's `id`, if the server sent one.
    fn record_id(&self) -> Option<Uuid>;
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

impl<R: ListRecord> Keyed for R {
    type Key = Uuid;

    fn key(&self) -> Option<Uuid> {
        self.record_id()
    }
}
