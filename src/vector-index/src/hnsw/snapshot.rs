//! Persistence of the graph: [`HnswIndex::write_graph`] and [`HnswIndex::read_graph`].
//!
//! # Format (version 3, little-endian)
//! ```text
//! header  "SHOALHNW" · version u32 · metric u8 · M u32 · efConstruction u32 · dim u32
//!         · slots u32 · entry node u32 · top level u32 · level rng state u64
//!         · compressed u8 · if 1: length u32 · the quantizer (quantization's own format)
//!         · checksum u64 of the header so far (checked before the slots are allocated)
//! slots   per slot: tag u8 (0 free, 1 live, 3 tombstone, 5 tombstone without vector);
//!         unless free: doc u32 · level u8
//!         · layer 0: count u16 · ids u32.. · each level 1..=level: count u16 · ids u32..
//!         · tag 3 only: the stored vector, dim × f32 (the caller no longer has it)
//!         · compressed only: the code, words × u64
//! footer  checksum u64 of every byte before it
//! ```
//! Live vectors are not written: the caller owns them and streams them back on restore.
//! Version 2 added tag 5, written by capped indexes for tombstones whose vector was evicted;
//! version 3 the compression state and codes, so that a restart neither retrains nor
//! re-encodes. Versions 1 and 2 are read as well (uncompressed). A restored capped index keeps
//! no more vectors than its cap; a resident uncompressed one frees the tombstones without a
//! vector (their neighbours reconnected); a compressed one keeps them, as their codes route.

use std::io::{self, Read, Write};
use std::sync::atomic::Ordering;

use types::schema::Distance;
use types::DocId;

use super::cleanup::Dead;
use super::insert::splitmix64;
use super::storage::{set_upper_list, upper_list, Storage, UpperBlock, DELETED, NONE, USED};
use super::{HnswIndex, HnswParams, Ids, VectorCache, VectorLoader, MAX_LEVEL};
use crate::distance;
use crate::error::{Error, Result};
use crate::quantization::Quantizer;
use crate::validate;

const MAGIC: &[u8; 8] = b"SHOALHNW";
const VERSION: u32 = 3;
/// The largest quantizer state read: a PQ codebook of 256 centroids for 65,536 dimensions
/// plus tile statistics is about 68 MiB.
const MAX_QUANTIZER_BYTES: usize = 1 << 28;
const TAG_FREE: u8 = 0;
const TAG_LIVE: u8 = 1;
const TAG_TOMBSTONE: u8 = 3;
const TAG_TOMBSTONE_BARE: u8 = 5;
const BUFFER: usize = 1 << 16;
/// Slots a snapshot reads per hold of the storage lock: short enough that inserts waiting
/// for it barely notice, long enough that taking the lock costs nothing.
const WRITE_CHUNK: usize = 4_096;

fn metric_code(metric: Distance) -> u8 {
    match metric {
        Distance::Cosine => 0,
        Distance::Dot => 1,
        Distance::L2Squared => 2,
        Distance::Manhattan => 3,
        Distance::Hamming => 4,
    }
}

fn corrupt(message: impl Into<String>) -> Error {
    Error::CorruptGraph(message.into())
}

fn incompatible(message: impl Into<String>) -> Error {
    Error::IncompatibleGraph(message.into())
}

impl HnswIndex {
    /// Serialises the graph — node ids, levels, links, entry point, tombstones (with their
    /// vectors, which the caller no longer has) and the fixed parameters — but not the live
    /// vectors, in the versioned, checksummed format described in the module docs.
    ///
    /// Searches, inserts and removals may run meanwhile: the graph is read in chunks of
    /// [`WRITE_CHUNK`] slots, each under the storage read lock only, and written out with no
    /// lock held. The snapshot holds the slots handed out when it started; later nodes and the
    /// links to them are left out, and freed slots are not reused until it is done, so no doc
    /// is written live twice. Changes made meanwhile may be missing or half there (each link
    /// list is still consistent), which the caller's log replay makes good by re-inserting
    /// the ids written since the snapshot started.
    pub fn write_graph(&self, out: &mut dyn Write) -> io::Result<()> {
        self.snapshots.fetch_add(1, Ordering::AcqRel);
        let written = self.write_graph_chunked(out);
        self.snapshots.fetch_sub(1, Ordering::AcqRel);
        written
    }

