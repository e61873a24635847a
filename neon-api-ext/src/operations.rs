//! The API's operations, their paths, and the path spellings that differ between servers.
//!
//! Two get-by-id routes are spelled in more than one way (see the crate docs, "Quirks
//! hidden"). [`PathQuirks`] remembers, per client, which spelling the server answered, so
//! the fallback costs one extra request at most once per client rather than on every call.

use std::sync::atomic::{AtomicU8, Ordering};

/// One API operation: its name for logs and tracing (the `operationId` of the spec) and the
/// collection segment of its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `GET /v1/apps`
    ListApps,
    /// `GET /v1/apps/{id}`
    GetApp,
    /// `GET /v1/clients`
    ListClients,
    /// `GET /v1/clients/{id}`
    GetClient,
    /// `GET /v1/deployments`
    ListDeployments,
    /// `GET /v1/deployments/{id}`
    GetDeployment,
    /// `GET /v1/detections`
    ListDetections,
    /// `GET /v1/detections/{id}`
    GetDetection,
    /// `GET /v1/detections_pol`
    ListDetectionsPol,
    /// `GET /v1/detections_pol/{detectionId}` (or `/v1/detectionspol/{detectionId}`)
    GetDetectionPol,
    /// `GET /v1/events`
    ListEvents,
    /// `GET /v1/events/{id}`
    GetEvent,
    /// `GET /v1/policies`
    ListPolicies,
    /// `GET /v1/policies/{id}`
    GetPolicy,
    /// `GET /v1/registration`
    ListRegistrations,
    /// `GET /v1/registration/{id}` (or `/v1/registrations/{id}`)
    GetRegistration,
}

impl Operation {
    /// The spec's `operationId`, e.g. `list_detections`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::ListApps => "list_apps",
            Operation::GetApp => "get_app",
            Operation::ListClients => "list_clients",
            Operation::GetClient => "get_client",
            Operation::ListDeployments => "list_deployments",
            Operation::GetDeployment => "get_deployment",
            Operation::ListDetections => "list_detections",
            Operation::GetDetection => "get_detection",
            Operation::ListDetectionsPol => "list_detections_pol",
            Operation::GetDetectionPol => "get_detection_pol",
            Operation::ListEvents => "list_events",
            Operation::GetEvent => "get_event",
            Operation::ListPolicies => "list_policies",
            Operation::GetPolicy => "get_policy",
            Operation::ListRegistrations => "list_registrations",
            Operation::GetRegistration => "get_registration",
        }
    }

    /// True for the eight list operations (their `data` is an array of records).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Operation::ListApps
                | Operation::ListClients
                | Operation::ListDeployments
                | Operation::ListDetections
                | Operation::ListDetectionsPol
                | Operation::ListEvents
                | Operation::ListPolicies
                | Operation::ListRegistrations
        )
    }

    /// The canonical collection segment after `/v1/`.
    pub(crate) fn collection(self) -> &'static str {
        match self {
            Operation::ListApps | Operation::GetApp => "apps",
            Operation::ListClients | Operation::GetClient => "clients",
            Operation::ListDeployments | Operation::GetDeployment => "deployments",
            Operation::ListDetections | Operation::GetDetection => "detections",
            Operation::ListDetectionsPol | Operation::GetDetectionPol => "detections_pol",
            Operation::ListEvents | Operation::GetEvent => "events",
            Operation::ListPolicies | Operation::GetPolicy => "policies",
            Operation::ListRegistrations | Operation::GetRegistration => "registration",
        }
    }

    /// The other spelling of the collection segment some servers use for this
    /// get-by-id route, if any.
    pub(crate) fn alternate_collection(self) -> Option<&'static str> {
        match self {
            Operation::GetRegistration => Some("registrations"),
            Operation::GetDetectionPol => Some("detectionspol"),
            _ => None,
        }
    }
}

impl std::fmt::Display for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which spelling of a quirky route to try first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spelling {
    /// The corrected path of the spec (`/v1/registration/{id}`, `/v1/detections_pol/{id}`).
    Canonical,
    /// The other spelling (`/v1/registrations/{id}`, `/v1/detectionspol/{id}`).
    Alternate,
}

impl Spelling {
    pub(crate) fn other(self) -> Spelling {
        match self {
            Spelling::Canonical => Spelling::Alternate,
            Spelling::Alternate => Spelling::Canonical,
        }
    }

    /// The collection segment of `op` in this spelling.
    pub(crate) fn collection(self, op: Operation) -> &'static str {
        match self {
            Spelling::Canonical => op.collection(),
            Spelling::Alternate => op.alternate_collection().unwrap_or(op.collection()),
        }
    }
}

/// Per-client memory of which spelling each quirky route answers to. Shared by clones of
/// a client; starts at [`Spelling::Canonical`].
#[derive(Debug, Default)]
pub(crate) struct PathQuirks {
    registration: AtomicU8,
    detection_pol: AtomicU8,
}

impl PathQuirks {
    fn slot(&self, op: Operation) -> Option<&AtomicU8> {
        match op {
            Operation::GetRegistration => Some(&self.registration),
            Operation::GetDetectionPol => Some(&self.detection_pol),
            _ => None,
        }
    }

    /// The spelling to try first for `op`.
    pub(crate) fn preferred(&self, op: Operation) -> Spelling {
        match self.slot(op).map(|s| s.load(Ordering::Relaxed)) {
            Some(1) => Spelling::Alternate,
            _ => Spelling::Canonical,
        }
    }

    /// Remembers that the server answered `op` under `spelling`.
    pub(crate) fn remember(&self, op: Operation, spelling: Spelling) {
        if let Some(slot) = self.slot(op) {
            let value = match spelling {
                Spelling::Canonical => 0,
                Spelling::Alternate => 1,
            };
            slot.store(value, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quirky_routes_have_both_spellings() {
        assert_eq!(
            Spelling::Canonical.collection(Operation::GetRegistration),
            "registration"
        );
        assert_eq!(
            Spelling::Alternate.collection(Operation::GetRegistration),
            "registrations"
        );
        assert_eq!(
            Spelling::Canonical.collection(Operation::GetDetectionPol),
            "detections_pol"
        );
        assert_eq!(
            Spelling::Alternate.collection(Operation::GetDetectionPol),
            "detectionspol"
        );
        assert_eq!(Spelling::Alternate.collection(Operation::GetApp), "apps");
    }

    #[test]
    fn quirks_start_canonical_and_remember_per_operation() {
        let quirks = PathQuirks::default();
        assert_eq!(
            quirks.preferred(Operation::GetRegistration),
            Spelling::Canonical
        );
        quirks.remember(Operation::GetRegistration, Spelling::Alternate);
        assert_eq!(
            quirks.preferred(Operation::GetRegistration),
            Spelling::Alternate
        );
        assert_eq!(
            quirks.preferred(Operation::GetDetectionPol),
            Spelling::Canonical
        );
        quirks.remember(Operation::GetRegistration, Spelling::Canonical);
        assert_eq!(
            quirks.preferred(Operation::GetRegistration),
            Spelling::Canonical
        );
        // Operations without a quirk are always canonical.
        quirks.remember(Operation::GetApp, Spelling::Alternate);
        assert_eq!(quirks.preferred(Operation::GetApp), Spelling::Canonical);
    }

    #[test]
    fn names_are_the_operation_ids() {
        assert_eq!(Operation::ListDetectionsPol.name(), "list_detections_pol");
        assert_eq!(Operation::GetRegistration.to_string(), "get_registration");
        assert!(Operation::ListRegistrations.is_list());
        assert!(!Operation::GetDetectionPol.is_list());
    }
}
