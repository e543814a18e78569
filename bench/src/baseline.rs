//! The committed baseline (`baseline/baseline.json`) and the regression check against it.
//!
//! Gas on the devnet is deterministic, so every figure is compared as a ratio to its baseline
//! in one run: more than 2% more gas, or more than 1% more code, is a regression, and so is an
//! operation that was measured and no longer is. Throughput is recorded for the reader only.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::meter::Measured;

/// Path of the committed baseline, relative to the crate.
pub const PATH: &str = "baseline/baseline.json";

/// Largest accepted gas growth over the baseline.
pub const GAS_TOLERANCE: f64 = 1.02;
/// Largest accepted size growth over the baseline.
pub const SIZE_TOLERANCE: f64 = 1.01;

/// Gas of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gas {
    /// Execution gas, programs cached.
    pub cached: u64,
    /// Execution gas, programs uncached.
    pub uncached: u64,
}

impl From<Measured> for Gas {
    fn from(m: Measured) -> Self {
        Self {
            cached: m.cached,
            uncached: m.uncached,
        }
    }
}

/// The three tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Execution gas by reference operation id.
    pub gas: BTreeMap<String, Gas>,
    /// On-chain code size by contract.
    pub sizes: BTreeMap<String, u64>,
    /// Transactions per second by operation (informational: machines differ).
    pub throughput: BTreeMap<String, f64>,
}

impl Baseline {
    /// Parses the JSON form.
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("{PATH}: {e}"))
    }

    /// The JSON form, pretty, with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("maps of numbers serialise");
        text.push('\n');
        text
    }
}

fn ratio(now: u64, before: u64) -> f64 {
    // Gas and sizes are far below 2^52: the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let r = now as f64 / before.max(1) as f64;
    r
}

/// Every regression of `now` against `before`, one line each (empty when there is none).
pub fn regressions(before: &Baseline, now: &Baseline) -> Vec<String> {
    let mut found = Vec::new();
    for (id, old) in &before.gas {
        let Some(new) = now.gas.get(id) else {
            found.push(format!("{id}: measured in the baseline, not measured now"));
            continue;
        };
        for (what, new, old) in [
            ("cached", new.cached, old.cached),
            ("uncached", new.uncached, old.uncached),
        ] {
            let r = ratio(new, old);
            if r > GAS_TOLERANCE {
                found.push(format!(
                    "{id}: {what} gas {new} is {:+.1}% over the baseline's {old}",
                    (r - 1.0) * 100.0
                ));
            }
        }
    }
    for (contract, old) in &before.sizes {
        let Some(new) = now.sizes.get(contract) else {
            found.push(format!("{contract}: in the baseline, no longer built"));
            continue;
        };
        let r = ratio(*new, *old);
        if r > SIZE_TOLERANCE {
            found.push(format!(
                "{contract}: {new} bytes on chain is {:+.1}% over the baseline's {old}",
                (r - 1.0) * 100.0
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(gas: &[(&str, u64, u64)], sizes: &[(&str, u64)]) -> Baseline {
        Baseline {
            gas: gas
                .iter()
                .map(|(id, cached, uncached)| {
                    (
                        (*id).to_owned(),
                        Gas {
                            cached: *cached,
                            uncached: *uncached,
                        },
                    )
                })
                .collect(),
            sizes: sizes.iter().map(|(c, s)| ((*c).to_owned(), *s)).collect(),
            throughput: BTreeMap::new(),
        }
    }

    #[test]
    fn gas_may_grow_2_percent_and_sizes_1_percent() {
        let before = baseline(&[("op", 10_000, 20_000)], &[("Proxy", 1_000)]);
        let within = baseline(&[("op", 10_200, 20_400)], &[("Proxy", 1_010)]);
        assert_eq!(regressions(&before, &within), Vec::<String>::new());
        let cheaper = baseline(&[("op", 5_000, 9_000), ("new op", 1, 1)], &[("Proxy", 10)]);
        assert_eq!(regressions(&before, &cheaper), Vec::<String>::new());
        let over = baseline(&[("op", 10_201, 20_401)], &[("Proxy", 1_011)]);
        assert_eq!(
            regressions(&before, &over),
            [
                "op: cached gas 10201 is +2.0% over the baseline's 10000",
                "op: uncached gas 20401 is +2.0% over the baseline's 20000",
                "Proxy: 1011 bytes on chain is +1.1% over the baseline's 1000",
            ]
        );
    }

    #[test]
    fn a_row_or_program_that_disappears_is_a_regression() {
        let before = baseline(&[("op", 1, 1)], &[("Proxy", 1)]);
        assert_eq!(
            regressions(&before, &Baseline::default()),
            [
                "op: measured in the baseline, not measured now",
                "Proxy: in the baseline, no longer built",
            ]
        );
    }

    #[test]
    fn the_json_form_round_trips() {
        let mut b = baseline(&[("op", 1, 2)], &[("Proxy", 3)]);
        b.throughput.insert("addMessage".into(), 1234.5);
        assert_eq!(Baseline::from_json(&b.to_json()).unwrap(), b);
        assert!(Baseline::from_json("{").unwrap_err().starts_with(PATH));
    }
}