    fn write_graph_chunked(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut w = Writer::new(out);
        let (slots, coded) = {
            let st = self.storage.read();
            let slots = self.ids.read().next;
            let (entry, top) = self
                .entry()
                .map_or((NONE, NONE), |(node, top)| (node, top as u32));
            w.bytes(MAGIC);
            w.u32(VERSION);
            w.bytes(&[metric_code(self.metric)]);
            w.u32(self.m as u32);
            w.u32(self.ef_construction as u32);
            w.u32(st.dim as u32);
            w.u32(slots);
            w.u32(entry);
            w.u32(top);
            w.u64(self.rng.load(Ordering::Relaxed));
            // Compression is never undone, so codes exist for every slot written below if
            // they existed now.
            match &st.quant {
                Some(quant) => {
                    let mut blob = Vec::new();
                    quant.write(&mut blob);
                    w.bytes(&[1]);
                    w.u32(blob.len() as u32);
                    w.bytes(&blob);
                }
                None => w.bytes(&[0]),
            }
            (slots, st.quant.is_some())
        };
        w.checksum()?;
        let mut links = Vec::new();
        for first in (0..slots).step_by(WRITE_CHUNK) {
            {
                let st = self.storage.read();
                for node in first..slots.min(first + WRITE_CHUNK as u32) {
                    self.write_slot(&st, node, slots, &mut links, &mut w);
                    if coded && st.flags(node) & USED != 0 {
                        for &word in st.code(node) {
                            w.u64(word);
                        }
                    }
                }
            }
            w.flush()?;
        }
        w.checksum()?;
        w.out.flush()
    }

    /// One slot of the graph, with links to slots at or above `slots` left out.
    fn write_slot(
        &self,
        st: &Storage,
        node: u32,
        slots: u32,
        links: &mut Vec<u32>,
        w: &mut Writer,
    ) {
        let flags = st.flags(node);
        if flags & USED == 0 {
            w.bytes(&[TAG_FREE]);
            return;
        }
        let tombstone = (flags & DELETED != 0).then(|| st.stored_vector(node));
        w.bytes(&[match tombstone {
            None => TAG_LIVE,
            Some(Some(_)) => TAG_TOMBSTONE,
            Some(None) => TAG_TOMBSTONE_BARE,
        }]);
        w.u32(st.doc(node));
        {
            // The level is read under the node's lock, which a promotion holds.
            let upper = st.lock_node(node);
            let level = st.level(node);
            w.bytes(&[level as u8]);
            st.neighbors_into(node, 0, links);
            links.retain(|&l| l < slots);
            w.list(links);
            for lev in 1..=level {
                links.clear();
                let list = upper_list(upper.as_deref(), lev, self.m).unwrap_or(&[]);
                links.extend(list.iter().filter(|&&l| l < slots));
                w.list(links);
            }
        }
        if let Some(Some(vector)) = tombstone {
            for &x in vector {
                w.bytes(&x.to_le_bytes());
            }
        }
    }

    /// Rebuilds an index from a graph written by [`HnswIndex::write_graph`] plus the vectors.
    /// `vectors` is called once with a sink to feed every `(id, vector)` the caller has. Graph
    /// nodes whose id is never fed are removed (their neighbours reconnected); fed ids the graph
    /// lacks are returned, sorted, for the caller to insert. A corrupt or incompatible graph
    /// (other metric or `max_connections`, other dimension than the fed vectors) is an error.
    #[allow(clippy::type_complexity)] // the signature the shard integrates against
    pub fn read_graph(
        metric: Distance,
        params: HnswParams,
        graph: &mut dyn Read,
        vectors: &mut dyn FnMut(&mut dyn FnMut(DocId, &[f32])),
    ) -> Result<(HnswIndex, Vec<DocId>)> {
        let index = HnswIndex::new(metric, params);
        let bare = index.read_nodes(graph, None)?;
        let missing = index.attach_vectors(vectors, bare)?;
        Ok((index, missing))
    }

