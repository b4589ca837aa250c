//! Quantizer properties: settings and their errors, encode/decode bounds, the PQ table against
//! the decoded vector, the SQ and RQ estimates against the vectors their codes stand for,
//! persistence, and the data generators the index tests share.

use std::sync::OnceLock;

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng};
use types::schema::Distance;
use types::ErrorKind;

use super::pq::tile::{erfc, normal_cdf, normal_quantile};
use super::*;
use crate::distance::{kernel, normalize};

/// A standard normal sample (Box-Muller).
fn gaussian(rng: &mut StdRng) -> f32 {
    let u1: f64 = rng.gen_range(f64::EPSILON..1.0);
    let u2: f64 = rng.gen();
    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()) as f32
}

/// `n` vectors of i.i.d. standard normal components.
pub(crate) fn gaussian_data(n: usize, dim: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| (0..dim).map(|_| gaussian(&mut rng)).collect())
        .collect()
}

/// `n` vectors around `clusters` centres (spread 3, noise 0.5): the neighbourhoods real
/// embeddings have, where a quantizer must tell apart points of one cluster.
pub(crate) fn clustered_data(n: usize, dim: usize, clusters: usize, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..clusters)
        .map(|_| (0..dim).map(|_| 3.0 * gaussian(&mut rng)).collect())
        .collect();
    (0..n)
        .map(|i| {
            let c = &centres[i % clusters];
            c.iter().map(|&x| x + 0.5 * gaussian(&mut rng)).collect()
        })
        .collect()
}

fn prepared(metric: Distance, data: &[Vec<f32>]) -> Vec<Vec<f32>> {
    data.iter()
        .map(|v| {
            let mut v = v.clone();
            if metric == Distance::Cosine {
                normalize(&mut v);
            }
            v
        })
        .collect()
}

fn train(c: Compression, metric: Distance, data: &[Vec<f32>]) -> Quantizer {
    train_dim(c, metric, data[0].len(), data)
}

fn train_dim(c: Compression, metric: Distance, dim: usize, data: &[Vec<f32>]) -> Quantizer {
    let flat: Vec<f32> = data.iter().flatten().copied().collect();
    Quantizer::train(&c, metric, dim, &flat).unwrap().unwrap()
}

fn encode(q: &Quantizer, v: &[f32]) -> Vec<u64> {
    let mut code = vec![0; q.code_words()];
    q.encode(v, &mut code, &mut Vec::new());
    code
}

fn close(got: f32, want: f32, tolerance: f32) -> bool {
    (got - want).abs() <= tolerance * (1.0 + want.abs())
}

#[test]
fn default_segments_follow_weaviate() {
    let cases = [
        (128, 64),
        (256, 64),
        (300, 75),
        (768, 128),
        (1536, 256),
        (2048, 256),
        (7, 7),
    ];
    for (dim, want) in cases {
        assert_eq!(default_pq_segments(dim), want, "dim {dim}");
    }
    let pq = Compression::Pq(PqParams::default()).resolved(128);
    assert!(matches!(
        pq,
        Compression::Pq(PqParams {
            segments: 64,
            centroids: 256,
            ..
        })
    ));
}

