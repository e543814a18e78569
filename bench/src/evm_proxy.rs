//! A minimal ERC-1967 proxy in EVM bytecode, the alternative to the Stylus `Proxy` in front of
//! the Stylus implementations (issue 10: "an EVM minimal proxy ... as an option for deployers").
//!
//! The runtime does what the reference's `Proxy` fallback does: load the implementation from
//! the ERC-1967 slot, `DELEGATECALL` it with the whole calldata and all gas, and return or
//! revert with exactly the returned data. Its constructor is the Stylus proxy's own prelude
//! ([`xmtp_proxy::creation_code`]), which checks and stores the implementation argument and
//! returns whatever runtime it is given, so both proxies are created and initialized the same
//! way (constructor argument: the Factory's `Initializable`, then `initialize(...)`).

use alloy_primitives::Address;
use xmtp_devnet_node::asm::{assemble, op, Item, Item::Op};

/// `DELEGATECALL` (the devnet's assembler lists only the opcodes its own contracts use).
const DELEGATECALL: u8 = 0xf4;

/// keccak256("eip1967.proxy.implementation") - 1.
pub const IMPLEMENTATION_SLOT: [u8; 32] =
    alloy_primitives::hex!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");

/// The proxy's runtime code (59 bytes).
pub fn runtime() -> Vec<u8> {
    assemble(&[
        // mem[0..calldatasize] = calldata
        Op(op::CALLDATASIZE),
        Item::Push(Vec::new()),
        Item::Push(Vec::new()),
        Op(op::CALLDATACOPY),
        // delegatecall(gas, sload(slot), 0, calldatasize, 0, 0)
        Item::Push(Vec::new()),
        Item::Push(Vec::new()),
        Op(op::CALLDATASIZE),
        Item::Push(Vec::new()),
        Item::Push(IMPLEMENTATION_SLOT.to_vec()),
        Op(op::SLOAD),
        Op(op::GAS),
        Op(DELEGATECALL),
        // mem[0..returndatasize] = returndata
        Op(op::RETURNDATASIZE),
        Item::Push(Vec::new()),
        Item::Push(Vec::new()),
        Op(op::RETURNDATACOPY),
        Item::PushLabel("ok"),
        Op(op::JUMPI),
        Op(op::RETURNDATASIZE),
        Item::Push(Vec::new()),
        Op(op::REVERT),
        Item::Label("ok"),
        Op(op::RETURNDATASIZE),
        Item::Push(Vec::new()),
        Op(op::RETURN),
    ])
}

/// Creation code of a proxy pointing at `implementation`: the Stylus proxy's constructor
/// prelude, this runtime, and the ABI-encoded argument.
pub fn creation_code(implementation: Address) -> Vec<u8> {
    [
        xmtp_proxy::creation_code(&runtime()),
        implementation.into_word().to_vec(),
    ]
    .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Bytes, U256};
    use xmtp_devnet::{Chain, Tx};
    use xmtp_devnet_node::asm::push;

    const FROM: Address = Address::new([0xaa; 20]);

    fn chain() -> Chain {
        let mut chain = Chain::new(1);
        chain.fund(FROM, U256::from(10u64).pow(U256::from(20u64)));
        chain
    }

    /// An implementation that stores calldata word 0 at slot 1 and returns the calldata,
    /// or reverts with it when the first byte is 0xff.
    fn implementation() -> Vec<u8> {
        assemble(&[
            Op(op::CALLDATASIZE),
            push(0),
            push(0),
            Op(op::CALLDATACOPY),
            push(0),
            Op(op::CALLDATALOAD),
            push(1),
            Op(op::SSTORE),
            push(0),
            Op(op::CALLDATALOAD),
            push(248),
            Op(op::SHR),
            push(0xff),
            Op(op::EQ),
            Item::PushLabel("fail"),
            Op(op::JUMPI),
            Op(op::CALLDATASIZE),
            push(0),
            Op(op::RETURN),
            Item::Label("fail"),
            Op(op::CALLDATASIZE),
            push(0),
            Op(op::REVERT),
        ])
    }

    #[test]
    fn the_runtime_is_59_bytes_and_reads_the_erc1967_slot() {
        let code = runtime();
        assert_eq!(code.len(), 59);
        assert_eq!(
            code[8..41],
            [[0x7f].as_slice(), &IMPLEMENTATION_SLOT].concat()
        );
    }

    #[test]
    fn forwards_calls_in_its_own_storage_and_passes_return_and_revert_data_through() {
        let mut chain = chain();
        let target = Address::repeat_byte(0x11);
        chain.set_code(target, implementation().into());
        let receipt = chain
            .send(&Tx::deploy(FROM, creation_code(target)))
            .unwrap();
        assert!(receipt.status);
        let proxy = receipt.created.unwrap();
        assert_eq!(chain.code(proxy), Bytes::from(runtime()));
        assert_eq!(
            chain.storage(proxy, U256::from_be_bytes(IMPLEMENTATION_SLOT)),
            U256::from_be_slice(target.as_slice())
        );

        let data: Vec<u8> = (1..=40u8).collect();
        let ok = chain.send(&Tx::call(FROM, proxy, data.clone())).unwrap();
        assert!(ok.status);
        assert_eq!(ok.output, Bytes::from(data.clone()));
        let word = U256::from_be_slice(&data[..32]);
        assert_eq!(chain.storage(proxy, U256::from(1)), word);
        assert_eq!(chain.storage(target, U256::from(1)), U256::ZERO);

        let mut failing = data;
        failing[0] = 0xff;
        let reverted = chain.send(&Tx::call(FROM, proxy, failing.clone())).unwrap();
        assert!(!reverted.status);
        assert_eq!(reverted.output, Bytes::from(failing));
        assert_eq!(chain.storage(proxy, U256::from(1)), word);
    }

    #[test]
    fn a_zero_implementation_is_refused_as_the_reference_constructor_refuses_it() {
        let mut chain = chain();
        let receipt = chain
            .send(&Tx::deploy(FROM, creation_code(Address::ZERO)))
            .unwrap();
        assert!(!receipt.status);
        // ZeroImplementation()
        assert_eq!(receipt.output, Bytes::from(vec![0x42, 0x08, 0xd2, 0xeb]));
    }
}
