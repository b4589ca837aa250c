//! State shared by every handler.

use std::sync::Arc;

use coordinator::Coordinator;

use crate::budget::BatchBudget;
use crate::metrics::RequestMetrics;
use crate::ApiConfig;

/// What handlers receive through axum's `State`: cheap to clone (`Arc`s).
#[derive(Clone)]
pub(crate) struct AppState {
    pub coordinator: Arc<Coordinator>,
    pub config: Arc<ApiConfig>,
    pub batch_budget: BatchBudget,
    pub request_metrics: Arc<RequestMetrics>,
}

impl AppState {
    pub fn new(coordinator: Arc<Coordinator>, config: ApiConfig) -> prometheus::Result<Self> {
        let request_metrics = Arc::new(RequestMetrics::new(coordinator.metrics().registry())?);
        Ok(AppState {
            coordinator,
            batch_budget: BatchBudget::new(config.batch_max_bytes_in_flight),
            config: Arc::new(config),
            request_metrics,
        })
    }
}
