//! Property: for any sequence of additions to and removals from the canonical set (members,
//! non-members and missing nodes alike) and maximum updates, the registry's set is
//! OpenZeppelin's `EnumerableSet` run on a plain vector with swap-and-pop, and spec §2.8 holds:
//! membership equals each node's `isCanonical` flag, every member sits at `_values[position - 1]`
//! and every other id has position 0, and the set never outgrows the maximum. Each outcome is
//! the exact result (error or event) the model predicts.

use proptest::prelude::*;

use super::*;

/// Nodes 100..=600 exist; 700 does not.
const NODES: u32 = 6;
const MISSING: u32 = 700;

#[derive(Clone, Debug)]
enum Op {
    Add(u32),
    Remove(u32),
    /// `updateMaxCanonicalNodes()` reading this value.
    Max(u8),
}

fn node_id() -> impl Strategy<Value = u32> {
    prop_oneof![10 => (1..=NODES).prop_map(|i| i * 100), 1 => Just(MISSING)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => node_id().prop_map(Op::Add),
        3 => node_id().prop_map(Op::Remove),
        1 => (0..=7u8).prop_map(Op::Max),
    ]
}

/// The set as OpenZeppelin keeps it, and the maximum.
struct Model {
    members: Vec<u32>,
    max: u8,
}

type Logs = Vec<(Vec<B256>, Vec<u8>)>;

impl Model {
    /// What `op` must return and log.
    fn apply(&mut self, op: &Op) -> (Result<(), NodeRegistryError>, Logs) {
        let missing = |id: u32| {
            Err(ERC721NonexistentToken {
                tokenId: U256::from(id),
            }
            .into())
        };
        match *op {
            Op::Add(id) | Op::Remove(id) if id == MISSING => (missing(id), vec![]),
            Op::Add(id) if self.members.contains(&id) => (Ok(()), vec![]),
            Op::Add(_) if self.members.len() >= usize::from(self.max) => {
                (Err(MaxCanonicalNodesReached {}.into()), vec![])
            }
            Op::Add(id) => {
                self.members.push(id);
                (
                    Ok(()),
                    vec![log(&NodeAddedToCanonicalNetwork { nodeId: id })],
                )
            }
            Op::Remove(id) => match self.members.iter().position(|member| *member == id) {
                None => (Ok(()), vec![]),
                Some(index) => {
                    self.members.swap_remove(index);
                    (
                        Ok(()),
                        vec![log(&NodeRemovedFromCanonicalNetwork { nodeId: id })],
                    )
                }
            },
            Op::Max(max) if max == self.max => (Err(NoChange {}.into()), vec![]),
            Op::Max(max) if usize::from(max) < self.members.len() => {
                (Err(MaxCanonicalNodesBelowCurrentCount {}.into()), vec![])
            }
            Op::Max(max) => {
                self.max = max;
                (
                    Ok(()),
                    vec![log(&MaxCanonicalNodesUpdated {
                        maxCanonicalNodes: max,
                    })],
                )
            }
        }
    }
}

fn run(host: &MockHost, registry: &mut NodeRegistry, op: &Op) -> Result<(), NodeRegistryError> {
    match *op {
        Op::Add(id) => registry.add_to_network(id),
        Op::Remove(id) => registry.remove_from_network(id),
        Op::Max(max) => {
            mock_get(
                host,
                MAX_CANONICAL_NODES_PARAMETER_KEY,
                Ok(B256::from(U256::from(max)).to_vec()),
            );
            registry.update_max_canonical_nodes()
        }
    }
}

/// The registry's views and raw storage agree with the model.
fn check(host: &MockHost, registry: &NodeRegistry, model: &Model) {
    assert_eq!(registry.get_canonical_nodes(), model.members);
    assert_eq!(
        usize::from(registry.canonical_nodes_count()),
        model.members.len()
    );
    assert_eq!(registry.max_canonical_nodes(), model.max);
    assert!(model.members.len() <= usize::from(model.max));
    let values = U256::from_be_bytes(keccak256(slot(3).to_be_bytes::<32>()).0);
    assert_eq!(word(host, slot(3)), U256::from(model.members.len()));
    for id in (1..=NODES).map(|i| i * 100) {
        let index = model.members.iter().position(|member| *member == id);
        assert_eq!(registry.get_is_canonical_node(id), Ok(index.is_some()));
        let position = word(host, mapping_slot(B256::from(U256::from(id)), slot(4)));
        match index {
            Some(index) => {
                assert_eq!(position, U256::from(index + 1));
                assert_eq!(word(host, values + U256::from(index)), U256::from(id));
            }
            None => assert_eq!(position, U256::ZERO),
        }
    }
    // Popped elements are cleared.
    assert_eq!(
        word(host, values + U256::from(model.members.len())),
        U256::ZERO
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_canonical_set_is_openzeppelins_and_stays_under_the_maximum(
        max in 0..=4u8,
        ops in proptest::collection::vec(op(), 1..50),
    ) {
        let (host, mut registry) = registry();
        for seed in 1..=u8::try_from(NODES).unwrap() {
            add(&mut registry, ALICE, seed);
        }
        with_max(&host, max);
        let mut model = Model { members: vec![], max };
        for op in &ops {
            clear_logs(&host);
            let outcome = run(&host, &mut registry, op);
            let (expected, logs) = model.apply(op);
            prop_assert_eq!(&outcome, &expected, "{:?}", op);
            prop_assert_eq!(new_logs(&host), logs, "{:?}", op);
            check(&host, &registry, &model);
        }
    }
}