    /// [`HnswIndex::read_graph`] for an index that, if the graph was written compressed,
    /// keeps no full vectors: the fed vectors only tell which ids exist, and rescoring reads
    /// vectors through `loader`. A graph written uncompressed restores as by `read_graph`.
    #[allow(clippy::type_complexity)]
    pub fn read_graph_compressed(
        metric: Distance,
        params: HnswParams,
        loader: VectorLoader,
        graph: &mut dyn Read,
        vectors: &mut dyn FnMut(&mut dyn FnMut(DocId, &[f32])),
    ) -> Result<(HnswIndex, Vec<DocId>)> {
        let index = HnswIndex::new(metric, params);
        let bare = index.read_nodes(graph, Some(loader))?;
        let missing = index.attach_vectors(vectors, bare)?;
        Ok((index, missing))
    }

    /// [`HnswIndex::read_graph`] for an index capped by `cache`: it keeps at most
    /// `cache.max_objects` of the restored vectors in memory.
    #[allow(clippy::type_complexity)]
    pub fn read_graph_with_cache(
        metric: Distance,
        params: HnswParams,
        cache: VectorCache,
        graph: &mut dyn Read,
        vectors: &mut dyn FnMut(&mut dyn FnMut(DocId, &[f32])),
    ) -> Result<(HnswIndex, Vec<DocId>)> {
        let index = HnswIndex::with_vector_cache(metric, params, cache);
        let bare = index.read_nodes(graph, None)?;
        let missing = index.attach_vectors(vectors, bare)?;
        Ok((index, missing))
    }

