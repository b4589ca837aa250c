//! The compression settings an index is built or compressed with, Weaviate's `pq`, `bq`, `sq`
//! and `rq` vector index settings with Weaviate's defaults, and their validation.

use types::schema::Distance;

use crate::error::{Error, Result};

/// How an index compresses its vectors. Plain data: the shard converts its schema into this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    /// Full-precision vectors only.
    #[default]
    None,
    /// Product quantization: one byte per segment, distances through a per-query table.
    Pq(PqParams),
    /// Binary quantization: one sign bit per dimension, Hamming distance.
    Bq(BqParams),
    /// Scalar quantization: one byte per dimension within a trained global range.
    Sq(SqParams),
    /// Rotational quantization: a seeded random rotation, then 8-bit or 1-bit codes.
    Rq(RqParams),
}

/// `pq` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PqParams {
    /// Sub-vectors per vector; must divide the dimension. 0 picks [`default_pq_segments`].
    pub segments: usize,
    /// Centroids per segment, at most 256 so that a code is one byte.
    pub centroids: usize,
    /// Most vectors sampled to train the codebooks.
    pub training_limit: usize,
    /// How each segment's codebook is made.
    pub encoder: PqEncoderKind,
    /// Candidates rescored with full vectors (at least `k`, and `ef` in HNSW).
    pub rescore_limit: usize,
}

/// `pq.encoder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PqEncoderKind {
    /// k-means per segment.
    KMeans,
    /// One distribution per dimension whose quantiles are the centroids (Weaviate's `tile`);
    /// needs `segments == dimension`.
    Tile(TileDistribution),
}

/// `pq.encoder.distribution` of the tile encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileDistribution {
    /// `log-normal` (Weaviate's default).
    LogNormal,
    /// `normal`.
    Normal,
}

/// `bq` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BqParams {
    /// Candidates rescored with full vectors.
    pub rescore_limit: usize,
}

/// `sq` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqParams {
    /// Most vectors sampled to train the range.
    pub training_limit: usize,
    /// Candidates rescored with full vectors.
    pub rescore_limit: usize,
}

/// `rq` settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RqParams {
    /// Bits per rotated dimension: 8 or 1.
    pub bits: u8,
    /// Candidates rescored with full vectors.
    pub rescore_limit: usize,
    /// Seed of the rotation; persisted, so a restored index rotates the same way.
    pub seed: u64,
}

/// Weaviate's `pq.trainingLimit` and `sq.trainingLimit` default.
pub const DEFAULT_TRAINING_LIMIT: usize = 100_000;
/// The rotation seed when none is given.
pub const DEFAULT_RQ_SEED: u64 = 0x5EED_0F0A_7A7E;

impl Default for PqParams {
    fn default() -> Self {
        PqParams {
            segments: 0,
            centroids: 256,
            training_limit: DEFAULT_TRAINING_LIMIT,
            encoder: PqEncoderKind::KMeans,
            // Weaviate rescores PQ results up to `ef`, whose dynamic minimum is 100.
            rescore_limit: 100,
        }
    }
}

impl Default for BqParams {
    fn default() -> Self {
        BqParams {
            rescore_limit: 1_000,
        }
    }
}

impl Default for SqParams {
    fn default() -> Self {
        SqParams {
            training_limit: DEFAULT_TRAINING_LIMIT,
            rescore_limit: 20,
        }
    }
}

impl Default for RqParams {
    fn default() -> Self {
        RqParams {
            bits: 8,
            rescore_limit: 20,
            seed: DEFAULT_RQ_SEED,
        }
    }
}

impl RqParams {
    /// 1-bit RQ with Weaviate's rescore default for it (512).
    pub fn one_bit() -> Self {
        RqParams {
            bits: 1,
            rescore_limit: 512,
            ..RqParams::default()
        }
    }
}

/// Weaviate's choice of PQ segments for a dimension when `segments` is 0: eight dimensions per
/// segment from 2048 up, six from 768, four from 256, else two, whenever that divides.
pub fn default_pq_segments(dim: usize) -> usize {
    if dim >= 2048 && dim.is_multiple_of(8) {
        dim / 8
    } else if dim >= 768 && dim.is_multiple_of(6) {
        dim / 6
    } else if dim >= 256 && dim.is_multiple_of(4) {
        dim / 4
    } else if dim.is_multiple_of(2) {
        dim / 2
    } else {
        dim
    }
}

