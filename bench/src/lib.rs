//! Gas, size and throughput of the XMTP Stylus programs on the devnet, against the Solidity
//! reference (issue 10).
//!
//! [`measure`] builds every program through the shared pipeline, deploys the system on a
//! settlement and an app chain through the Factory and its proxies, runs each operation the
//! reference measured ([`reference`](mod@reference)) with the same inputs ([`scenario`]), cached and uncached
//! ([`meter`]), and sizes every program ([`sizes`]). [`baseline`] keeps the committed figures
//! and finds regressions. The scenario can run behind the EVM proxy of [`xmtp_proxy::evm`]
//! instead of the Stylus one, [`wasm_opt`] puts the programs through Binaryen's optimizer; the tables
//! ([`gas_table`], [`comparison_table`], [`profile_summary`], ...) are plain text. Findings:
//! `bench/README.md`.

use std::fmt::Write as _;
use std::path::Path;

use xmtp_deploy::network::Programs;
use xmtp_deploy::pipeline::{thousands, CODE_SIZE_LIMIT};
use xmtp_deploy::Workspace;

pub mod baseline;
#[cfg(test)]
mod evm_proxy;
pub mod meter;
pub mod reference;
pub mod scenario;
pub mod sizes;
pub mod throughput;
pub mod wasm_opt;

use baseline::{Baseline, Gas};
use reference::Reference;
use scenario::{Chains, Options, Outcome, Results};
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

/// Finds the workspace at `root` and builds every program crate in it.
pub fn build(root: &Path) -> Result<(Workspace, Programs), String> {
    let workspace = xmtp_deploy::discover(root).map_err(|e| e.to_string())?;
    let programs = Programs::build(&workspace, &[]).map_err(|e| e.to_string())?;
    Ok((workspace, programs))
}

/// Builds every program of the workspace at `root`, runs the scenario (Stylus proxies,
/// profiles recorded) and sizes the programs.
pub fn measure(root: &Path) -> Result<Measurements, String> {
    let (workspace, programs) = build(root)?;
    measure_with(&workspace, &programs, Options::default())
}

/// Sizes the built programs and runs the scenario with `options`.
pub fn measure_with(
    workspace: &Workspace,
    programs: &Programs,
    options: Options<'_>,
) -> Result<Measurements, String> {
    // Sizing compresses every program once more (brotli at quality 11): alongside the scenario
    // it costs no wall time on a second core.
    let (sizes, scenario) = std::thread::scope(|scope| {
        let sizes = scope.spawn(|| sizes::measure(workspace, programs));
        let scenario = scenario::run(programs, options);
        (sizes.join(), scenario)
    });
    let sizes = sizes.map_err(|_| "sizing the programs panicked".to_owned())??;
    let (results, chains) = scenario?;
    Ok(Measurements {
        results,
        sizes,
        chains,
    })
}

/// The gas table's accounting: every reference row must have an outcome (measured, or not run
/// with a stated reason), and every outcome must be a reference row. Returns one line per
/// violation (empty when every row is accounted for).
pub fn unaccounted(reference: &Reference, results: &Results) -> Vec<String> {
    let mut found: Vec<String> = reference
        .operations
        .iter()
        .filter_map(|op| match results.outcome(&op.id) {
            None => Some(format!("{}: no measurement and no reason", op.id)),
            Some(Outcome::NotRun(why)) if why.trim().is_empty() => {
                Some(format!("{}: not run, without a reason", op.id))
            }
            Some(_) => None,
        })
        .collect();
    found.extend(
        results
            .rows
            .iter()
            .filter(|row| reference.operation(&row.id).is_none())
            .map(|row| format!("{}: not a reference operation", row.id)),
    );
    found
}

fn ratio(stylus: u64, solidity: u64) -> String {
    // Gas is far below 2^52: the conversions are exact.
    #[allow(clippy::cast_precision_loss)]
    let r = stylus as f64 / solidity.max(1) as f64;
    format!("{r:.2}")
}

/// The width of the operation column: the longest reference operation.
fn operation_width(reference: &Reference) -> usize {
    reference
        .operations
        .iter()
        .map(|op| op.id.chars().count())
        .fold("operation".len(), usize::max)
}

/// A gas figure with thousands separators.
fn gas(figure: u64) -> String {
    thousands(usize::try_from(figure).unwrap_or(usize::MAX))
}

/// The gas table: every reference row with the Stylus figures, cached and uncached, the
/// Solidity figure and the ratio cached / Solidity; rows that did not run say why.
pub fn gas_table(reference: &Reference, results: &Results) -> String {
    let width = operation_width(reference);
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
        let solidity = gas(op.exec_gas);
        match results.outcome(&op.id) {
            Some(Outcome::Measured(m)) => {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>11} {:>11} {:>11} {:>6}",
                    op.id,
                    gas(m.cached),
                    gas(m.uncached),
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
                    "{:<width$}  {:>11} {:>11} {:>11} {:>6}  NOT ACCOUNTED FOR (no measurement, no reason)",
                    op.id, "-", "-", solidity, "-"
                );
            }
        }
    }
    out
}