    /// Reads and validates the header and the slots into this (new, unshared) index. Returns
    /// the tombstones stored without a vector. A compressed graph read with a `loader` keeps
    /// no vectors.
    fn read_nodes(&self, graph: &mut dyn Read, loader: Option<VectorLoader>) -> Result<Vec<u32>> {
        let mut r = Reader::new(graph);
        let mut magic = [0u8; 8];
        r.bytes(&mut magic)?;
        if &magic != MAGIC {
            return Err(corrupt("not an HNSW graph (bad magic)"));
        }
        let version = r.u32()?;
        if !(1..=VERSION).contains(&version) {
            return Err(incompatible(format!(
                "graph format version {version}, expected {VERSION}"
            )));
        }
        let metric = r.u8()?;
        let m = r.u32()? as usize;
        let _ef_construction = r.u32()?;
        let dim = r.u32()? as usize;
        let slots = r.u32()?;
        let entry = r.u32()?;
        let top = r.u32()?;
        let rng = r.u64()?;
        let blob = if version >= 3 && r.u8()? == 1 {
            let len = r.u32()? as usize;
            if len > MAX_QUANTIZER_BYTES {
                return Err(corrupt(format!("compression state of {len} bytes")));
            }
            Some(r.chunked(len)?)
        } else {
            None
        };
        r.check("header")?;
        if metric != metric_code(self.metric) {
            return Err(incompatible(format!(
                "graph was built for metric code {metric}, index uses {:?}",
                self.metric
            )));
        }
        if m != self.m {
            return Err(incompatible(format!(
                "graph has maxConnections {m}, index uses {}",
                self.m
            )));
        }
        if slots > 0 && dim == 0 {
            return Err(corrupt("graph has nodes but no dimension"));
        }
        if slots == NONE {
            return Err(corrupt("slot count out of range"));
        }
        let mut st = self.storage.write();
        st.dim = dim;
        if let Some(blob) = blob {
            st.install_codes(Quantizer::read(&blob, self.metric, dim)?, &[]);
            if let Some(loader) = loader {
                st.drop_vectors(loader);
            }
        }
        let words = st.quant.as_ref().map_or(0, |q| q.code_words());
        let mut code = vec![0u64; words];
        let mut ids = Ids {
            next: slots,
            ..Ids::default()
        };
        let mut live = Vec::new();
        let mut tombstones = 0;
        let mut bare = Vec::new();
        let mut links = Vec::new();
        let mut vector = vec![0f32; dim];
        for node in 0..slots {
            if node as usize >= st.capacity() {
                st.grow();
            }
            let tag = r.u8()?;
            match tag {
                TAG_FREE => {
                    ids.free.push(node);
                    continue;
                }
                TAG_LIVE | TAG_TOMBSTONE => {}
                TAG_TOMBSTONE_BARE if version >= 2 => {}
                _ => return Err(corrupt(format!("slot {node} has unknown tag {tag}"))),
            }
            let doc = r.u32()?;
            let level = usize::from(r.u8()?);
            if level > MAX_LEVEL {
                return Err(corrupt(format!("node {node} has level {level}")));
            }
            r.list(st.m0, slots, &mut links)?;
            st.write_links0(node, &links);
            if level > 0 {
                let mut block = vec![0; level * (m + 1)];
                for lev in 1..=level {
                    r.list(m, slots, &mut links)?;
                    set_upper_list(&mut block, lev, m, &links);
                }
                self.upper_bytes
                    .fetch_add(UpperBlock::bytes_for(block.len()), Ordering::Relaxed);
                *st.lock_node(node) = Some(UpperBlock::from(block));
            }
            st.set_level(node, level as u8);
            st.set_doc(node, doc);
            if tag == TAG_TOMBSTONE {
                for x in vector.iter_mut() {
                    *x = f32::from_le_bytes(r.array()?);
                }
                validate::components(&vector)
                    .map_err(|err| corrupt(format!("tombstone {node}: {err}")))?;
                // SAFETY: the index is still private to this thread.
                unsafe { st.put_vector(node, &vector, false) };
                st.set_flags(node, USED | DELETED);
                tombstones += 1;
            } else if tag == TAG_TOMBSTONE_BARE {
                st.set_flags(node, USED | DELETED);
                tombstones += 1;
                bare.push(node);
            } else {
                st.set_flags(node, USED);
                live.push((node, doc));
            }
            if words > 0 {
                for word in code.iter_mut() {
                    *word = r.u64()?;
                }
                // SAFETY: the index is still private to this thread.
                unsafe { st.put_code(node, &code) };
            }
        }
        r.check("graph")?;
        validate_links(&st, slots)?;
        if entry != NONE {
            let valid =
                entry < slots && st.flags(entry) & USED != 0 && st.level(entry) == top as usize;
            if !valid {
                return Err(corrupt(format!(
                    "entry point {entry} at level {top} is invalid"
                )));
            }
        }
        for &(node, doc) in &live {
            if ids.node_of(doc).is_some() {
                return Err(corrupt(format!("id {doc} has two live nodes")));
            }
            ids.set(doc, node);
        }
        ids.live = live.len();
        ids.free.reverse();
        *self.ids.write() = ids;
        self.tombstones.store(tombstones, Ordering::Relaxed);
        self.rng.store(rng, Ordering::Relaxed);
        self.set_entry((entry != NONE).then_some((entry, top as usize)));
        Ok(bare)
    }

