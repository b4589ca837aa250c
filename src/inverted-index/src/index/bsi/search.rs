//! O'Neil's bit-sliced range search on one layer: walk the bits from the most significant
//! down, keeping the docs whose value so far equals the bound's prefix (`eq`) and moving the
//! docs that leave it either into the result or out of the search.
//!
//! For `[lo, hi]` the bits where `lo` and `hi` agree only narrow `eq`; at the first bit where
//! they differ `eq` splits into the docs that continue with `lo`'s prefix (which then only
//! need `>= lo`) and those that continue with `hi`'s (which only need `<= hi`), so a two-sided
//! range costs no more than two one-sided searches on halves. Bits that are the same for
//! every doc of the layer cost no bitmap operation; a one-sided search stops as soon as the
//! rest of its bound cannot exclude anything.

use roaring::RoaringBitmap;

use super::{Layer, BITS};

/// A bit of the values of a layer.
#[derive(Debug, Clone, Copy)]
enum Column<'a> {
    /// Every doc of the layer has this bit value.
    Constant(bool),
    /// Docs differ; the slice of the docs whose bit differs from the base's.
    Mixed(&'a RoaringBitmap),
}

/// One search over one layer.
pub(super) struct Search<'a> {
    layer: &'a Layer,
    base: u128,
    docs: u64,
}

fn bit(x: u128, i: usize) -> bool {
    x >> i & 1 == 1
}

/// Bits `0..=i` of `x`.
fn low(x: u128, i: usize) -> u128 {
    if i + 1 >= BITS {
        x
    } else {
        x & ((1u128 << (i + 1)) - 1)
    }
}

impl<'a> Search<'a> {
    pub fn new(layer: &'a Layer, base: u128) -> Self {
        Search {
            layer,
            base,
            docs: layer.exists.len(),
        }
    }

    fn column(&self, i: usize) -> Column<'a> {
        let base = bit(self.base, i);
        match self.layer.slice(i) {
            None => Column::Constant(base),
            Some(s) if s.len() == self.docs => Column::Constant(!base),
            Some(s) => Column::Mixed(s),
        }
    }

    /// The docs of `eq` whose bit `i` is `want`; `s` is the slice of the mixed column `i`.
    fn keep(
        &self,
        mut eq: RoaringBitmap,
        s: &RoaringBitmap,
        i: usize,
        want: bool,
    ) -> RoaringBitmap {
        // the slice holds the docs whose bit differs from the base's
        if want != bit(self.base, i) {
            eq &= s;
        } else {
            eq -= s;
        }
        eq
    }

    /// `eq` split into the docs whose bit `i` is 0 and those where it is 1; `s` is the slice
    /// of the mixed column `i`.
    fn split(
        &self,
        mut eq: RoaringBitmap,
        s: &RoaringBitmap,
        i: usize,
    ) -> (RoaringBitmap, RoaringBitmap) {
        let flipped = &eq & s;
        eq -= s;
        if bit(self.base, i) {
            (flipped, eq)
        } else {
            (eq, flipped)
        }
    }

    /// Adds to `out` the docs of the layer with a value in `[lo, hi]` (`lo <= hi`), as
    /// disjoint parts: or-ing each part into a growing result as it is found would copy the
    /// result once per bit; the caller unites all parts in one pass.
    pub fn between(&self, lo: u128, hi: u128, out: &mut Vec<RoaringBitmap>) {
        if lo == 0 && hi == u128::MAX {
            return push(out, self.layer.exists.clone());
        }
        let mut eq = self.layer.exists.clone();
        for i in (0..BITS).rev() {
            if eq.is_empty() {
                return;
            }
            let (l, h) = (bit(lo, i), bit(hi, i));
            let column = self.column(i);
            if l == h {
                match column {
                    Column::Constant(b) if b == l => {}
                    Column::Constant(_) => return,
                    Column::Mixed(s) => eq = self.keep(eq, s, i, l),
                }
                continue;
            }
            // lo < hi, so here lo has 0 and hi has 1
            let (zeros, ones) = match column {
                Column::Constant(false) => (eq, RoaringBitmap::new()),
                Column::Constant(true) => (RoaringBitmap::new(), eq),
                Column::Mixed(s) => self.split(eq, s, i),
            };
            self.at_least(zeros, lo, i, out);
            return self.at_most(ones, hi, i, out);
        }
        push(out, eq);
    }

    /// Adds to `out` the docs of `eq` (whose bits above `top` equal those of `c`) with a
    /// value `>= c`.
    fn at_least(&self, mut eq: RoaringBitmap, c: u128, top: usize, out: &mut Vec<RoaringBitmap>) {
        for i in (0..top).rev() {
            if eq.is_empty() || low(c, i) == 0 {
                // nothing left, or every remaining value is >= the rest of c
                break;
            }
            match (self.column(i), bit(c, i)) {
                (Column::Constant(b), cb) if b == cb => {}
                // every doc has 1 where c has 0: all greater
                (Column::Constant(true), _) => break,
                // every doc has 0 where c has 1: all smaller
                (Column::Constant(false), _) => return,
                (Column::Mixed(s), false) => {
                    let (zeros, ones) = self.split(eq, s, i);
                    push(out, ones);
                    eq = zeros;
                }
                (Column::Mixed(s), true) => eq = self.keep(eq, s, i, true),
            }
        }
        push(out, eq);
    }

    /// Adds to `out` the docs of `eq` (whose bits above `top` equal those of `c`) with a
    /// value `<= c`.
    fn at_most(&self, mut eq: RoaringBitmap, c: u128, top: usize, out: &mut Vec<RoaringBitmap>) {
        for i in (0..top).rev() {
            if eq.is_empty() || low(!c, i) == 0 {
                // nothing left, or every remaining value is <= the rest of c
                break;
            }
            match (self.column(i), bit(c, i)) {
                (Column::Constant(b), cb) if b == cb => {}
                // every doc has 0 where c has 1: all smaller
                (Column::Constant(false), _) => break,
                // every doc has 1 where c has 0: all greater
                (Column::Constant(true), _) => return,
                (Column::Mixed(s), true) => {
                    let (zeros, ones) = self.split(eq, s, i);
                    push(out, zeros);
                    eq = ones;
                }
                (Column::Mixed(s), false) => eq = self.keep(eq, s, i, false),
            }
        }
        push(out, eq);
    }
}

fn push(out: &mut Vec<RoaringBitmap>, part: RoaringBitmap) {
    if !part.is_empty() {
        out.push(part);
    }
}