/// Two runs of the scenario side by side (`before` and `after`, e.g. Stylus and EVM proxies,
/// or without and with `wasm-opt`): every reference row measured in both, cached and uncached,
/// with the ratios after / before. Rows whose figure is not comparable are listed with the
/// reason `skip` gives for them.
pub fn comparison_table(
    reference: &Reference,
    (before_name, before): (&str, &Results),
    (after_name, after): (&str, &Results),
    skip: &dyn Fn(&str) -> Option<&'static str>,
) -> String {
    let width = operation_width(reference);
    let mut out = format!(
        "{:<width$}  {:>11} {:>11} {:>6}  {:>11} {:>11} {:>6}\n",
        "operation",
        format!("{before_name} c"),
        format!("{after_name} c"),
        "ratio",
        format!("{before_name} u"),
        format!("{after_name} u"),
        "ratio"
    );
    for op in &reference.operations {
        if let Some(why) = skip(&op.id) {
            let _ = writeln!(out, "{:<width$}  ({why})", op.id);
            continue;
        }
        let (Some(Outcome::Measured(b)), Some(Outcome::Measured(a))) =
            (before.outcome(&op.id), after.outcome(&op.id))
        else {
            continue;
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>11} {:>11} {:>6}  {:>11} {:>11} {:>6}",
            op.id,
            gas(b.cached),
            gas(a.cached),
            ratio(a.cached, b.cached),
            gas(b.uncached),
            gas(a.uncached),
            ratio(a.uncached, b.uncached)
        );
    }
    out
}