    /// Streams the caller's vectors into the slots of their live nodes (a capped index keeps
    /// those that fit); removes the nodes whose ids were not fed, and in a resident index the
    /// `bare` tombstones (stored without a vector); returns the fed ids without a node.
    #[allow(clippy::type_complexity)]
    fn attach_vectors(
        &self,
        vectors: &mut dyn FnMut(&mut dyn FnMut(DocId, &[f32])),
        bare: Vec<u32>,
    ) -> Result<Vec<DocId>> {
        let mut missing = Vec::new();
        let mut failure = None;
        let mut fed = Vec::new();
        {
            let st = self.storage.read();
            let ids = self.ids.read();
            fed.resize((ids.next as usize).div_ceil(64), 0u64);
            let mut normalised = Vec::new();
            let mut sink = |doc: DocId, vector: &[f32]| {
                if failure.is_some() {
                    return;
                }
                let Some(node) = ids.node_of(doc) else {
                    missing.push(doc);
                    return;
                };
                if vector.len() != st.dim {
                    failure = Some(incompatible(format!(
                        "the vector of id {doc} has length {}, the graph's have {}",
                        vector.len(),
                        st.dim
                    )));
                    return;
                }
                if let Err(err) = validate::components(vector) {
                    failure = Some(err);
                    return;
                }
                normalised.clear();
                normalised.extend_from_slice(vector);
                if self.metric == Distance::Cosine {
                    distance::normalize(&mut normalised);
                }
                // SAFETY: the index is still private to this thread.
                unsafe { st.put_vector(node, &normalised, false) };
                fed[node as usize / 64] |= 1 << (node % 64);
            };
            vectors(&mut sink);
        }
        if let Some(err) = failure {
            return Err(err);
        }
        let gone: Vec<u32> = {
            let st = self.storage.read();
            let mut ids = self.ids.write();
            let gone: Vec<u32> = (0..ids.next)
                .filter(|&n| st.is_live(n) && fed[n as usize / 64] & (1 << (n % 64)) == 0)
                .collect();
            for &node in &gone {
                let doc = st.doc(node);
                ids.doc_to_node[doc as usize] = NONE;
                ids.live -= 1;
                st.mark_deleted(node);
            }
            gone
        };
        self.tombstones.fetch_add(gone.len(), Ordering::Relaxed);
        let mut dead = gone;
        {
            // Bare tombstones cannot be traversed by vector; by code they can.
            let st = self.storage.read();
            if st.cache.is_none() && st.quant.is_none() {
                dead.extend(bare);
            }
        }
        if !dead.is_empty() {
            let mut dead = Dead::new(dead, self.storage.read().capacity());
            self.purge(&mut dead, true);
        }
        if self.entry().is_none() {
            let st = self.storage.read();
            self.set_entry(self.best_entry(&st, &Dead::new(Vec::new(), 0)));
        }
        missing.sort_unstable();
        missing.dedup();
        Ok(missing)
    }
}

