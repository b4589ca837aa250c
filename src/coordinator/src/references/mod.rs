//! Cross-references: resolving them into search hits, filtering through them, and changing
//! reference properties.

mod exists;
mod filter;
mod resolve;
mod write;

pub(crate) use exists::{Writer, Written};
pub(crate) use write::ReferenceLocks;
pub use write::{ReferenceEdit, ReferenceSource};

#[cfg(test)]
mod tests;