/// Proxy creation outside the Factory for both kinds: CREATE, then `initialize` through the
/// new proxy (cached / uncached), per contract.
pub fn creation_table(stylus: &Results, evm: &Results) -> String {
    let width = stylus
        .creations
        .iter()
        .map(|c| c.contract.len())
        .fold("contract".len(), usize::max);
    let mut out = format!(
        "{:<width$}  {:>9} {:>9}  {:>17} {:>17}  {:>9} {:>9} {:>6}\n",
        "contract",
        "create S",
        "create E",
        "initialize S c/u",
        "initialize E c/u",
        "total S",
        "total E",
        "ratio"
    );
    for s in &stylus.creations {
        let Some(e) = evm.creations.iter().find(|e| e.contract == s.contract) else {
            continue;
        };
        let (total_s, total_e) = (
            s.create.cached + s.initialize.cached,
            e.create.cached + e.initialize.cached,
        );
        let _ = writeln!(
            out,
            "{:<width$}  {:>9} {:>9}  {:>17} {:>17}  {:>9} {:>9} {:>6}",
            s.contract,
            gas(s.create.cached),
            gas(e.create.cached),
            format!(
                "{}/{}",
                gas(s.initialize.cached),
                gas(s.initialize.uncached)
            ),
            format!(
                "{}/{}",
                gas(e.initialize.cached),
                gas(e.initialize.uncached)
            ),
            gas(total_s),
            gas(total_e),
            ratio(total_e, total_s)
        );
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

/// The cached gas an operation must stay at or under: the Solidity figure, and 60% of it for the
/// 1,000-payer `settle` (issue 10's targets).
pub fn target_gas(op_id: &str, solidity: u64) -> u64 {
    if op_id.starts_with("settle — 1000 payers") {
        solidity * 3 / 5
    } else {
        solidity
    }
}

/// Where the gas goes, for every operation whose cached figure is above its [`target_gas`]: each
/// Stylus frame of its cached run (innermost first) with its entry cost, hostios (the three
/// most expensive, then the rest), callees and WASM execution.
pub fn profile_table(reference: &Reference, results: &Results) -> String {
    let mut out = String::new();
    for op in &reference.operations {
        let Some(Outcome::Measured(m)) = results.outcome(&op.id) else {
            continue;
        };
        if m.cached <= target_gas(&op.id, op.exec_gas) {
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
            gas(m.cached),
            gas(op.exec_gas),
            gas(stylus),
            gas(m.cached.saturating_sub(stylus)),
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

/// Hostio groups of [`profile_summary`]: storage, calls (the EVM's account-access and call
/// costs are charged inside them), logs.
const HOSTIO_GROUPS: [(&str, &[&str]); 3] = [
    (
        "storage",
        &[
            "storage_load_bytes32",
            "storage_cache_bytes32",
            "storage_flush_cache",
            "transient_load_bytes32",
            "transient_store_bytes32",
        ],
    ),
    (
        "calls",
        &[
            "call_contract",
            "delegate_call_contract",
            "static_call_contract",
            "create1",
            "create2",
        ],
    ),
    ("logs", &["emit_log"]),
];

/// One line per operation whose cached figure is above its [`target_gas`], adding up its Stylus
/// frames: how many, their entry costs (program init and memory pages), their hostios by
/// group, their own WASM execution, and the gas spent in EVM code.
pub fn profile_summary(reference: &Reference, results: &Results) -> String {
    let width = operation_width(reference);
    let mut out = format!(
        "{:<width$}  {:>9} {:>9} {:>11} {:>6} {:>7} {:>8} {:>8} {:>6} {:>6} {:>6} {:>8}\n",
        "operation",
        "cached",
        "Solidity",
        "over target",
        "frames",
        "entry",
        "storage",
        "calls",
        "logs",
        "other",
        "wasm",
        "EVM"
    );
    for op in &reference.operations {
        let Some(Outcome::Measured(m)) = results.outcome(&op.id) else {
            continue;
        };
        let Some(frames) = results.profile(&op.id) else {
            continue;
        };
        if m.cached <= target_gas(&op.id, op.exec_gas) || frames.is_empty() {
            continue;
        }
        let mut groups = [0u64; 4];
        let (mut entry, mut wasm, mut own) = (0, 0, 0);
        for frame in frames {
            entry += frame.entry_gas;
            wasm += frame.wasm_gas();
            own += frame.gas - frame.callee_gas;
            let price = u64::from(frame.ink_price.max(1));
            for (name, ink) in &frame.hostio_ink {
                let group = HOSTIO_GROUPS
                    .iter()
                    .position(|(_, names)| names.contains(name))
                    .unwrap_or(HOSTIO_GROUPS.len());
                groups[group] += ink / price;
            }
        }
        let _ = writeln!(
            out,
            "{:<width$}  {:>9} {:>9} {:>11} {:>6} {:>7} {:>8} {:>8} {:>6} {:>6} {:>6} {:>8}",
            op.id,
            gas(m.cached),
            gas(op.exec_gas),
            format!("+{}", gas(m.cached - target_gas(&op.id, op.exec_gas))),
            frames.len(),
            gas(entry),
            gas(groups[0]),
            gas(groups[1]),
            gas(groups[2]),
            gas(groups[3]),
            gas(wasm),
            gas(m.cached.saturating_sub(own))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thousand_payer_settle_is_held_to_sixty_percent_and_the_rest_to_the_reference() {
        assert_eq!(
            target_gas("settle — 1000 payers, one call (all leaves)", 11_979_355),
            7_187_613
        );
        assert_eq!(
            target_gas("settle — 100 payers, one call (all leaves)", 1_202_180),
            1_202_180
        );
        assert_eq!(target_gas("NodeRegistry.updateAdmin", 39_367), 39_367);
    }
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
            creations: Vec::new(),
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
             put                  -           -          10      -  NOT ACCOUNTED FOR (no measurement, no reason)\n"
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

    fn reference_of_three() -> Reference {
        reference::parse(
            "## a. Registry\n| Operation | Exec gas | Total gas | Notes |\n|---|---:|---:|---|\n\
             | set | 100 | 1 | n |\n| get | 200 | 2 | n |\n| put | 300 | 3 | n |\n\
             ## sizes\n| Contract | bytes |\n|---|---:|\n| Proxy | 123 |\n",
        )
        .unwrap()
    }

    fn row(id: &str, outcome: Outcome) -> Row {
        Row {
            id: id.into(),
            outcome,
        }
    }

    fn measured(cached: u64, uncached: u64) -> Outcome {
        Outcome::Measured(Measured { cached, uncached })
    }

    #[test]
    fn every_reference_row_needs_a_measurement_or_a_reason() {
        let reference = reference_of_three();
        let complete = Results {
            rows: vec![
                row("set", measured(1, 2)),
                row(
                    "get",
                    Outcome::NotRun("the devnet deploys another one".into()),
                ),
                row("put", measured(3, 4)),
            ],
            ..Results::default()
        };
        assert_eq!(unaccounted(&reference, &complete), Vec::<String>::new());
        let incomplete = Results {
            rows: vec![
                row("set", measured(1, 2)),
                row("get", Outcome::NotRun("  ".into())),
                row("extra", measured(5, 6)),
            ],
            ..Results::default()
        };
        assert_eq!(
            unaccounted(&reference, &incomplete),
            [
                "get: not run, without a reason",
                "put: no measurement and no reason",
                "extra: not a reference operation",
            ]
        );
    }

    #[test]
    fn the_comparison_table_puts_two_runs_side_by_side() {
        let reference = reference_of_three();
        let before = Results {
            rows: vec![
                row("set", measured(1_000, 2_000)),
                row("get", measured(10, 20)),
            ],
            ..Results::default()
        };
        let after = Results {
            rows: vec![
                row("set", measured(500, 3_000)),
                row("get", measured(10, 20)),
            ],
            ..Results::default()
        };
        let skip = |id: &str| (id == "get").then_some("not comparable");
        assert_eq!(
            comparison_table(&reference, ("A", &before), ("B", &after), &skip),
            "operation          A c         B c  ratio          A u         B u  ratio\n\
             set              1,000         500   0.50        2,000       3,000   1.50\n\
             get        (not comparable)\n"
        );
    }
}
