//! Checks every vector passes before it reaches an index or a kernel.

use crate::error::{Error, Result};

/// Rejects empty vectors and NaN or infinite components. A single NaN would poison every
/// distance it takes part in and with it the ordering of results, so it never gets in.
pub(crate) fn components(vector: &[f32]) -> Result<()> {
    if vector.is_empty() {
        return Err(Error::EmptyVector);
    }
    match vector.iter().position(|x| !x.is_finite()) {
        Some(position) => Err(Error::NonFinite {
            position,
            value: vector[position],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_finite_vectors() {
        assert_eq!(
            components(&[0.0, -1.5, f32::MAX, f32::MIN_POSITIVE]),
            Ok(())
        );
    }

    #[test]
    fn rejects_empty_and_non_finite_vectors() {
        assert_eq!(components(&[]), Err(Error::EmptyVector));
        let err = components(&[1.0, f32::INFINITY]).unwrap_err();
        assert_eq!(
            err,
            Error::NonFinite {
                position: 1,
                value: f32::INFINITY
            }
        );
        assert!(err
            .to_string()
            .contains("non-finite value (inf) at position 1"));
        assert!(matches!(
            components(&[f32::NAN]),
            Err(Error::NonFinite { position: 0, .. })
        ));
    }
}
