//! Product quantization (Jégou et al. 2011): a vector is cut into `segments` sub-vectors of
//! `ds = dim / segments` floats, and each is replaced by the index of the nearest of
//! `centroids` (at most 256) in its segment's codebook, so a code is `segments` bytes.
//!
//! A query is compared with codes asymmetrically, as in faiss and Weaviate: it is not encoded;
//! instead [`Pq::prepare`] fills a table of its partial distance to every centroid of every
//! segment (`segments × centroids` floats), and a code's distance is the sum of one table entry
//! per segment, exactly the distance from the query to the code's decoded vector. Two codes
//! are compared through their centroids ([`Pq::between`]), in `O(dim)` without a table.
//!
//! The table and the nearest-centroid search loop over centroids innermost, on a transposed
//! copy of each codebook (`ds × centroids`), so the compiler vectorises them; on x86_64 an
//! AVX2 build of the same loop is chosen at runtime. The table lookups themselves stay scalar
//! (with four accumulators): for byte codes, gathers do not pay for themselves.

mod kmeans;
pub(super) mod tile;

use std::mem::size_of;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread;

use parking_lot::Mutex;

use super::{Metric, PqEncoderKind, PqParams, QueryCode, TileDistribution};

pub(super) use tile::Tile;

/// A trained product quantizer.
pub(crate) struct Pq {
    segments: usize,
    centroids: usize,
    ds: usize,
    metric: Metric,
    encoder: PqEncoderKind,
    /// The codebooks, `[segment][ds][centroid]`: the layout the table and the encoder scan.
    /// It is the only copy kept (a second, row-major one would double a fixed cost that
    /// dominates small indexes at high dimension); [`Pq::between`] reads it with a stride.
    transposed: Vec<f32>,
    /// The tile encoder's distribution per dimension; empty for k-means.
    tiles: Vec<Tile>,
}

impl Pq {
    /// Trains codebooks on `sample` (`n × dim`, `n >= centroids` for k-means); `params` are
    /// validated and resolved.
    pub(super) fn train(params: &PqParams, metric: Metric, dim: usize, sample: &[f32]) -> Pq {
        let (segments, k) = (params.segments, params.centroids);
        let ds = dim / segments;
        let n = sample.len() / dim;
        let (codebook, tiles) = match params.encoder {
            PqEncoderKind::KMeans => (train_kmeans(sample, n, dim, segments, k), Vec::new()),
            PqEncoderKind::Tile(distribution) => {
                let tiles: Vec<Tile> = (0..dim)
                    .map(|d| {
                        Tile::fit(sample.iter().skip(d).step_by(dim).copied(), distribution, k)
                    })
                    .collect();
                let codebook = tiles.iter().flat_map(|t| t.centroids()).collect();
                (codebook, tiles)
            }
        };
        Pq::from_parts(segments, k, ds, metric, params.encoder, codebook, tiles)
    }

    /// A quantizer from its persisted parts; `codebook` holds `segments · k · ds` floats.
    pub(super) fn from_parts(
        segments: usize,
        k: usize,
        ds: usize,
        metric: Metric,
        encoder: PqEncoderKind,
        codebook: Vec<f32>,
        tiles: Vec<Tile>,
    ) -> Pq {
        let mut transposed = vec![0.0; codebook.len()];
        for s in 0..segments {
            let book = &codebook[s * k * ds..(s + 1) * k * ds];
            let out = &mut transposed[s * k * ds..(s + 1) * k * ds];
            for c in 0..k {
                for j in 0..ds {
                    out[j * k + c] = book[c * ds + j];
                }
            }
        }
        Pq {
            segments,
            centroids: k,
            ds,
            metric,
            encoder,
            transposed,
            tiles,
        }
    }

    pub(super) fn code_words(&self) -> usize {
        self.segments.div_ceil(8)
    }

    pub(super) fn bytes(&self) -> usize {
        self.transposed.capacity() * size_of::<f32>() + self.tiles.capacity() * size_of::<Tile>()
    }

