//! Weaviate's `tile` PQ encoder: one segment per dimension, whose values are assumed to follow
//! a normal or log-normal distribution fitted to the training sample. The distribution's
//! quantiles cut the line into `centroids` equally likely bins: a value's code is its bin
//! (`floor(cdf(x) · bins)`) and a bin's centroid is the quantile at its middle. Nothing is
//! iterated, so training is one pass over the sample.
//!
//! The log-normal variant fits the logarithm of positive values and counts values at or below
//! zero as `ln x = 0` while fitting (as Weaviate does); their code is bin 0.

use super::super::TileDistribution;

/// A fitted per-dimension distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Tile {
    pub(crate) mean: f64,
    pub(crate) std: f64,
    pub(crate) distribution: TileDistribution,
    pub(crate) bins: usize,
}

impl Tile {
    /// Fits mean and standard deviation of the (transformed) values.
    pub(crate) fn fit(
        values: impl Iterator<Item = f32>,
        distribution: TileDistribution,
        bins: usize,
    ) -> Tile {
        let (mut n, mut s1, mut s2) = (0f64, 0f64, 0f64);
        for x in values {
            let t = transform(distribution, f64::from(x));
            n += 1.0;
            s1 += t;
            s2 += t * t;
        }
        let mean = if n > 0.0 { s1 / n } else { 0.0 };
        let var = if n > 0.0 {
            (s2 / n - mean * mean).max(0.0)
        } else {
            0.0
        };
        Tile {
            mean,
            std: var.sqrt(),
            distribution,
            bins,
        }
    }

    /// The bin of `x`.
    pub(crate) fn encode(&self, x: f32) -> u8 {
        let p = self.cdf(f64::from(x));
        ((p * self.bins as f64) as usize).min(self.bins - 1) as u8
    }

    /// Every bin's centroid, in bin order.
    pub(crate) fn centroids(&self) -> Vec<f32> {
        (0..self.bins)
            .map(|b| self.quantile((b as f64 + 0.5) / self.bins as f64) as f32)
            .collect()
    }

    fn cdf(&self, x: f64) -> f64 {
        let t = match self.distribution {
            TileDistribution::Normal => x,
            TileDistribution::LogNormal if x > 0.0 => x.ln(),
            TileDistribution::LogNormal => return 0.0,
        };
        if self.std > 0.0 {
            normal_cdf((t - self.mean) / self.std)
        } else if t < self.mean {
            0.0
        } else {
            // A constant dimension: every value lands in the middle bin.
            0.5
        }
    }

    fn quantile(&self, p: f64) -> f64 {
        let t = self.mean + self.std * normal_quantile(p);
        match self.distribution {
            TileDistribution::Normal => t,
            TileDistribution::LogNormal => t.exp(),
        }
    }
}

fn transform(distribution: TileDistribution, x: f64) -> f64 {
    match distribution {
        TileDistribution::Normal => x,
        TileDistribution::LogNormal if x > 0.0 => x.ln(),
        TileDistribution::LogNormal => 0.0,
    }
}

/// The standard normal CDF, `erfc(-z/√2) / 2`.
pub(crate) fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The standard normal quantile by bisection on [`normal_cdf`]: only used while fitting, and
/// exact to the CDF's own precision.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    let (mut lo, mut hi) = (-12.0f64, 12.0f64);
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if normal_cdf(mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The complementary error function by the Chebyshev-fitted rational approximation of
/// Numerical Recipes (`erfcc`), relative error below 1.2e-7 everywhere.
pub(crate) fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}
