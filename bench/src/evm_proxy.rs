//! The EVM proxy of [`xmtp_proxy::evm`] run on the devnet: created with the shared constructor
//! prelude, it forwards calls in its own storage and passes return and revert data through.

mod tests {
    use alloy_primitives::{Address, Bytes, U256};
    use xmtp_devnet::{Chain, Tx};
    use xmtp_devnet_node::asm::{assemble, op, push, Item, Item::Op};
    use xmtp_proxy::evm::{runtime, ERC1967_IMPLEMENTATION_SLOT};

    /// Creation code of an EVM proxy pointing at `implementation`, as a deployer CREATEs it.
    fn creation_code(implementation: Address) -> Vec<u8> {
        [
            xmtp_proxy::creation_code(&runtime()),
            implementation.into_word().to_vec(),
        ]
        .concat()
    }

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
            chain.storage(proxy, U256::from_be_bytes(ERC1967_IMPLEMENTATION_SLOT)),
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