    /// The persisted parts: segments, centroids, encoder, the codebook `[segment][centroid][ds]`
    /// (rebuilt from the stored layout), tiles.
    pub(super) fn parts(&self) -> (usize, usize, PqEncoderKind, Vec<f32>, &[Tile]) {
        let codebook = (0..self.segments)
            .flat_map(|s| (0..self.centroids).map(move |c| (s, c)))
            .flat_map(|(s, c)| self.centroid(s, c as u8))
            .collect();
        (
            self.segments,
            self.centroids,
            self.encoder,
            codebook,
            &self.tiles,
        )
    }

    /// One byte per segment into `out` (at least `segments` long).
    pub(super) fn encode(&self, v: &[f32], out: &mut [u8]) {
        if !self.tiles.is_empty() {
            for (code, (tile, &x)) in out.iter_mut().zip(self.tiles.iter().zip(v)) {
                *code = tile.encode(x);
            }
            return;
        }
        let mut dists = [0f32; 256];
        let dists = &mut dists[..self.centroids];
        for (s, code) in out.iter_mut().enumerate().take(self.segments) {
            let x = &v[s * self.ds..(s + 1) * self.ds];
            partials(x, self.segment_t(s), self.centroids, true, dists);
            *code = argmin(dists) as u8;
        }
    }

    /// The decoded vector of a code: its centroids one after another.
    #[cfg(test)]
    pub(super) fn decode(&self, code: &[u8]) -> Vec<f32> {
        (0..self.segments)
            .flat_map(|s| self.centroid(s, code[s]))
            .collect()
    }

    /// Fills the query's table of partial distances.
    pub(super) fn prepare(&self, q: &[f32], out: &mut QueryCode) {
        let k = self.centroids;
        out.table.clear();
        out.table.resize(self.segments * k, 0.0);
        let l2 = self.metric == Metric::L2Squared;
        for s in 0..self.segments {
            let x = &q[s * self.ds..(s + 1) * self.ds];
            partials(
                x,
                self.segment_t(s),
                k,
                l2,
                &mut out.table[s * k..(s + 1) * k],
            );
        }
    }

    /// The query's distance to the code's decoded vector: one table entry per segment.
    #[inline]
    pub(super) fn distance(&self, q: &QueryCode, code: &[u8]) -> f32 {
        let k = self.centroids;
        let table = &q.table[..self.segments * k];
        let code = &code[..self.segments];
        let mut acc = [0f32; 4];
        let mut rows = table.chunks_exact(4 * k);
        let mut codes = code.chunks_exact(4);
        for (rows, c) in (&mut rows).zip(&mut codes) {
            for i in 0..4 {
                acc[i] += rows[i * k + usize::from(c[i])];
            }
        }
        let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        for (row, &c) in rows.remainder().chunks_exact(k).zip(codes.remainder()) {
            sum += row[usize::from(c)];
        }
        self.finish(sum)
    }

    /// The distance between two codes' decoded vectors.
    pub(super) fn between(&self, a: &[u8], b: &[u8]) -> f32 {
        let k = self.centroids;
        let last = k - 1;
        let mut sum = 0.0;
        for (s, (&ca, &cb)) in a.iter().zip(b).take(self.segments).enumerate() {
            let (ca, cb) = (usize::from(ca).min(last), usize::from(cb).min(last));
            let rows = self.segment_t(s).chunks_exact(k);
            sum += match self.metric {
                Metric::L2Squared => rows.map(|r| (r[ca] - r[cb]) * (r[ca] - r[cb])).sum::<f32>(),
                Metric::Dot | Metric::Cosine => -rows.map(|r| r[ca] * r[cb]).sum::<f32>(),
            };
        }
        self.finish(sum)
    }

    /// A sum of per-segment partials as the metric's distance.
    #[inline]
    fn finish(&self, sum: f32) -> f32 {
        match self.metric {
            Metric::L2Squared | Metric::Dot => sum,
            Metric::Cosine => 1.0 + sum,
        }
    }