/// Every link must point to a used slot whose level reaches the link's layer.
fn validate_links(st: &Storage, slots: u32) -> Result<()> {
    let mut links = Vec::new();
    for node in (0..slots).filter(|&n| st.flags(n) & USED != 0) {
        for level in 0..=st.level(node) {
            st.neighbors_into(node, level, &mut links);
            for &link in &links {
                if link == node || st.flags(link) & USED == 0 || st.level(link) < level {
                    return Err(corrupt(format!(
                        "node {node} links to {link} at level {level}, which cannot be there"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// A word-at-a-time checksum: every step is a bijection of the state for a fixed input word,
/// so any change to a single word changes the result.
#[derive(Clone)]
struct Checksum {
    state: u64,
    tail: [u8; 8],
    tail_len: usize,
    total: u64,
}

impl Checksum {
    fn new() -> Self {
        Checksum {
            state: 0x243F_6A88_85A3_08D3,
            tail: [0; 8],
            tail_len: 0,
            total: 0,
        }
    }

    #[inline]
    fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn update(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.tail_len > 0 {
            let take = (8 - self.tail_len).min(bytes.len());
            self.tail[self.tail_len..self.tail_len + take].copy_from_slice(&bytes[..take]);
            self.tail_len += take;
            bytes = &bytes[take..];
            if self.tail_len < 8 {
                return;
            }
            self.mix(u64::from_le_bytes(self.tail));
            self.tail_len = 0;
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.mix(u64::from_le_bytes(word.try_into().expect("8 bytes")));
        }
        let rest = words.remainder();
        self.tail[..rest.len()].copy_from_slice(rest);
        self.tail_len = rest.len();
    }

    fn value(&self) -> u64 {
        let mut copy = self.clone();
        if copy.tail_len > 0 {
            copy.tail[copy.tail_len..].fill(0);
            copy.mix(u64::from_le_bytes(copy.tail));
        }
        splitmix64(copy.state ^ copy.total)
    }
}

/// Buffered output that checksums what it writes.
struct Writer<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    sum: Checksum,
}

impl<'a> Writer<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        Writer {
            out,
            buf: Vec::with_capacity(BUFFER + 4096),
            sum: Checksum::new(),
        }
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn u32(&mut self, x: u32) {
        self.bytes(&x.to_le_bytes());
    }

    fn u64(&mut self, x: u64) {
        self.bytes(&x.to_le_bytes());
    }

    fn list(&mut self, ids: &[u32]) {
        self.bytes(&(ids.len() as u16).to_le_bytes());
        for &id in ids {
            self.u32(id);
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.sum.update(&self.buf);
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Writes the checksum of everything so far.
    fn checksum(&mut self) -> io::Result<()> {
        self.flush()?;
        let value = self.sum.value();
        self.u64(value);
        self.flush()
    }
}

/// Buffered input that checksums what it consumes; running out of bytes is corruption.
struct Reader<'a> {
    input: &'a mut dyn Read,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    sum: Checksum,
    /// Reused for the bytes of one link list.
    scratch: Vec<u8>,
}

impl<'a> Reader<'a> {
    fn new(input: &'a mut dyn Read) -> Self {
        Reader {
            input,
            buf: vec![0; BUFFER].into_boxed_slice(),
            pos: 0,
            end: 0,
            sum: Checksum::new(),
            scratch: Vec::new(),
        }
    }

    fn bytes(&mut self, out: &mut [u8]) -> Result<()> {
        let mut done = 0;
        while done < out.len() {
            if self.pos == self.end {
                self.pos = 0;
                self.end = loop {
                    match self.input.read(&mut self.buf) {
                        Ok(0) => return Err(corrupt("graph is truncated")),
                        Ok(n) => break n,
                        Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                        Err(err) => return Err(corrupt(format!("reading the graph: {err}"))),
                    }
                };
            }
            let take = (out.len() - done).min(self.end - self.pos);
            let chunk = &self.buf[self.pos..self.pos + take];
            self.sum.update(chunk);
            out[done..done + take].copy_from_slice(chunk);
            self.pos += take;
            done += take;
        }
        Ok(())
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut bytes = [0; N];
        self.bytes(&mut bytes)?;
        Ok(bytes)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Reads `len` bytes, allocating as they arrive so that a corrupt length fails at the end
    /// of the input instead of allocating it all.
    fn chunked(&mut self, len: usize) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        while out.len() < len {
            let start = out.len();
            out.resize(start + (len - start).min(BUFFER), 0);
            self.bytes(&mut out[start..])?;
        }
        Ok(out)
    }

    /// Reads a link list of at most `bound` ids, each below `slots`.
    fn list(&mut self, bound: usize, slots: u32, out: &mut Vec<u32>) -> Result<()> {
        let count = usize::from(u16::from_le_bytes(self.array()?));
        if count > bound {
            return Err(corrupt(format!("link list of {count} exceeds {bound}")));
        }
        // One read for the whole list: reading id by id costs more than parsing on restore.
        let mut raw = std::mem::take(&mut self.scratch);
        raw.resize(count * 4, 0);
        let read = self.bytes(&mut raw);
        out.clear();
        out.extend(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        self.scratch = raw;
        read?;
        match out.iter().find(|&&id| id >= slots) {
            Some(id) => Err(corrupt(format!("link to slot {id} of {slots}"))),
            None => Ok(()),
        }
    }

    /// Reads a stored checksum and compares it with the one of the bytes before it.
    fn check(&mut self, what: &str) -> Result<()> {
        let expected = self.sum.value();
        let stored = self.u64()?;
        if stored == expected {
            Ok(())
        } else {
            Err(corrupt(format!("{what} checksum mismatch")))
        }
    }
}

/// A version-3 graph written uncompressed, rewritten as version 2 wrote it (no compression
/// byte, both checksums recomputed): old snapshots must keep loading.
#[cfg(test)]
pub(super) fn as_version_2(v3: &[u8]) -> Vec<u8> {
    // magic 8, version 4, metric 1, M 4, efC 4, dim 4, slots 4, entry 4, top 4, rng 8.
    const HEADER: usize = 45;
    assert_eq!(
        v3[HEADER], 0,
        "only an uncompressed graph has a version 2 form"
    );
    let mut out = v3[..HEADER].to_vec();
    out[8..12].copy_from_slice(&2u32.to_le_bytes());
    let mut sum = Checksum::new();
    sum.update(&out);
    out.extend_from_slice(&sum.value().to_le_bytes());
    let slots = &v3[HEADER + 1 + 8..v3.len() - 8];
    out.extend_from_slice(slots);
    let mut sum = Checksum::new();
    sum.update(&out);
    out.extend_from_slice(&sum.value().to_le_bytes());
    out
}
