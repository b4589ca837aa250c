//! Cross-references: resolving them into search hits, filtering through them, and changing
//! reference properties. A reference into a multi-tenant class lives within the tenant of the
//! object that holds it (`reference_scope`); a single-tenant class may not hold one.

mod exists;
mod filter;
mod resolve;
mod write;

pub(crate) use exists::{Writer, Written};
pub(crate) use write::ReferenceLocks;
pub use write::{ReferenceEdit, ReferenceSource};

#[cfg(test)]
mod tenants_tests;
#[cfg(test)]
mod tests;
