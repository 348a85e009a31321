//! Building a table: T2's CIDR blocks over the open country and AS datasets, flattened into
//! sorted segments.
//!
//! Precedence, for every address: the longest T2 block holding it (the first one listed when
//! two blocks are equal), else the open datasets (country from one, AS number and organisation
//! from the other, either may be missing), else no label. T2's blocks win because the labels
//! must equal what T2 0.9.3 writes wherever its tables know the address.

use std::collections::{BTreeSet, HashMap};

use crate::format::{self, HEADER, MAGIC, NO_LABEL, ORG_MAX, RANGE_LABEL, VERSION};
use crate::table::{mask, max};
use crate::{Label, LabelId, Table};

/// What a source says about a range: country code, AS number, organisation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Info {
    /// Country or special-range code, `[0, 0]` when unknown (see [`country_code`]).
    pub cc: [u8; 2],
    /// AS number, 0 when unknown.
    pub asn: u32,
    /// Organisation, as the source spells it (cleaned when the table is built).
    pub org: Vec<u8>,
}

/// A CIDR block of T2's tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// Network address (host bits are ignored).
    pub net: u128,
    /// Prefix length.
    pub prefix: u8,
    /// Its label.
    pub info: Info,
}

/// AS number and organisation, as the AS dataset gives them.
pub type AsOrg = (u32, Vec<u8>);

/// An inclusive range of addresses of an open dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range<T> {
    /// First address.
    pub first: u128,
    /// Last address.
    pub last: u128,
    /// What the dataset says about it.
    pub value: T,
}

/// The sources of one family's table.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// Address width in bits: 32 or 128.
    pub bits: u32,
    /// T2's blocks, in file order.
    pub cidrs: Vec<Cidr>,
    /// Country of each range.
    pub countries: Vec<Range<[u8; 2]>>,
    /// AS number and organisation of each range.
    pub asns: Vec<Range<AsOrg>>,
}

/// A label record before encoding.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct LabelRec {
    cc: [u8; 2],
    prefix: u8,
    asn: u32,
    org: Vec<u8>,
}

/// A built table, ready to be encoded.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    bits: u32,
    segments: Vec<(u128, u32)>,
    labels: Vec<LabelRec>,
    /// Revision stamped into the file (`YYYYMMDD`).
    pub revision: u32,
}

/// `code` as a table stores it: two bytes, lower case; `-`, empty or malformed codes are
/// unknown (`[0, 0]`).
pub fn country_code(code: &[u8]) -> [u8; 2] {
    match code {
        [a, b] if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() => {
            [a.to_ascii_lowercase(), b.to_ascii_lowercase()]
        }
        _ => [0, 0],
    }
}

/// An organisation as the tables keep it: control characters become spaces (the packet file
/// prints it raw between TABs), `-` is unknown (empty), at most [`ORG_MAX`] bytes as T2 keeps,
/// cut at a character boundary.
fn clean_org(org: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = org.iter().map(|&b| if b < 0x20 || b == 0x7f { b' ' } else { b }).collect();
    let mut v = spaced.trim_ascii().to_vec();
    if v == b"-" {
        v.clear();
    }
    if v.len() > ORG_MAX {
        let mut end = ORG_MAX;
        while end > 0 && (v[end] & 0xc0) == 0x80 {
            end -= 1;
        }
        v.truncate(end);
    }
    v
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Cidr,
    Country,
    Asn,
}

