//! Gas, size and throughput of the XMTP Stylus programs on the devnet, against the Solidity
//! reference (issue 10).
//!
//! [`measure`] builds every program through the shared pipeline, deploys the system on a
//! settlement and an app chain through the Factory and its proxies, runs each operation the
//! reference measured ([`reference`]) with the same inputs ([`scenario`]), cached and uncached
//! ([`meter`]), and sizes every program ([`sizes`]). [`baseline`] keeps the committed figures
//! and finds regressions; [`report`] prints the tables.

use std::fmt::Write as _;
use std::path::Path;

use xmtp_deploy::network::Programs;
use xmtp_deploy::pipeline::{thousands, CODE_SIZE_LIMIT};

pub mod baseline;
pub mod meter;
pub mod reference;
pub mod scenario;
pub mod sizes;
pub mod throughput;

use baseline::{Baseline, Gas};
use reference::Reference;
use scenario::{Chains, Outcome, Results};
use sizes::Size;

/// Everything one run measured.
#[derive(Debug)]
pub struct Measurements {
    /// Each reference row: measured or why not.
    pub results: Results,
    /// Every program's size.
    pub sizes: Vec<Size>,
    /// Both chains after the scenario.
    pub chains: Chains,
}

impl Measurements {
    /// The gas and size tables as a baseline (throughput left empty).
    pub fn baseline(&self) -> Baseline {
        Baseline {
            gas: self
                .results
                .rows
                .iter()
                .filter_map(|row| match row.outcome {
                    Outcome::Measured(m) => Some((row.id.clone(), Gas::from(m))),
                    Outcome::NotRun(_) => None,
                })
                .collect(),
            sizes: self
                .sizes
                .iter()
                .map(|s| (s.contract.clone(), s.code))
                .collect(),
            throughput: std::collections::BTreeMap::new(),
        }
    }
}

/// Builds every program of the workspace at `root`, runs the scenario and sizes the programs.
pub fn measure(root: &Path) -> Result<Measurements, String> {
    let workspace = xmtp_deploy::discover(root).map_err(|e| e.to_string())?;
    let programs = Programs::build(&workspace, &[]).map_err(|e| e.to_string())?;
    let sizes = sizes::measure(&workspace, &programs)?;
    let (results, chains) = scenario::run(&programs)?;
    Ok(Measurements {
        results,
        sizes,
        chains,
    })
}

fn ratio(stylus: u64, solidity: u64) -> String {
    // Gas is far below 2^52: the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let r = stylus as f64 / solidity.max(1) as f64;
    format!("{r:.2}")
}

/// The gas table: every reference row with the Stylus figures, cached and uncached, the
/// Solidity figure and the ratio cached / Solidity; rows that did not run say why.
pub fn gas_table(reference: &Reference, results: &Results) -> String {
    let width = reference
        .operations
        .iter()
        .map(|op| op.id.chars().count())
        .fold("operation".len(), usize::max);
    let mut out = format!(
        "{:<width$}  {:>11} {:>11} {:>11} {:>6}\n",
        "operation", "cached", "uncached", "Solidity", "ratio"
    );
    let mut section = "";
    for op in &reference.operations {
        if op.section != section {
            section = &op.section;
            let _ = writeln!(out, "## {section}");
        }
        let solidity = thousands(usize::try_from(op.exec_gas).unwrap_or(usize::MAX));
        match results.outcome(&op.id) {
            Some(Outcome::Measured(m)) => {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>11} {:>11} {:>11} {:>6}",
                    op.id,
                    thousands(usize::try_from(m.cached).unwrap_or(usize::MAX)),
                    thousands(usize::try_from(m.uncached).unwrap_or(usize::MAX)),
                    solidity,
                    ratio(m.cached, op.exec_gas)
                );
            }
            Some(Outcome::NotRun(why)) => {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>11} {:>11} {:>11} {:>6}  not run: {why}",
                    op.id, "-", "-", solidity, "-"
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>11} {:>11} {:>11} {:>6}  not run: not scripted",
                    op.id, "-", "-", solidity, "-"
                );
            }
        }
    }
    out
}

