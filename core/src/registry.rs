//! The registry of domestic equivalents: which goods are made in Viet Nam, by whom, with the
//! evidence for each entry (DESIGN.md). This module fixes the interface the rule pack uses;
//! the data and the matcher come later. Until then `EmptyRegistry` answers "nothing known",
//! so the rules that depend on it (VN-R4/R5/R6/R7/R16) never fire on a gap in our data.

use crate::model::{FieldSet, PurchaseLine};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// MPI "trong nước đã sản xuất được" catalogue row (a tax list: a signal, not proof).
    Catalogue,
    /// An award result where a Vietnamese-made item won.
    Award,
    /// A manufacturer's own product line.
    Maker,
    /// The investor's market-consultation record (ND 214 Art. 17(3)).
    MarketConsultation,
    /// Ministry of Health list of drugs with ≥ 3 domestic EU-GMP makers (Luật ĐT Art. 56(2)).
    DrugList,
}

impl EvidenceKind {
    pub fn from_id(s: &str) -> Option<EvidenceKind> {
        Some(match s {
            "catalogue" => EvidenceKind::Catalogue,
            "award" => EvidenceKind::Award,
            "maker" => EvidenceKind::Maker,
            "market_consultation" => EvidenceKind::MarketConsultation,
            "drug_list" => EvidenceKind::DrugList,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// Notice number, circular and row, URL…
    pub reference: String,
    /// ISO date of the evidence, "" when unknown.
    pub date: String,
}

/// A domestic item that may replace the line's item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Equivalent {
    pub maker: String,
    pub product: String,
    pub evidence: Evidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_max: Option<f64>,
    /// Match strength 0..=1; a weak match is a suggestion, never a finding on its own.
    pub score: f64,
    /// Why it matched ("HS 8471.30 + 'máy tính xách tay'").
    pub reason: String,
}

/// The registry's answer for one line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Lookup {
    pub equivalents: Vec<Equivalent>,
    /// Whether the registry's list of domestic makers for this item is complete (backed by an
    /// official list or a market-consultation record). Only then may "fewer than 3 makers"
    /// count against anyone.
    pub complete: bool,
    /// The item is a drug on the Ministry of Health domestic-only list (Art. 56(1)(b)).
    pub drug_domestic_only: bool,
}

/// Matches at or above this score count in rules; weaker ones are only suggestions.
pub const STRONG_MATCH: f64 = 0.8;

impl Lookup {
    /// Equivalents strong enough for a rule to rely on.
    pub fn strong(&self) -> impl Iterator<Item = &Equivalent> {
        self.equivalents.iter().filter(|e| e.score >= STRONG_MATCH)
    }

    /// Distinct domestic makers among the strong equivalents (folded names).
    pub fn domestic_makers(&self) -> usize {
        self.strong()
            .map(|e| crate::text::fold(&e.maker))
            .filter(|m| !m.is_empty())
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// Strong equivalents backed by a given kind of evidence.
    pub fn count(&self, kind: EvidenceKind) -> usize {
        self.strong().filter(|e| e.evidence.kind == kind).count()
    }
}

/// A source of domestic equivalents. Implementations must be cheap to share across threads.
pub trait Registry: Send + Sync {
    /// Domestic equivalents of the line's item, best first.
    /// Shared (`Arc`): the same answer serves every line that names the same item.
    fn lookup(&self, line: &PurchaseLine) -> Arc<Lookup>;
    /// Whether any answer can have `drug_domestic_only` set. When not, rules read it as 0
    /// without a look-up (one rule guards on it for every line of an award).
    fn lists_domestic_only_drugs(&self) -> bool {
        true
    }
    /// Identifies the data in force, for the report ("" for none).
    fn hash(&self) -> String {
        String::new()
    }
    /// The fields a look-up reads, when known: the engine then remembers which rules stayed
    /// quiet for lines with the same texts (engine/quiet.rs). None: it may read anything.
    fn reads(&self) -> Option<FieldSet> {
        None
    }
}

/// Knows nothing: the default until the registry data lands.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyRegistry;

impl Registry for EmptyRegistry {
    fn lookup(&self, _line: &PurchaseLine) -> Arc<Lookup> {
        Arc::default()
    }

    fn lists_domestic_only_drugs(&self) -> bool {
        false
    }

    fn reads(&self) -> Option<FieldSet> {
        Some(FieldSet::EMPTY)
    }
}

/// Gives the same answer for every line: what pack examples use to exercise registry rules.
#[derive(Debug, Clone, Default)]
pub struct FixedRegistry(pub Lookup);

impl Registry for FixedRegistry {
    fn lookup(&self, _line: &PurchaseLine) -> Arc<Lookup> {
        Arc::new(self.0.clone())
    }

    fn reads(&self) -> Option<FieldSet> {
        Some(FieldSet::EMPTY)
    }
}
