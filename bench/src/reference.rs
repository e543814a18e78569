//! The Solidity reference's figures (`baseline/gas-solidity.md`, copied from the specification's
//! reference folder): gas per operation and the EVM runtime size of each contract.
//!
//! The file is parsed rather than transcribed so that a regenerated reference drops in as is.

/// The reference file, compiled in so the binary and the tests need nothing at run time.
pub const GAS_SOLIDITY_MD: &str = include_str!("../baseline/gas-solidity.md");

/// One operation the reference measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Section heading, e.g. `b. Broadcasters (app chain)`.
    pub section: String,
    /// Unique label: the operation as written, with ` (<chain>)` added when the same label
    /// appears again for another chain (the base deployment is listed once per chain).
    pub id: String,
    /// Execution gas: the call frame with all sub-calls, before refunds, without intrinsic gas.
    pub exec_gas: u64,
    /// Receipt gas.
    pub total_gas: u64,
    /// The inputs and conditions as the reference states them.
    pub notes: String,
}

/// Everything the reference file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Operations, in file order.
    pub operations: Vec<Operation>,
    /// EVM runtime size of each contract, in file order.
    pub sizes: Vec<(String, u64)>,
}

impl Reference {
    /// The reference operation labelled `id`.
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    /// The EVM runtime size of `contract`.
    pub fn size(&self, contract: &str) -> Option<u64> {
        self.sizes
            .iter()
            .find(|(name, _)| name == contract)
            .map(|(_, size)| *size)
    }
}

/// `1,234` -> 1234.
fn number(cell: &str) -> Option<u64> {
    let digits: String = cell.chars().filter(|c| *c != ',').collect();
    digits.trim().parse().ok()
}

/// Parses the reference file: every `| operation | exec | total | notes |` row under a `## `
/// heading, and the `| contract | bytes |` rows of the size table.
pub fn parse(text: &str) -> Result<Reference, String> {
    let mut section = String::new();
    let mut operations: Vec<Operation> = Vec::new();
    let mut sizes = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(heading) = line.strip_prefix("## ") {
            heading.trim().clone_into(&mut section);
            continue;
        }
        let Some(row) = line.strip_prefix('|') else {
            continue;
        };
        let cells: Vec<&str> = row
            .trim_end_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let is_header_or_rule = cells
            .first()
            .is_some_and(|c| c.starts_with("---") || *c == "Operation" || *c == "Contract");
        if is_header_or_rule {
            continue;
        }
        let bad = || format!("gas-solidity.md line {}: unexpected row {line}", index + 1);
        match cells.as_slice() {
            [contract, bytes] => {
                sizes.push(((*contract).to_owned(), number(bytes).ok_or_else(bad)?));
            }
            [operation, exec, total, notes] => {
                let mut id = (*operation).to_owned();
                if operations.iter().any(|op| op.id == id) {
                    let chain = notes
                        .split(';')
                        .find_map(|part| part.trim().strip_prefix("chain="))
                        .ok_or_else(bad)?;
                    id = format!("{id} ({chain})");
                }
                operations.push(Operation {
                    section: section.clone(),
                    id,
                    exec_gas: number(exec).ok_or_else(bad)?,
                    total_gas: number(total).ok_or_else(bad)?,
                    notes: (*notes).to_owned(),
                });
            }
            _ => return Err(bad()),
        }
    }
    if operations.is_empty() || sizes.is_empty() {
        return Err("gas-solidity.md has no operation or no size table".into());
    }
    Ok(Reference { operations, sizes })
}

/// The compiled-in reference.
///
/// # Panics
/// Never for the committed file (a test parses it).
pub fn reference() -> Reference {
    parse(GAS_SOLIDITY_MD).expect("the committed reference parses")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_reference_parses_completely() {
        let reference = reference();
        assert_eq!(reference.operations.len(), 105);
        assert_eq!(reference.sizes.len(), 17);
        let settle = reference
            .operation("settle — 1000 payers, one call (all leaves)")
            .unwrap();
        assert_eq!(
            (settle.exec_gas, settle.total_gas, settle.section.as_str()),
            (11_979_355, 12_839_859, "f. PayerReportManager.settle")
        );
        let app_factory = reference
            .operation("deploy Factory proxy (CREATE) (app)")
            .unwrap();
        assert_eq!(app_factory.exec_gas, 46_993);
        assert_eq!(reference.size("PayerRegistry"), Some(13_265));
        assert_eq!(reference.size("Proxy"), Some(123));
        let mut ids: Vec<_> = reference.operations.iter().map(|op| &op.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), reference.operations.len());
    }

    #[test]
    fn a_malformed_row_is_named() {
        let text = "## a. X\n| Operation | Exec gas | Total gas | Notes |\n| op | 1x | 2 | n |\n";
        assert_eq!(
            parse(text).unwrap_err(),
            "gas-solidity.md line 3: unexpected row | op | 1x | 2 | n |"
        );
        assert_eq!(
            parse("## a. X\n| op | 1 | 2 | n |\n").unwrap_err(),
            "gas-solidity.md has no operation or no size table"
        );
    }
}