#[test]
fn settings_errors_are_structured() {
    let pq = |p: PqParams| Compression::Pq(p);
    let base = PqParams::default();
    let cases = [
        (
            pq(PqParams {
                segments: 3,
                ..base
            })
            .validate(Distance::L2Squared, Some(10)),
            Error::PqSegments {
                segments: 3,
                dim: 10,
            },
        ),
        (
            pq(PqParams {
                centroids: 300,
                ..base
            })
            .validate(Distance::Dot, None),
            Error::PqCentroids { centroids: 300 },
        ),
        (
            pq(PqParams {
                centroids: 0,
                ..base
            })
            .validate(Distance::Dot, None),
            Error::PqCentroids { centroids: 0 },
        ),
        (
            pq(PqParams {
                segments: 4,
                encoder: PqEncoderKind::Tile(TileDistribution::Normal),
                ..base
            })
            .validate(Distance::Cosine, Some(8)),
            Error::PqTileSegments {
                segments: 4,
                dim: 8,
            },
        ),
        (
            pq(PqParams {
                training_limit: 0,
                ..base
            })
            .validate(Distance::Dot, None),
            Error::TrainingLimit,
        ),
        (
            Compression::Rq(RqParams {
                bits: 4,
                ..RqParams::default()
            })
            .validate(Distance::Dot, Some(8)),
            Error::RqBits { bits: 4 },
        ),
        (
            Compression::Sq(SqParams::default()).validate(Distance::Manhattan, Some(8)),
            Error::CompressionMetric {
                compression: "sq",
                metric: Distance::Manhattan,
            },
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, Err(want.clone()));
        assert_eq!(want.kind(), ErrorKind::InvalidInput);
    }
    // BQ works with any metric; nothing to check without training data.
    assert_eq!(
        Compression::Bq(BqParams::default()).validate(Distance::Hamming, Some(3)),
        Ok(())
    );
    let few = vec![0.5f32; 8 * 10];
    let err = Quantizer::train(&pq(base), Distance::L2Squared, 8, &few).err();
    assert_eq!(
        err,
        Some(Error::NotEnoughTrainingData {
            needed: 256,
            got: 10
        })
    );
}

#[test]
fn erfc_and_the_normal_quantile_match_known_values() {
    for (x, want) in [
        (0.0, 1.0),
        (0.5, 0.479_500_122_2),
        (1.0, 0.157_299_207_0),
        (2.0, 0.004_677_734_981),
        (-1.0, 1.842_700_793_0),
    ] {
        assert!((erfc(x) - want).abs() < 1e-6, "erfc({x}) = {}", erfc(x));
    }
    for p in [0.001, 0.1, 0.25, 0.5, 0.9, 0.999] {
        assert!((normal_cdf(normal_quantile(p)) - p).abs() < 1e-9, "p {p}");
    }
    assert!((normal_quantile(0.975) - 1.959_964).abs() < 1e-4);
}

#[test]
fn tile_codes_are_ordered_bins_whose_centroids_stay_inside() {
    let data = gaussian_data(2000, 4, 3);
    for distribution in [TileDistribution::Normal, TileDistribution::LogNormal] {
        let params = PqParams {
            segments: 4,
            centroids: 16,
            encoder: PqEncoderKind::Tile(distribution),
            ..PqParams::default()
        };
        let q = train(Compression::Pq(params), Distance::L2Squared, &data);
        let mut last = 0u8;
        for i in 0..200 {
            let x = -3.0 + 6.0 * i as f32 / 200.0;
            let code = encode(&q, &[x, 0.0, 0.0, 0.0]);
            let byte = bytes_of(&code)[0];
            assert!(
                byte >= last && byte < 16,
                "{distribution:?}: x {x} code {byte}"
            );
            last = byte;
        }
        assert!(last > 0, "{distribution:?} uses more than one bin");
        if distribution == TileDistribution::Normal {
            // Standard normal data: the middle bins' centroids lie near 0, the outer ones
            // within a few standard deviations.
            let decoded = q.decode_pq(&encode(&q, &[0.01, 0.0, -3.0, 3.0])).unwrap();
            assert!(decoded[0].abs() < 0.2 && decoded[2] < -1.0 && decoded[3] > 1.0);
        }
    }
}

#[test]
fn bq_codes_are_sign_bits_and_hamming_counts_them() {
    let q = train_dim(Compression::Bq(BqParams::default()), Distance::Dot, 70, &[]);
    let mut a = vec![-1.0f32; 70];
    a[0] = 1.0;
    a[69] = 2.0;
    let code = encode(&q, &a);
    assert_eq!(code, vec![1, 1 << 5]);
    let b = vec![1.0f32; 70];
    let mut prepared = QueryCode::default();
    q.prepare(&b, &mut prepared);
    assert_eq!(q.distance(&prepared, &code), 68.0);
    assert_eq!(q.between(&code, &encode(&q, &b)), 68.0);
}

