//! Persistence of a trained [`Quantizer`]: its settings and trained state (PQ codebooks and
//! tile distributions, the SQ range; RQ needs only its seed), so that a restored index
//! neither retrains nor re-encodes. Little-endian:
//!
//! ```text
//! version u8 (3) · kind u8 (1 pq, 2 bq, 3 sq, 4 rq) · rescoreLimit u64 · then per kind:
//! pq  segments u32 · centroids u32 · trainingLimit u64 · encoder u8 (0 kmeans, 1 tile
//!     log-normal, 2 tile normal) · codebook f32 × dim·centroids · tile only: (mean f64,
//!     std f64) × dim
//! bq  -
//! sq  trainingLimit u64 · lo f32 · step f32
//! rq  bits u8 · seed u64 · from version 2: layout u8 (0 power of two, 1 blocks)
//! ```
//! Version 1 is the same without RQ's layout byte: its codes were made with
//! [`Layout::PowerOfTwo`], which a restored index keeps using. Versions 1 and 2 differ from 3
//! only in 1-bit RQ's codes, which carried a second tail word; a restored index keeps that
//! word, and writes its state as version 2 so that it reads back the same.
//! Reading validates everything against the index's metric and dimension; a mismatch is
//! [`Error::CorruptGraph`] (the bytes come from a snapshot).

use types::schema::Distance;

use super::pq::{distribution_code, Pq, Tile};
use super::rq::{Layout, Rq1, Rq8};
use super::{
    bq::Bq, sq::Sq, BqParams, Compression, Kind, Metric, PqEncoderKind, PqParams, Quantizer,
    RqParams, SqParams, TileDistribution,
};
use crate::error::{Error, Result};

const VERSION: u8 = 3;
/// The format whose 1-bit RQ codes carry a second tail word.
const VERSION_2: u8 = 2;
/// The format before RQ's layout byte.
const VERSION_1: u8 = 1;

fn corrupt(what: impl Into<String>) -> Error {
    Error::CorruptGraph(format!("compression state: {}", what.into()))
}

impl Quantizer {
    /// Appends the persisted form to `out`.
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(match &self.kind {
            Kind::Rq1(q) if q.has_ones_word() => VERSION_2,
            Kind::Pq(_) | Kind::Bq(_) | Kind::Sq(_) | Kind::Rq8(_) | Kind::Rq1(_) => VERSION,
        });
        let kind = match self.kind {
            Kind::Pq(_) => 1,
            Kind::Bq(_) => 2,
            Kind::Sq(_) => 3,
            Kind::Rq8(_) | Kind::Rq1(_) => 4,
        };
        out.push(kind);
        out.extend_from_slice(&(self.params.rescore_limit() as u64).to_le_bytes());
        match &self.kind {
            Kind::Pq(pq) => {
                let (segments, centroids, encoder, codebook, tiles) = pq.parts();
                out.extend_from_slice(&(segments as u32).to_le_bytes());
                out.extend_from_slice(&(centroids as u32).to_le_bytes());
                out.extend_from_slice(&(self.params.training_limit() as u64).to_le_bytes());
                out.push(match encoder {
                    PqEncoderKind::KMeans => 0,
                    PqEncoderKind::Tile(d) => distribution_code(d),
                });
                for x in codebook {
                    out.extend_from_slice(&x.to_le_bytes());
                }
                for t in tiles {
                    out.extend_from_slice(&t.mean.to_le_bytes());
                    out.extend_from_slice(&t.std.to_le_bytes());
                }
            }
            Kind::Bq(_) => {}
            Kind::Sq(sq) => {
                let (lo, step) = sq.range();
                out.extend_from_slice(&(self.params.training_limit() as u64).to_le_bytes());
                out.extend_from_slice(&lo.to_le_bytes());
                out.extend_from_slice(&step.to_le_bytes());
            }
            Kind::Rq8(_) | Kind::Rq1(_) => {
                let (bits, seed) = match self.params {
                    Compression::Rq(p) => (p.bits, p.seed),
                    Compression::None
                    | Compression::Pq(_)
                    | Compression::Bq(_)
                    | Compression::Sq(_) => (8, 0),
                };
                let layout = match &self.kind {
                    Kind::Rq8(q) => q.layout(),
                    Kind::Rq1(q) => q.layout(),
                    Kind::Pq(_) | Kind::Bq(_) | Kind::Sq(_) => Layout::Blocks,
                };
                out.push(bits);
                out.extend_from_slice(&seed.to_le_bytes());
                out.push(match layout {
                    Layout::PowerOfTwo => 0,
                    Layout::Blocks => 1,
                });
            }
        }
    }

    /// Reads what [`Quantizer::write`] wrote, for an index of `metric` and `dim`.
    pub(crate) fn read(bytes: &[u8], metric: Distance, dim: usize) -> Result<Quantizer> {
        let mut r = Input(bytes);
        let version = r.u8()?;
        if ![VERSION, VERSION_2, VERSION_1].contains(&version) {
            return Err(corrupt("unknown version"));
        }
        let kind = r.u8()?;
        let rescore_limit = r.usize()?;
        let (kind, params) = match kind {
            1 => read_pq(&mut r, metric, dim, rescore_limit)?,
            2 => (
                Kind::Bq(Bq::new(dim)),
                Compression::Bq(BqParams { rescore_limit }),
            ),
            3 => {
                let training_limit = r.usize()?;
                let (lo, step) = (r.f32()?, r.f32()?);
                if !lo.is_finite() || !step.is_finite() || step < 0.0 {
                    return Err(corrupt("sq range"));
                }
                let m = metric_of(metric, "sq")?;
                let params = SqParams {
                    training_limit,
                    rescore_limit,
                };
                (
                    Kind::Sq(Sq::from_parts(m, dim, lo, step)),
                    Compression::Sq(params),
                )
            }
            4 => {
                let (bits, seed) = (r.u8()?, r.u64()?);
                let layout = match version {
                    VERSION_1 => Layout::PowerOfTwo,
                    _ => match r.u8()? {
                        0 => Layout::PowerOfTwo,
                        1 => Layout::Blocks,
                        other => return Err(corrupt(format!("rq layout {other}"))),
                    },
                };
                let m = metric_of(metric, "rq")?;
                let kind = match bits {
                    8 => Kind::Rq8(Rq8::new(m, dim, seed, layout)),
                    1 if version == VERSION => Kind::Rq1(Rq1::new(m, dim, seed, layout)),
                    1 => Kind::Rq1(Rq1::with_ones_word(m, dim, seed, layout)),
                    _ => return Err(corrupt(format!("rq bits {bits}"))),
                };
                let params = RqParams {
                    bits,
                    rescore_limit,
                    seed,
                };
                (kind, Compression::Rq(params))
            }
            other => return Err(corrupt(format!("unknown kind {other}"))),
        };
        if !r.0.is_empty() {
            return Err(corrupt("trailing bytes"));
        }
        Ok(Quantizer { kind, params })
    }
}

