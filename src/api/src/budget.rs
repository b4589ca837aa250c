//! The memory budget of batch imports: how many request-body bytes of `POST /v1/batch/objects`
//! may be in flight at once (`BATCH_MAX_BYTES_IN_FLIGHT`).
//!
//! A batch costs a multiple of its body while it is processed (the parsed entries of one slice,
//! the objects, the answer), so the bytes of batches in flight bound the memory imports can
//! take. A batch reserves its `Content-Length` before its body is read, so bodies waiting for
//! the budget hold no memory either. A batch that finds no room waits its turn (the semaphore
//! is fair) for at most [`BatchBudget::wait`], then gets 429 and may retry.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::{ApiError, ApiResult};
use crate::extract::{check_content_type, read_body};
use crate::state::AppState;

/// Permits count KiB: a semaphore holds at most `usize::MAX >> 3` permits, and a KiB is fine
/// enough for bodies of megabytes.
const UNIT: usize = 1024;

/// How long a batch waits for room before it is told to retry.
const WAIT: Duration = Duration::from_secs(30);

/// The budget shared by every batch request of a node.
#[derive(Clone)]
pub(crate) struct BatchBudget {
    permits: Arc<Semaphore>,
    units: u32,
    capacity_bytes: usize,
    wait: Duration,
}

impl BatchBudget {
    /// A budget of `capacity_bytes` (at least one unit).
    pub fn new(capacity_bytes: usize) -> Self {
        let most = Semaphore::MAX_PERMITS.min(u32::MAX as usize);
        let units = capacity_bytes.div_ceil(UNIT).clamp(1, most);
        BatchBudget {
            permits: Arc::new(Semaphore::new(units)),
            units: units as u32,
            capacity_bytes,
            wait: WAIT,
        }
    }

    #[cfg(test)]
    fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Reserves `bytes` (at most the whole budget), waiting up to the budget's wait.
    pub async fn reserve(&self, bytes: usize) -> ApiResult<OwnedSemaphorePermit> {
        let units = bytes.div_ceil(UNIT).clamp(1, self.units as usize) as u32;
        let acquire = self.permits.clone().acquire_many_owned(units);
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; both arms mean "no room now".
            Ok(Err(_)) | Err(_) => Err(self.full(bytes)),
        }
    }

    fn full(&self, bytes: usize) -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many batch imports in flight: this batch of {bytes} bytes did not fit in \
                 the node's budget of {} bytes (BATCH_MAX_BYTES_IN_FLIGHT) within {} s; retry later",
                self.capacity_bytes,
                self.wait.as_secs()
            ),
        )
    }
}

/// A batch body read within the budget: the bytes and the reservation, held until the answer
/// is built.
pub(crate) struct BudgetedBody {
    pub bytes: Bytes,
    _permit: OwnedSemaphorePermit,
}

impl FromRequest<AppState> for BudgetedBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let limit = state.config.max_body_bytes;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(ApiError::body_too_large(limit));
        }
        // A chunked body of unknown length may grow to the limit.
        let permit = state
            .batch_budget
            .reserve(declared.unwrap_or(limit))
            .await?;
        let content_type = req.headers().get(header::CONTENT_TYPE).cloned();
        let bytes = read_body(req, state).await?;
        if !bytes.is_empty() {
            check_content_type(content_type.as_ref())?;
        }
        Ok(BudgetedBody {
            bytes,
            _permit: permit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn batches_wait_for_room_then_get_429() {
        let budget = BatchBudget::new(10 * UNIT).with_wait(Duration::from_millis(50));
        let first = budget.reserve(6 * UNIT).await.expect("fits");
        let err = budget.reserve(6 * UNIT).await.expect_err("over the budget");
        assert_eq!(err.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(
            err.message().contains("BATCH_MAX_BYTES_IN_FLIGHT"),
            "{}",
            err.message()
        );
        drop(first);
        let second = budget.reserve(6 * UNIT).await.expect("room again");
        // A batch larger than the whole budget takes all of it rather than waiting forever.
        drop(second);
        let all = budget
            .reserve(100 * UNIT)
            .await
            .expect("takes the whole budget");
        drop(all);
    }

    #[tokio::test]
    async fn a_waiting_batch_gets_in_when_another_finishes() {
        let budget = BatchBudget::new(10 * UNIT).with_wait(Duration::from_secs(10));
        let first = budget.reserve(8 * UNIT).await.expect("fits");
        let waiter = {
            let budget = budget.clone();
            tokio::spawn(async move { budget.reserve(8 * UNIT).await.map(drop) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(first);
        waiter
            .await
            .expect("joined")
            .expect("admitted after the first");
    }
}