/// PQ quantizers per metric, trained once for the property tests.
fn pq_quantizers() -> &'static Vec<(Distance, Quantizer)> {
    static TRAINED: OnceLock<Vec<(Distance, Quantizer)>> = OnceLock::new();
    TRAINED.get_or_init(|| {
        [Distance::L2Squared, Distance::Dot, Distance::Cosine]
            .into_iter()
            .map(|metric| {
                let data = prepared(metric, &clustered_data(600, 12, 7, 5));
                let params = PqParams {
                    segments: 4,
                    centroids: 32,
                    ..PqParams::default()
                };
                (metric, train(Compression::Pq(params), metric, &data))
            })
            .collect()
    })
}

fn vector(dim: usize) -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(-4.0f32..4.0, dim)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn pq_table_distance_is_the_distance_to_the_decoded_vector(
        q in vector(12), x in vector(12), y in vector(12),
    ) {
        for (metric, pq) in pq_quantizers() {
            let [mut q, mut x, mut y] = [q.clone(), x.clone(), y.clone()];
            if *metric == Distance::Cosine {
                normalize(&mut q);
                normalize(&mut x);
                normalize(&mut y);
            }
            let (cx, cy) = (encode(pq, &x), encode(pq, &y));
            let (dx, dy) = (pq.decode_pq(&cx).unwrap(), pq.decode_pq(&cy).unwrap());
            let mut prepared = QueryCode::default();
            pq.prepare(&q, &mut prepared);
            let want = kernel(*metric)(&q, &dx);
            prop_assert!(close(pq.distance(&prepared, &cx), want, 1e-4), "{metric:?}");
            let want = kernel(*metric)(&dx, &dy);
            prop_assert!(close(pq.between(&cx, &cy), want, 1e-4), "{metric:?}");
            // Encoding picks the nearest centroid per segment: another code is never closer.
            let err = kernel(Distance::L2Squared)(&x, &dx);
            let d_other = kernel(Distance::L2Squared)(&x, &dy);
            prop_assert!(err <= d_other + 1e-4);
        }
    }

    #[test]
    fn sq_codes_stay_within_half_a_step_and_estimates_are_exact_for_them(
        x in vector(20), y in vector(20),
    ) {
        let data = gaussian_data(300, 20, 9);
        for metric in [Distance::L2Squared, Distance::Dot, Distance::Cosine] {
            let data = prepared(metric, &data);
            let sq = train(Compression::Sq(SqParams::default()), metric, &data);
            let (lo, step) = match &sq.kind {
                Kind::Sq(s) => s.range(),
                Kind::Pq(_) | Kind::Bq(_) | Kind::Rq8(_) | Kind::Rq1(_) => unreachable!(),
            };
            let [mut x, mut y] = [x.clone(), y.clone()];
            if metric == Distance::Cosine {
                normalize(&mut x);
                normalize(&mut y);
            }
            let (cx, cy) = (encode(&sq, &x), encode(&sq, &y));
            let decode = |c: &[u64]| -> Vec<f32> {
                bytes_of(c)[..20].iter().map(|&b| lo + step * f32::from(b)).collect()
            };
            let (dx, dy) = (decode(&cx), decode(&cy));
            let hi = lo + 255.0 * step;
            for (&v, &d) in x.iter().zip(&dx) {
                if (lo..=hi).contains(&v) {
                    prop_assert!((v - d).abs() <= step / 2.0 + 1e-5);
                }
            }
            let want = kernel(metric)(&dx, &dy);
            prop_assert!(close(sq.between(&cx, &cy), want, 1e-3), "{metric:?}");
        }
    }

    #[test]
    fn rq8_estimates_dot_products_and_distances_closely(x in vector(48), y in vector(48)) {
        for metric in [Distance::L2Squared, Distance::Dot] {
            let rq = train_dim(Compression::Rq(RqParams::default()), metric, 48, &[]);
            let (cx, cy) = (encode(&rq, &x), encode(&rq, &y));
            let scale = kernel(Distance::Dot)(&x, &x).abs().sqrt() * kernel(Distance::Dot)(&y, &y).abs().sqrt();
            let want = kernel(metric)(&x, &y);
            let got = rq.between(&cx, &cy);
            prop_assert!((got - want).abs() <= 0.03 * (scale + 1.0), "{metric:?}: {got} vs {want}");
            let mut prepared = QueryCode::default();
            rq.prepare(&x, &mut prepared);
            prop_assert!((rq.distance(&prepared, &cy) - want).abs() <= 0.03 * (scale + 1.0));
        }
    }
}

