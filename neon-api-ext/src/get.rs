//! The eight get-by-id calls, each returning the record itself.

use neon_api::types::{App, Client, Deployment, Detection, Event, PolEntry, Policy, Registration};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::decode::RecordObject;
use crate::operations::Operation;
use crate::{Error, NeonClient};

mod sealed {
    pub trait Sealed {}
    impl Sealed for uuid::Uuid {}
    impl Sealed for &uuid::Uuid {}
    impl Sealed for &str {}
    impl Sealed for String {}
    impl Sealed for &String {}
}

/// A record id: a [`Uuid`], or a string that is parsed as one *before* any request is sent
/// (so `"abc"` fails fast with [`Error::InvalidRequest`] instead of reaching the server).
pub trait IntoRecordId: sealed::Sealed {
    /// The id as a UUID.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] when a string is not a UUID.
    fn into_record_id(self) -> Result<Uuid, Error>;
}

impl IntoRecordId for Uuid {
    fn into_record_id(self) -> Result<Uuid, Error> {
        Ok(self)
    }
}

impl IntoRecordId for &Uuid {
    fn into_record_id(self) -> Result<Uuid, Error> {
        Ok(*self)
    }
}

impl IntoRecordId for &str {
    fn into_record_id(self) -> Result<Uuid, Error> {
        Uuid::parse_str(self.trim()).map_err(|e| {
            let shown: String = self.chars().take(64).collect();
            Error::invalid_request(format!("{shown:?} is not a record id (a UUID): {e}"))
        })
    }
}

impl IntoRecordId for String {
    fn into_record_id(self) -> Result<Uuid, Error> {
        self.as_str().into_record_id()
    }
}

impl IntoRecordId for &String {
    fn into_record_id(self) -> Result<Uuid, Error> {
        self.as_str().into_record_id()
    }
}

impl NeonClient {
    /// The app with this id (`GET /v1/apps/{id}`).
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such app (404 with the envelope, or `data: null`);
    /// [`Error::InvalidRequest`] for a string that is not a UUID; any other [`Error`].
    pub async fn get_app(&self, id: impl IntoRecordId) -> Result<App, Error> {
        self.get_record(Operation::GetApp, id).await
    }

    /// The client (browser installation) with this id (`GET /v1/clients/{id}`).
    ///
    /// # Errors
    /// As [`NeonClient::get_app`].
    pub async fn get_client(&self, id: impl IntoRecordId) -> Result<Client, Error> {
        self.get_record(Operation::GetClient, id).await
    }

    /// The deployment with this id (`GET /v1/deployments/{id}`).
    ///
    /// # Errors
    /// As [`NeonClient::get_app`].
    pub async fn get_deployment(&self, id: impl IntoRecordId) -> Result<Deployment, Error> {
        self.get_record(Operation::GetDeployment, id).await
    }

    /// The detection with this id (`GET /v1/detections/{id}`).
    ///
    /// # Errors
    /// As [`NeonClient::get_app`].
    pub async fn get_detection(&self, id: impl IntoRecordId) -> Result<Detection, Error> {
        self.get_record(Operation::GetDetection, id).await
    }

    /// The event with this id (`GET /v1/events/{id}`).
    ///
    /// # Errors
    /// As [`NeonClient::get_app`].
    pub async fn get_event(&self, id: impl IntoRecordId) -> Result<Event, Error> {
        self.get_record(Operation::GetEvent, id).await
    }

    /// The policy with this id (`GET /v1/policies/{id}`).
    ///
    /// # Errors
    /// As [`NeonClient::get_app`].
    pub async fn get_policy(&self, id: impl IntoRecordId) -> Result<Policy, Error> {
        self.get_record(Operation::GetPolicy, id).await
    }

    /// The registration with this id (`GET /v1/registration/{id}`; servers that spell it
    /// `/v1/registrations/{id}` work too — see the crate docs, "Quirks hidden").
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
    /// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
    /// # let registrations = client.registrations().collect_all().await?;
    /// # let some_id = registrations[0].id.ok_or("a registration without an id")?;
    /// let registration = client.get_registration(some_id).await?;
    /// assert_eq!(registration.id, Some(some_id));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`NeonClient::get_app`].
    pub async fn get_registration(&self, id: impl IntoRecordId) -> Result<Registration, Error> {
        let id = id.into_record_id()?;
        self.fetch_with_fallback::<RecordObject<Registration>>(Operation::GetRegistration, id)
            .await?
            .map(|record| record.0)
            .ok_or(Error::NotFound { message: None })
    }

