//! Wire JSON <-> coordinator types. Inputs are parsed by hand from `serde_json::Value` so that
//! every error can name the field Weaviate would name; outputs are `Serialize` structs that
//! borrow from the coordinator's values.

pub(crate) mod nodes;
pub(crate) mod object;
pub(crate) mod sent;