#[test]
fn rq1_ranks_like_the_metric() {
    let data = prepared(Distance::Cosine, &gaussian_data(400, 64, 13));
    let rq = train_dim(
        Compression::Rq(RqParams::one_bit()),
        Distance::Cosine,
        64,
        &[],
    );
    let codes: Vec<Vec<u64>> = data.iter().map(|v| encode(&rq, v)).collect();
    let mut prepared = QueryCode::default();
    // The estimate correlates with the true distance: the 40 codes ranked closest hold most
    // of the true 10 nearest.
    let mut found = 0;
    for q in &data[..20] {
        rq.prepare(q, &mut prepared);
        let mut by_code: Vec<(f32, usize)> = codes
            .iter()
            .enumerate()
            .map(|(i, c)| (rq.distance(&prepared, c), i))
            .collect();
        let mut exact: Vec<(f32, usize)> = data
            .iter()
            .enumerate()
            .map(|(i, v)| (kernel(Distance::Cosine)(q, v), i))
            .collect();
        by_code.sort_by(|a, b| a.0.total_cmp(&b.0));
        exact.sort_by(|a, b| a.0.total_cmp(&b.0));
        let top: Vec<usize> = by_code[..40].iter().map(|p| p.1).collect();
        found += exact[..10].iter().filter(|p| top.contains(&p.1)).count();
    }
    assert!(found as f64 / 200.0 >= 0.8, "found {found} of 200");
    // A vector's own code is closest to it by the estimate between codes too.
    assert!(rq.between(&codes[0], &codes[0]) < rq.between(&codes[0], &codes[1]));
}

#[test]
fn persisted_quantizers_encode_and_score_identically() {
    let data = prepared(Distance::Cosine, &clustered_data(500, 16, 5, 21));
    let tile = PqParams {
        segments: 16,
        centroids: 64,
        encoder: PqEncoderKind::Tile(TileDistribution::LogNormal),
        ..PqParams::default()
    };
    let settings = [
        Compression::Pq(PqParams {
            segments: 8,
            centroids: 64,
            ..PqParams::default()
        }),
        Compression::Pq(tile),
        Compression::Bq(BqParams { rescore_limit: 77 }),
        Compression::Sq(SqParams::default()),
        Compression::Rq(RqParams {
            seed: 99,
            ..RqParams::default()
        }),
        Compression::Rq(RqParams::one_bit()),
    ];
    for c in settings {
        let q = train(c, Distance::Cosine, &data);
        let mut bytes = Vec::new();
        q.write(&mut bytes);
        let restored = Quantizer::read(&bytes, Distance::Cosine, 16).unwrap();
        assert_eq!(restored.params(), q.params());
        let mut p1 = QueryCode::default();
        let mut p2 = QueryCode::default();
        q.prepare(&data[1], &mut p1);
        restored.prepare(&data[1], &mut p2);
        for v in &data[..20] {
            let (a, b) = (encode(&q, v), encode(&restored, v));
            assert_eq!(a, b, "{c:?}");
            assert_eq!(q.distance(&p1, &a), restored.distance(&p2, &b), "{c:?}");
        }
        for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
            let err = Quantizer::read(&bytes[..cut], Distance::Cosine, 16).err();
            assert!(
                matches!(err, Some(Error::CorruptGraph(_))),
                "{c:?} cut at {cut}"
            );
        }
        let wrong_dim = Quantizer::read(&bytes, Distance::Cosine, 15);
        if matches!(c, Compression::Pq(_)) {
            assert!(wrong_dim.is_err(), "{c:?}");
        }
    }
}