impl Inputs {
    /// Flattens the sources into segments (see the module documentation for precedence).
    pub fn merge(&self) -> Tables {
        let top = max(self.bits);
        // (position, is_start, layer, index): a range adds itself at its first address and
        // leaves at the one after its last
        let mut events: Vec<(u128, bool, Layer, usize)> = Vec::new();
        let mut push = |first: u128, last: u128, layer, i| {
            if first > last || last > top {
                return;
            }
            events.push((first, true, layer, i));
            if last < top {
                events.push((last + 1, false, layer, i));
            }
        };
        for (i, c) in self.cidrs.iter().enumerate() {
            let m = mask(self.bits, u32::from(c.prefix));
            push(c.net & m, (c.net & m) | (top & !m), Layer::Cidr, i);
        }
        for (i, r) in self.countries.iter().enumerate() {
            push(r.first, r.last, Layer::Country, i);
        }
        for (i, r) in self.asns.iter().enumerate() {
            push(r.first, r.last, Layer::Asn, i);
        }
        events.sort_unstable_by_key(|&(pos, start, layer, i)| (pos, start, layer, i));

        let mut out = Tables { bits: self.bits, ..Tables::default() };
        let mut ids: HashMap<LabelRec, u32> = HashMap::new();
        // per layer: (rank, index); the first is the winner (for T2's blocks the longest
        // prefix, then file order; for the datasets, file order)
        let mut cidrs: BTreeSet<(u8, usize)> = BTreeSet::new();
        let mut countries: BTreeSet<(u8, usize)> = BTreeSet::new();
        let mut asns: BTreeSet<(u8, usize)> = BTreeSet::new();
        let mut k = 0;
        while k < events.len() {
            let pos = events[k].0;
            while let Some(&(p, start, layer, i)) = events.get(k)
                && p == pos
            {
                let (set, rank) = match layer {
                    Layer::Cidr => (&mut cidrs, u8::MAX - self.cidrs[i].prefix),
                    Layer::Country => (&mut countries, 0),
                    Layer::Asn => (&mut asns, 0),
                };
                if start {
                    set.insert((rank, i));
                } else {
                    set.remove(&(rank, i));
                }
                k += 1;
            }
            let rec = if let Some(&(_, i)) = cidrs.first() {
                let c = &self.cidrs[i];
                Some(LabelRec { cc: c.info.cc, prefix: c.prefix, asn: c.info.asn, org: clean_org(&c.info.org) })
            } else {
                let cc = countries.first().map(|&(_, i)| self.countries[i].value);
                let asn = asns.first().map(|&(_, i)| &self.asns[i].value);
                (cc.is_some() || asn.is_some()).then(|| LabelRec {
                    cc: cc.unwrap_or([0, 0]),
                    prefix: RANGE_LABEL,
                    asn: asn.map_or(0, |a| a.0),
                    org: asn.map(|a| clean_org(&a.1)).unwrap_or_default(),
                })
            };
            let id = rec.map_or(NO_LABEL, |r| {
                let next = out.labels.len() as u32;
                *ids.entry(r.clone()).or_insert_with(|| {
                    out.labels.push(r);
                    next
                })
            });
            out.add(pos, id);
        }
        if out.segments.first().is_none_or(|s| s.0 != 0) {
            out.segments.insert(0, (0, NO_LABEL));
        }
        out
    }
}

impl Tables {
    /// The part of `table` whose labels `keep` accepts; other segments lose their label.
    /// With [`Label::is_t2`] this gives the tables T2 itself ships (what T2's reference
    /// outputs were made with): the datasets' countries and organisations left out.
    pub fn filtered(table: &Table, keep: impl Fn(&Label<'_>) -> bool) -> Tables {
        let mut out = Tables { bits: table.width() as u32 * 8, revision: table.revision(), ..Tables::default() };
        let mut ids: HashMap<LabelId, u32> = HashMap::new();
        for (pos, label) in table.segment_labels() {
            let id = label.filter(|&l| keep(&table.label(l))).map_or(NO_LABEL, |l| {
                let next = out.labels.len() as u32;
                *ids.entry(l).or_insert_with(|| {
                    let rec = table.label(l);
                    let cc = if rec.cc() == b"-" { [0, 0] } else { country_code(rec.cc()) };
                    let org = if rec.org() == b"-" { Vec::new() } else { rec.org().to_vec() };
                    out.labels.push(LabelRec { cc, prefix: rec.prefix, asn: rec.asn, org });
                    next
                })
            });
            out.add(pos, id);
        }
        out
    }

    /// Starts a segment at `pos` unless the previous one has the same label.
    fn add(&mut self, pos: u128, id: u32) {
        match self.segments.last_mut() {
            Some(last) if last.1 == id => {}
            Some(last) if last.0 == pos => last.1 = id,
            _ => self.segments.push((pos, id)),
        }
    }

    /// Number of segments.
    pub fn segments(&self) -> usize {
        self.segments.len()
    }

    /// Number of distinct labels.
    pub fn labels(&self) -> usize {
        self.labels.len()
    }

    /// The table file (layout in [`crate::format`]).
    pub fn encode(&self) -> Vec<u8> {
        let width = (self.bits / 8) as usize;
        let mut pool: Vec<u8> = Vec::new();
        let mut strings: HashMap<&[u8], u32> = HashMap::new();
        let mut labels = Vec::with_capacity(self.labels.len() * format::LABEL);
        for l in &self.labels {
            let off = *strings.entry(&l.org).or_insert_with(|| {
                let off = pool.len() as u32;
                pool.extend_from_slice(&l.org);
                off
            });
            labels.extend_from_slice(&l.cc);
            labels.push(l.prefix);
            labels.push(l.org.len() as u8);
            labels.extend_from_slice(&l.asn.to_le_bytes());
            labels.extend_from_slice(&off.to_le_bytes());
        }
        let n = self.segments.len();
        let mut out =
            Vec::with_capacity(HEADER + (format::directory(n) + n) * width + n * 4 + labels.len() + pool.len());
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.push(width as u8);
        out.push(0);
        for n in [self.segments.len(), self.labels.len(), pool.len()] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        out.extend_from_slice(&self.revision.to_le_bytes());
        out.extend_from_slice(&[0; 4]);
        for &(start, _) in self.segments.iter().step_by(format::STEP).chain(&self.segments) {
            out.extend_from_slice(&start.to_be_bytes()[16 - width..]);
        }
        for &(_, id) in &self.segments {
            out.extend_from_slice(&id.to_le_bytes());
        }
        out.extend_from_slice(&labels);
        out.extend_from_slice(&pool);
        out
    }
}