impl Compression {
    /// The method's name as `DEFAULT_QUANTIZATION` spells it: `none`, `pq`, `bq`, `sq`,
    /// `rq-8` or `rq-1`.
    pub fn name(&self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Pq(_) => "pq",
            Compression::Bq(_) => "bq",
            Compression::Sq(_) => "sq",
            Compression::Rq(p) if p.bits == 1 => "rq-1",
            Compression::Rq(_) => "rq-8",
        }
    }

    /// Whether vectors are compressed at all.
    pub fn is_none(&self) -> bool {
        matches!(self, Compression::None)
    }

    /// Whether a codebook or range must be learned from the index's vectors first (PQ, SQ);
    /// BQ and RQ encode from the first vector on.
    pub fn needs_training(&self) -> bool {
        match self {
            Compression::Pq(_) | Compression::Sq(_) => true,
            Compression::None | Compression::Bq(_) | Compression::Rq(_) => false,
        }
    }

    /// Most vectors sampled for training; 0 when nothing is trained.
    pub fn training_limit(&self) -> usize {
        match self {
            Compression::Pq(p) => p.training_limit,
            Compression::Sq(p) => p.training_limit,
            Compression::None | Compression::Bq(_) | Compression::Rq(_) => 0,
        }
    }

    /// Candidates a search rescores with full vectors, before raising to `k` (and `ef`).
    pub fn rescore_limit(&self) -> usize {
        match self {
            Compression::None => 0,
            Compression::Pq(p) => p.rescore_limit,
            Compression::Bq(p) => p.rescore_limit,
            Compression::Sq(p) => p.rescore_limit,
            Compression::Rq(p) => p.rescore_limit,
        }
    }

    /// How many of the `collected` candidates an HNSW search gathered by code distance it
    /// rescores with full vectors, as Weaviate's hnsw `rescore` (in `search.go`) decides: SQ
    /// and RQ keep only their best `rescoreLimit` when that is at least `k`, and a
    /// `rescoreLimit` of 0 turns their rescoring off (`None`: the code distances are the
    /// answer); PQ and BQ rescore every candidate.
    pub fn hnsw_rescored(&self, k: usize, collected: usize) -> Option<usize> {
        match self {
            Compression::Sq(SqParams { rescore_limit, .. })
            | Compression::Rq(RqParams { rescore_limit, .. }) => match *rescore_limit {
                0 => None,
                limit if limit >= k => Some(limit.min(collected)),
                _ => Some(collected),
            },
            Compression::None | Compression::Pq(_) | Compression::Bq(_) => Some(collected),
        }
    }

    /// The vectors training needs at the least: a k-means codebook needs one per centroid.
    pub(crate) fn min_training_vectors(&self) -> usize {
        match self {
            Compression::Pq(PqParams {
                encoder: PqEncoderKind::KMeans,
                centroids,
                ..
            }) => *centroids,
            Compression::Pq(_) | Compression::Sq(_) => 1,
            Compression::None | Compression::Bq(_) | Compression::Rq(_) => 0,
        }
    }

    /// The settings with defaults resolved for `dim` (PQ `segments` 0).
    pub fn resolved(&self, dim: usize) -> Compression {
        match *self {
            Compression::Pq(p) if p.segments == 0 => Compression::Pq(PqParams {
                segments: match p.encoder {
                    PqEncoderKind::Tile(_) => dim,
                    PqEncoderKind::KMeans => default_pq_segments(dim),
                },
                ..p
            }),
            other @ (Compression::None
            | Compression::Pq(_)
            | Compression::Bq(_)
            | Compression::Sq(_)
            | Compression::Rq(_)) => other,
        }
    }

    /// Checks the settings against `metric` and, once known, the dimension: the errors a
    /// schema change should be refused with before any training starts.
    pub fn validate(&self, metric: Distance, dim: Option<usize>) -> Result<()> {
        let name = match self {
            Compression::None | Compression::Bq(_) => return Ok(()),
            Compression::Pq(_) => "pq",
            Compression::Sq(_) => "sq",
            Compression::Rq(_) => "rq",
        };
        match metric {
            Distance::Cosine | Distance::Dot | Distance::L2Squared => {}
            Distance::Manhattan | Distance::Hamming => {
                return Err(Error::CompressionMetric {
                    compression: name,
                    metric,
                })
            }
        }
        match self.resolved(dim.unwrap_or(0)) {
            Compression::Pq(p) => validate_pq(&p, dim),
            Compression::Sq(p) if p.training_limit == 0 => Err(Error::TrainingLimit),
            Compression::Rq(p) if p.bits != 8 && p.bits != 1 => Err(Error::RqBits { bits: p.bits }),
            Compression::None | Compression::Bq(_) | Compression::Sq(_) | Compression::Rq(_) => {
                Ok(())
            }
        }
    }
}

fn validate_pq(p: &PqParams, dim: Option<usize>) -> Result<()> {
    if !(1..=256).contains(&p.centroids) {
        return Err(Error::PqCentroids {
            centroids: p.centroids,
        });
    }
    if p.training_limit == 0 {
        return Err(Error::TrainingLimit);
    }
    let Some(dim) = dim else {
        return Ok(());
    };
    if p.segments == 0 || !dim.is_multiple_of(p.segments) {
        return Err(Error::PqSegments {
            segments: p.segments,
            dim,
        });
    }
    if matches!(p.encoder, PqEncoderKind::Tile(_)) && p.segments != dim {
        return Err(Error::PqTileSegments {
            segments: p.segments,
            dim,
        });
    }
    Ok(())
}