/// Persisted RQ state as a given format version writes it: `layout` is the byte versions 2 and
/// up add (`None` for format 1).
fn rq_state(version: u8, rescore_limit: u64, bits: u8, seed: u64, layout: Option<u8>) -> Vec<u8> {
    let mut out = vec![version, 4];
    out.extend_from_slice(&rescore_limit.to_le_bytes());
    out.push(bits);
    out.extend_from_slice(&seed.to_le_bytes());
    out.extend(layout);
    out
}

/// RQ state written before the layout byte (format 1) is read with the power-of-two rotation
/// its codes were made with; new state records the block layout, which does not pad 320
/// dimensions to 512.
#[test]
fn rq_state_of_format_1_keeps_its_power_of_two_rotation() {
    let v1 = rq_state(1, 20, 8, 5, None);
    let old = Quantizer::read(&v1, Distance::Dot, 320).unwrap();
    assert_eq!(old.code_words(), 512 / 8 + 2);
    let mut bytes = Vec::new();
    old.write(&mut bytes);
    let again = Quantizer::read(&bytes, Distance::Dot, 320).unwrap();
    assert_eq!(
        again.code_words(),
        512 / 8 + 2,
        "the layout survives a rewrite"
    );

    let params = Compression::Rq(RqParams {
        seed: 5,
        ..RqParams::default()
    });
    let fresh = Quantizer::train(&params, Distance::Dot, 320, &[])
        .unwrap()
        .unwrap();
    assert_eq!(fresh.code_words(), 320 / 8 + 2);
    let mut bytes = Vec::new();
    fresh.write(&mut bytes);
    let restored = Quantizer::read(&bytes, Distance::Dot, 320).unwrap();
    assert_eq!(restored.code_words(), 320 / 8 + 2);
    let mut bad = bytes.clone();
    *bad.last_mut().unwrap() = 9;
    assert!(matches!(
        Quantizer::read(&bad, Distance::Dot, 320),
        Err(Error::CorruptGraph(_))
    ));
}

/// 1-bit RQ codes of format 2 end with a second tail word (`|b|`, now counted instead): an
/// index restored from that state keeps the word, scores its codes exactly as a fresh
/// quantizer scores the shorter ones, and rewrites its state as format 2.
#[test]
fn rq1_state_of_format_2_keeps_its_second_tail_word() {
    let v2 = rq_state(2, 512, 1, 5, Some(1));
    let old = Quantizer::read(&v2, Distance::L2Squared, 320).unwrap();
    assert_eq!(old.code_words(), 320 / 64 + 2);
    let mut bytes = Vec::new();
    old.write(&mut bytes);
    assert_eq!(bytes, v2, "the older form survives a rewrite");

    let v3 = rq_state(3, 512, 1, 5, Some(1));
    let fresh = Quantizer::read(&v3, Distance::L2Squared, 320).unwrap();
    assert_eq!(fresh.code_words(), 320 / 64 + 1);
    let data = gaussian_data(30, 320, 11);
    let (mut qo, mut qf) = (QueryCode::default(), QueryCode::default());
    old.prepare(&data[0], &mut qo);
    fresh.prepare(&data[0], &mut qf);
    let (first_old, first_fresh) = (encode(&old, &data[0]), encode(&fresh, &data[0]));
    for v in &data[1..] {
        let (a, b) = (encode(&old, v), encode(&fresh, v));
        assert_eq!(a[..b.len()], b[..], "the words both forms share are equal");
        assert_eq!(old.distance(&qo, &a), fresh.distance(&qf, &b));
        assert_eq!(old.between(&a, &first_old), fresh.between(&b, &first_fresh));
    }
}