    /// The pattern-of-life trail of a detection, entries in the server's order
    /// (`GET /v1/detections_pol/{detectionId}`; servers that spell it
    /// `/v1/detectionspol/{detectionId}` work too). A detection without a trail gives an
    /// empty vector, not an error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let sim = neon_sim::Simulator::builder().events(50).detections(20).start().await?;
    /// # let client = neon_api_ext::NeonClient::builder().base_url(sim.url()).token(sim.token()).build()?;
    /// # let detections = client.detections().collect_all().await?;
    /// # let detection_id = detections[0].id.ok_or("a detection without an id")?;
    /// let trail = client.get_detection_pol(detection_id).await?;
    /// if let (Some(first), Some(last)) = (trail.first(), trail.last()) {
    ///     println!("{} entries, from {:?} to {:?}", trail.len(), first.url, last.url);
    /// }
    /// assert!(trail.iter().all(|entry| entry.detection_id == Some(detection_id)));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] when the server says the detection does not exist (404 with the
    /// envelope); [`Error::InvalidRequest`] for a string that is not a UUID; any other
    /// [`Error`].
    pub async fn get_detection_pol(
        &self,
        detection_id: impl IntoRecordId,
    ) -> Result<Vec<PolEntry>, Error> {
        let id = detection_id.into_record_id()?;
        Ok(self
            .fetch_with_fallback::<Vec<PolEntry>>(Operation::GetDetectionPol, id)
            .await?
            .unwrap_or_default())
    }

    /// A get-by-id whose `data: null` means "no such record"; `data` must be an object
    /// (an array is [`Error::Decode`], see [`RecordObject`]).
    async fn get_record<T: DeserializeOwned>(
        &self,
        op: Operation,
        id: impl IntoRecordId,
    ) -> Result<T, Error> {
        let id = id.into_record_id()?.hyphenated().to_string();
        self.fetch::<RecordObject<T>>(op, &[op.collection(), &id], &[])
            .await?
            .map(|record| record.0)
            .ok_or(Error::NotFound { message: None })
    }

    /// A get-by-id on a route with two spellings: the remembered (at first, canonical)
    /// spelling, then — only on a route-level 404 — the other one, once. The other spelling
    /// is remembered only when its answer proves the route exists: a success, or a 404
    /// carrying the API's envelope (a record missing on a route that is there). A timeout,
    /// a 5xx or any other failure proves nothing, so the next call starts over.
    async fn fetch_with_fallback<T: DeserializeOwned>(
        &self,
        op: Operation,
        id: Uuid,
    ) -> Result<Option<T>, Error> {
        let id = id.hyphenated().to_string();
        let quirks = &self.inner.quirks;
        let first = quirks.preferred(op);
        match self.fetch::<T>(op, &[first.collection(op), &id], &[]).await {
            Err(Error::RouteNotFound { path }) => {
                let second = first.other();
                tracing::debug!(
                    operation = op.name(),
                    missing = path.as_str(),
                    trying = second.collection(op),
                    "route not found; trying the other spelling"
                );
                let result = self
                    .fetch::<T>(op, &[second.collection(op), &id], &[])
                    .await;
                if matches!(result, Ok(_) | Err(Error::NotFound { .. })) {
                    quirks.remember(op, second);
                }
                result
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_ids_are_parsed_as_uuids() {
        let id = "0b7f4c6e-8d1a-4c52-9a53-2f1e6b9d3c11";
        let expected = Uuid::parse_str(id).unwrap();
        assert_eq!(id.into_record_id().unwrap(), expected);
        assert_eq!(format!(" {id}\n").into_record_id().unwrap(), expected);
        assert_eq!((&expected).into_record_id().unwrap(), expected);
    }

    #[test]
    fn malformed_string_ids_are_invalid_requests() {
        let err = "../apps".into_record_id().unwrap_err();
        match err {
            Error::InvalidRequest { message } => {
                assert!(
                    message.starts_with("\"../apps\" is not a record id (a UUID): "),
                    "{message}"
                )
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