    /// The `ds` floats of a centroid, gathered from the transposed codebook.
    fn centroid(&self, segment: usize, code: u8) -> impl Iterator<Item = f32> + '_ {
        let c = usize::from(code).min(self.centroids - 1);
        self.segment_t(segment)
            .chunks_exact(self.centroids)
            .map(move |row| row[c])
    }

    fn segment_t(&self, segment: usize) -> &[f32] {
        let len = self.centroids * self.ds;
        &self.transposed[segment * len..(segment + 1) * len]
    }
}

/// Trains one k-means codebook per segment, segments spread over the available cores.
fn train_kmeans(sample: &[f32], n: usize, dim: usize, segments: usize, k: usize) -> Vec<f32> {
    let ds = dim / segments;
    let books: Mutex<Vec<(usize, Vec<f32>)>> = Mutex::new(Vec::with_capacity(segments));
    let next = AtomicUsize::new(0);
    let work = || loop {
        let s = next.fetch_add(1, Ordering::Relaxed);
        if s >= segments {
            return;
        }
        let mut sub = Vec::with_capacity(n * ds);
        for row in sample.chunks_exact(dim) {
            sub.extend_from_slice(&row[s * ds..(s + 1) * ds]);
        }
        let book = kmeans::kmeans(&sub, ds, k, 0x9E3779B9 ^ s as u64);
        books.lock().push((s, book));
    };
    let threads = thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(segments);
    if threads > 1 {
        thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(work);
            }
        });
    } else {
        work();
    }
    let mut books = books.into_inner();
    books.sort_by_key(|(s, _)| *s);
    books.into_iter().flat_map(|(_, book)| book).collect()
}

/// The index of the smallest value (the first on ties).
#[inline]
pub(super) fn argmin(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v < values[best] {
            best = i;
        }
    }
    best
}

/// `out[c]` = partial distance of `x` (`ds` floats) to centroid `c`, from the transposed
/// codebook `ct` (`ds × k`): `Σ (x_j - c_j)²` when `l2`, else `-Σ x_j c_j`.
pub(super) type PartialsFn = fn(&[f32], &[f32], usize, bool, &mut [f32]);

/// [`PartialsFn`] for this CPU.
#[inline]
pub(super) fn partials(x: &[f32], ct: &[f32], k: usize, l2: bool, out: &mut [f32]) {
    static SELECTED: OnceLock<PartialsFn> = OnceLock::new();
    (SELECTED.get_or_init(select_partials))(x, ct, k, l2, out);
}

fn select_partials() -> PartialsFn {
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") {
        return partials_avx2;
    }
    partials_scalar
}

/// The portable build of the loop.
pub(super) fn partials_scalar(x: &[f32], ct: &[f32], k: usize, l2: bool, out: &mut [f32]) {
    partials_body(x, ct, k, l2, out);
}

#[cfg(target_arch = "x86_64")]
fn partials_avx2(x: &[f32], ct: &[f32], k: usize, l2: bool, out: &mut [f32]) {
    #[target_feature(enable = "avx2")]
    unsafe fn run(x: &[f32], ct: &[f32], k: usize, l2: bool, out: &mut [f32]) {
        partials_body(x, ct, k, l2, out);
    }
    // SAFETY: selected only when the CPU has AVX2; the body is safe code.
    unsafe { run(x, ct, k, l2, out) }
}

/// Centroids innermost, so that each `j` is one vectorisable pass over a contiguous row.
#[inline(always)]
fn partials_body(x: &[f32], ct: &[f32], k: usize, l2: bool, out: &mut [f32]) {
    let out = &mut out[..k];
    out.fill(0.0);
    for (j, &xj) in x.iter().enumerate() {
        let row = &ct[j * k..(j + 1) * k];
        if l2 {
            for (o, &c) in out.iter_mut().zip(row) {
                let d = xj - c;
                *o += d * d;
            }
        } else {
            for (o, &c) in out.iter_mut().zip(row) {
                *o -= xj * c;
            }
        }
    }
}

/// The tile encoder's distribution as persisted.
pub(super) fn distribution_code(d: TileDistribution) -> u8 {
    match d {
        TileDistribution::LogNormal => 1,
        TileDistribution::Normal => 2,
    }
}