/// The size table: on-chain size, % of the limit, the reference's EVM runtime size.
pub fn size_table(reference: &Reference, sizes: &[Size]) -> String {
    let width = sizes
        .iter()
        .map(|s| s.contract.len())
        .fold("contract".len(), usize::max);
    let mut out = format!(
        "{:<width$}  {:>9} {:>12} {:>9}\n",
        "contract",
        "on-chain",
        format!("% of {}", thousands(CODE_SIZE_LIMIT)),
        "EVM"
    );
    for size in sizes {
        let evm = reference.size(&size.contract).map_or_else(
            || "-".to_owned(),
            |b| thousands(usize::try_from(b).unwrap_or(usize::MAX)),
        );
        let _ = writeln!(
            out,
            "{:<width$}  {:>9} {:>11.1}% {:>9}",
            size.contract,
            thousands(usize::try_from(size.code).unwrap_or(usize::MAX)),
            size.percent_of_limit(),
            evm
        );
    }
    out
}

/// Where the gas goes, for every operation whose cached figure is above the Solidity one: each
/// Stylus frame of its cached run (innermost first) with its entry cost, hostios (the three
/// most expensive, then the rest), callees and WASM execution.
pub fn profile_table(reference: &Reference, results: &Results) -> String {
    let mut out = String::new();
    for op in &reference.operations {
        let Some(Outcome::Measured(m)) = results.outcome(&op.id) else {
            continue;
        };
        if m.cached <= op.exec_gas {
            continue;
        }
        let Some(frames) = results.profile(&op.id) else {
            continue;
        };
        let stylus: u64 = frames.iter().map(|f| f.gas - f.callee_gas).sum();
        let _ = writeln!(
            out,
            "{} — {} cached vs {} Solidity; Stylus frames' own gas {}, EVM (intrinsic excluded) {}",
            op.id,
            thousands(usize::try_from(m.cached).unwrap_or(usize::MAX)),
            thousands(usize::try_from(op.exec_gas).unwrap_or(usize::MAX)),
            thousands(usize::try_from(stylus).unwrap_or(usize::MAX)),
            thousands(usize::try_from(m.cached.saturating_sub(stylus)).unwrap_or(usize::MAX)),
        );
        for frame in frames {
            let price = u64::from(frame.ink_price.max(1));
            let mut hostios: Vec<(&str, u64)> = frame
                .hostio_ink
                .iter()
                .map(|(name, ink)| (*name, ink / price))
                .collect();
            hostios.sort_by_key(|(_, gas)| std::cmp::Reverse(*gas));
            let rest: u64 = hostios.iter().skip(3).map(|(_, gas)| gas).sum();
            let mut top: Vec<String> = hostios
                .iter()
                .take(3)
                .map(|(name, gas)| format!("{name} {gas}"))
                .collect();
            if rest > 0 {
                top.push(format!("others {rest}"));
            }
            let _ = writeln!(
                out,
                "  {} gas {}: entry {}, hostios {} ({}), callees {}, wasm {}",
                frame.address,
                frame.gas,
                frame.entry_gas,
                frame.hostio_gas(),
                top.join(", "),
                frame.callee_gas,
                frame.wasm_gas()
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meter::Measured;
    use crate::scenario::Row;

    #[test]
    fn the_gas_table_lists_every_reference_row_with_its_outcome() {
        let reference = reference::parse(
            "## a. Registry\n| Operation | Exec gas | Total gas | Notes |\n|---|---:|---:|---|\n\
             | set | 43,677 | 65,673 | n |\n| get | 1,000 | 2 | n |\n| put | 10 | 2 | n |\n\
             ## sizes\n| Contract | bytes |\n|---|---:|\n| Proxy | 123 |\n",
        )
        .unwrap();
        let results = Results {
            profiles: Vec::new(),
            rows: vec![
                Row {
                    id: "set".into(),
                    outcome: Outcome::Measured(Measured {
                        cached: 21_838,
                        uncached: 40_000,
                    }),
                },
                Row {
                    id: "get".into(),
                    outcome: Outcome::NotRun("too big".into()),
                },
            ],
        };
        assert_eq!(
            gas_table(&reference, &results),
            "operation       cached    uncached    Solidity  ratio\n\
             ## a. Registry\n\
             set             21,838      40,000      43,677   0.50\n\
             get                  -           -       1,000      -  not run: too big\n\
             put                  -           -          10      -  not run: not scripted\n"
        );
        let sizes = [Size {
            contract: "Proxy".into(),
            code: 377,
        }];
        assert_eq!(
            size_table(&reference, &sizes),
            "contract   on-chain  % of 24,576       EVM\n\
             Proxy           377         1.5%       123\n"
        );
    }
}
