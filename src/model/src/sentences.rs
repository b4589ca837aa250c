//! Weaviate's sentences for the errors engines report as structured values. The engines say
//! what went wrong in their own words; what a client reads is written here, once.

use types::VectorLengthMismatch;

/// Weaviate's text for a vector of the wrong length: the stored one's from
/// `adapters/repos/db/vector/hnsw/insert.go`, the query's from the distancers.
pub fn vector_length(mismatch: VectorLengthMismatch) -> String {
    match mismatch {
        VectorLengthMismatch::Stored { expected, got } => format!(
            "new node has a vector with length {got}. Existing nodes have vectors with length {expected}"
        ),
        VectorLengthMismatch::Query { expected, got } => {
            format!("vector lengths don't match: {got} vs {expected}")
        }
    }
}

/// Certainty is defined for one cosine target only (`CheckCertaintyCompatibility`).
pub const CERTAINTY_WITH_SEVERAL_TARGETS: &str =
    "multiple target vectors are not supported with certainty";

/// A reference from a single-tenant class into a multi-tenant one
/// (`usecases/objects/references.go`, `validateReferenceMultiTenancy`).
pub const REFERENCE_INTO_MULTI_TENANT_CLASS: &str =
    "invalid reference: cannot reference a multi-tenant enabled class from a non multi-tenant enabled class";

/// PQ segments that do not split a target's vectors evenly (`compressionhelpers`'
/// `NewProductQuantizer`), with the field and the numbers.
pub fn pq_segments(target: &str, segments: i64, dims: usize) -> String {
    let field = match target {
        "" => "vectorIndexConfig.pq.segments".to_string(),
        named => format!("vectorConfig.{named}.vectorIndexConfig.pq.segments"),
    };
    format!(
        "{field}: segments should be an integer divisor of dimensions ({segments} segments, {dims} dimensions)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_lengths_in_weaviates_words() {
        let stored = VectorLengthMismatch::Stored {
            expected: 3,
            got: 5,
        };
        assert_eq!(
            vector_length(stored),
            "new node has a vector with length 5. Existing nodes have vectors with length 3"
        );
        let query = VectorLengthMismatch::Query {
            expected: 2,
            got: 1,
        };
        assert_eq!(vector_length(query), "vector lengths don't match: 1 vs 2");
    }
}