fn metric_of(metric: Distance, name: &'static str) -> Result<Metric> {
    Metric::of(metric, name).map_err(|err| corrupt(err.to_string()))
}

fn read_pq(
    r: &mut Input,
    metric: Distance,
    dim: usize,
    rescore_limit: usize,
) -> Result<(Kind, Compression)> {
    let segments = r.u32()? as usize;
    let centroids = r.u32()? as usize;
    let training_limit = r.usize()?;
    let encoder = match r.u8()? {
        0 => PqEncoderKind::KMeans,
        1 => PqEncoderKind::Tile(TileDistribution::LogNormal),
        2 => PqEncoderKind::Tile(TileDistribution::Normal),
        other => return Err(corrupt(format!("pq encoder {other}"))),
    };
    let params = PqParams {
        segments,
        centroids,
        training_limit,
        encoder,
        rescore_limit,
    };
    Compression::Pq(params)
        .validate(metric, Some(dim))
        .map_err(|err| corrupt(err.to_string()))?;
    let m = metric_of(metric, "pq")?;
    let floats = dim * centroids;
    if r.0.len() < floats * 4 {
        return Err(corrupt("pq codebook is truncated"));
    }
    let mut codebook = Vec::with_capacity(floats);
    for _ in 0..floats {
        let x = r.f32()?;
        if !x.is_finite() {
            return Err(corrupt("pq codebook holds a non-finite value"));
        }
        codebook.push(x);
    }
    let mut tiles = Vec::new();
    if let PqEncoderKind::Tile(distribution) = encoder {
        for _ in 0..dim {
            let (mean, std) = (r.f64()?, r.f64()?);
            if !mean.is_finite() || !std.is_finite() || std < 0.0 {
                return Err(corrupt("pq tile distribution"));
            }
            tiles.push(Tile {
                mean,
                std,
                distribution,
                bins: centroids,
            });
        }
    }
    let ds = dim / segments;
    let pq = Pq::from_parts(segments, centroids, ds, m, encoder, codebook, tiles);
    Ok((Kind::Pq(pq), Compression::Pq(params)))
}

/// Bytes being read; running out is corruption.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let Some((head, rest)) = self.0.split_first_chunk::<N>() else {
            return Err(corrupt("truncated"));
        };
        self.0 = rest;
        Ok(*head)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }

    fn usize(&mut self) -> Result<usize> {
        usize::try_from(self.u64()?).map_err(|_| corrupt("count out of range"))
    }

    fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.take()?))
    }

    fn f64(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.take()?))
    }
}
