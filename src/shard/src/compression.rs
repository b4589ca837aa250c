//! A class's compression settings (`pq`, `bq`, `sq`, `rq` of its vector index config) as the
//! engine's [`Compression`]: what a target's index is built or compressed with.

use types::schema::{FlatConfig, HnswConfig, VectorIndexConfig};
use vector_index::{
    BqParams, Compression, PqEncoderKind, PqParams, RqParams, SqParams, TileDistribution,
};

/// The compression of the index a config describes; for `dynamic`, of the graph it becomes
/// (its exact phase is [`flat_compression`] of its `flat` block). Negative limits mean the
/// engine's default.
pub fn compression_of(config: &VectorIndexConfig) -> Compression {
    match config {
        VectorIndexConfig::Hnsw(h) => hnsw_compression(h),
        VectorIndexConfig::Dynamic(d) => hnsw_compression(&d.hnsw),
        VectorIndexConfig::Flat(f) => flat_compression(f),
    }
}

fn hnsw_compression(h: &HnswConfig) -> Compression {
    if h.pq.enabled {
        let d = PqParams::default();
        let encoder = match (
            h.pq.encoder.kind.as_str(),
            h.pq.encoder.distribution.as_str(),
        ) {
            ("tile", "normal") => PqEncoderKind::Tile(TileDistribution::Normal),
            ("tile", _) => PqEncoderKind::Tile(TileDistribution::LogNormal),
            _ => PqEncoderKind::KMeans,
        };
        return Compression::Pq(PqParams {
            segments: count_or(h.pq.segments, d.segments),
            centroids: count_or(h.pq.centroids, d.centroids),
            training_limit: count_or(h.pq.training_limit, d.training_limit),
            encoder,
            rescore_limit: d.rescore_limit,
        });
    }
    if h.bq.enabled {
        return Compression::Bq(BqParams::default());
    }
    if h.sq.enabled {
        let d = SqParams::default();
        return Compression::Sq(SqParams {
            training_limit: count_or(h.sq.training_limit, d.training_limit),
            rescore_limit: count_or(h.sq.rescore_limit, d.rescore_limit),
        });
    }
    if h.rq.enabled {
        return rq(h.rq.bits, h.rq.rescore_limit);
    }
    Compression::None
}

/// flat compresses with bq or rq (the schema refuses its pq and sq, as Weaviate does).
pub fn flat_compression(f: &FlatConfig) -> Compression {
    if f.bq.enabled {
        let d = BqParams::default();
        return Compression::Bq(BqParams {
            rescore_limit: count_or(f.bq.rescore_limit, d.rescore_limit),
        });
    }
    if f.rq.enabled {
        return rq(f.rq.bits, f.rq.rescore_limit);
    }
    Compression::None
}

/// RQ with `bits`; a negative `rescore_limit` takes the default for that many bits.
fn rq(bits: i64, rescore_limit: i64) -> Compression {
    let d = if bits == 1 {
        RqParams::one_bit()
    } else {
        RqParams::default()
    };
    Compression::Rq(RqParams {
        bits: u8::try_from(bits).unwrap_or(d.bits),
        rescore_limit: count_or(rescore_limit, d.rescore_limit),
        ..d
    })
}

fn count_or(value: i64, default: usize) -> usize {
    usize::try_from(value).unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;
    use types::schema::{
        BqConfig, Distance, FlatCompression, FlatRqConfig, PqConfig, PqEncoder, RqConfig, SqConfig,
    };

    fn hnsw() -> HnswConfig {
        HnswConfig {
            skip: false,
            cleanup_interval_seconds: 300,
            max_connections: 32,
            ef_construction: 128,
            ef: -1,
            dynamic_ef_min: 100,
            dynamic_ef_max: 500,
            dynamic_ef_factor: 8,
            vector_cache_max_objects: 1_000_000_000_000,
            flat_search_cutoff: 40_000,
            distance: Distance::Cosine,
            pq: PqConfig {
                enabled: false,
                bit_compression: false,
                segments: 0,
                centroids: 256,
                training_limit: 100_000,
                encoder: PqEncoder {
                    kind: "kmeans".into(),
                    distribution: "log-normal".into(),
                },
            },
            bq: BqConfig { enabled: false },
            sq: SqConfig {
                enabled: false,
                training_limit: 100_000,
                rescore_limit: 20,
            },
            rq: RqConfig::default(),
            filter_strategy: "sweeping".into(),
            skip_default_quantization: false,
            track_default_quantization: false,
        }
    }

    #[test]
    fn each_hnsw_method_maps_with_its_settings() {
        assert_eq!(
            compression_of(&VectorIndexConfig::Hnsw(hnsw())),
            Compression::None
        );
        let mut pq = hnsw();
        pq.pq.enabled = true;
        pq.pq.segments = 8;
        pq.pq.training_limit = 500;
        pq.pq.encoder.kind = "tile".into();
        let Compression::Pq(p) = compression_of(&VectorIndexConfig::Hnsw(pq)) else {
            panic!("expected pq");
        };
        assert_eq!((p.segments, p.centroids, p.training_limit), (8, 256, 500));
        assert_eq!(p.encoder, PqEncoderKind::Tile(TileDistribution::LogNormal));
        let mut sq = hnsw();
        sq.sq.enabled = true;
        sq.sq.rescore_limit = 7;
        assert_eq!(
            compression_of(&VectorIndexConfig::Hnsw(sq)),
            Compression::Sq(SqParams {
                training_limit: 100_000,
                rescore_limit: 7
            })
        );
        let mut rq = hnsw();
        rq.rq = RqConfig {
            enabled: true,
            bits: 1,
            rescore_limit: 512,
        };
        assert_eq!(
            compression_of(&VectorIndexConfig::Hnsw(rq)),
            Compression::Rq(RqParams::one_bit())
        );
        let mut bq = hnsw();
        bq.bq.enabled = true;
        assert_eq!(
            compression_of(&VectorIndexConfig::Hnsw(bq)),
            Compression::Bq(BqParams::default())
        );
    }

    #[test]
    fn flat_uses_bq_with_weaviates_default_rescoring() {
        let off = FlatCompression {
            enabled: false,
            rescore_limit: -1,
            cache: false,
        };
        let mut flat = FlatConfig {
            distance: Distance::Dot,
            vector_cache_max_objects: 1,
            pq: off.clone(),
            bq: off.clone(),
            sq: off,
            rq: FlatRqConfig::default(),
            skip_default_quantization: false,
            track_default_quantization: false,
        };
        assert_eq!(
            compression_of(&VectorIndexConfig::Flat(flat.clone())),
            Compression::None
        );
        flat.bq.enabled = true;
        assert_eq!(
            compression_of(&VectorIndexConfig::Flat(flat.clone())),
            Compression::Bq(BqParams::default())
        );
        flat.bq.rescore_limit = 50;
        assert_eq!(
            compression_of(&VectorIndexConfig::Flat(flat.clone())),
            Compression::Bq(BqParams { rescore_limit: 50 })
        );
        flat.bq.enabled = false;
        flat.rq = FlatRqConfig {
            enabled: true,
            bits: 1,
            ..FlatRqConfig::default()
        };
        assert_eq!(
            compression_of(&VectorIndexConfig::Flat(flat.clone())),
            Compression::Rq(RqParams::one_bit())
        );
        flat.rq.bits = 8;
        flat.rq.rescore_limit = 64;
        assert_eq!(
            compression_of(&VectorIndexConfig::Flat(flat)),
            Compression::Rq(RqParams {
                rescore_limit: 64,
                ..RqParams::default()
            })
        );
    }
}
