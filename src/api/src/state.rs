//! State shared by every handler.

use std::sync::Arc;

use coordinator::Coordinator;

use crate::ApiConfig;

/// What handlers receive through axum's `State`: cheap to clone (two `Arc`s).
#[derive(Clone)]
pub(crate) struct AppState {
    pub coordinator: Arc<Coordinator>,
    pub config: Arc<ApiConfig>,
}

impl AppState {
    pub fn new(coordinator: Arc<Coordinator>, config: ApiConfig) -> Self {
        AppState {
            coordinator,
            config: Arc::new(config),
        }
    }
}
