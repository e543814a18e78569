use alloy_primitives::{address, keccak256, Address, FixedBytes, B256, U256};
use alloy_sol_types::{PanicKind, SolCall, SolEvent, SolValue};
use xmtp_abi::{
    mock_underlying_fee_token::IMockUnderlyingFeeToken,
    oz_erc20::{Approval, Transfer},
    oz_initializable::Initialized,
    parameter_registry::IParameterRegistryLike,
    settlement_chain_external::IPermitErc20Like,
};
use xmtp_core::{
    ecdsa::MAX_S,
    eip712::DOMAIN_TYPEHASH,
    erc20_permit::PERMIT_TYPEHASH,
    slots::{ERC1967_IMPLEMENTATION, OZ_EIP712, OZ_ERC20, OZ_INITIALIZABLE, OZ_NONCES},
    testing::{
        assert_migrate_through_registry, mock_ecrecover, real_ecrecover, sign, CallKind, MockHost,
        ANVIL_KEY_0 as KEY_0, ANVIL_KEY_1 as KEY_1, ANVIL_SIGNER_0 as SIGNER_0,
        ANVIL_SIGNER_1 as SIGNER_1, SECP256K1_ORDER as ORDER,
    },
    wiring::set_address_for_tests,
};

use super::*;

type Outcome = Result<Vec<u8>, Vec<u8>>;

const PROXY: Address = address!("0x0000000000000000000000000000000000005d01");
const CHAIN_ID: u64 = 412_346;
const IMPLEMENTATION: Address = address!("0x0000000000000000000000000000000000000f01");
const REGISTRY: Address = address!("0x0000000000000000000000000000000000000e01");
const MIGRATOR: Address = address!("0x0000000000000000000000000000000000000b01");
const ALICE: Address = address!("0x00000000000000000000000000000000000a11ce");
const BOB: Address = address!("0x0000000000000000000000000000000000000b0b");
const NOW: u64 = 1_700_000_000;
fn token() -> (MockHost, MockUnderlyingFeeToken) {
    let host = MockHost::new();
    host.vm.set_contract_address(PROXY);
    host.vm.set_chain_id(CHAIN_ID);
    host.vm.set_block_timestamp(NOW);
    host.vm.set_sender(ALICE);
    host.vm
        .set_storage(ERC1967_IMPLEMENTATION, IMPLEMENTATION.into_word());
    set_address_for_tests("parameterRegistry", REGISTRY);
    let token = MockUnderlyingFeeToken::from(&host);
    (host, token)
}

fn initialized_token() -> (MockHost, MockUnderlyingFeeToken) {
    let (host, mut token) = token();
    token.initialize().unwrap();
    (host, token)
}

fn log(event: &impl SolEvent) -> (Vec<B256>, Vec<u8>) {
    let data = event.encode_log_data();
    (data.topics().to_vec(), data.data.to_vec())
}

fn logs_after_initialization(host: &MockHost) -> Vec<(Vec<B256>, Vec<u8>)> {
    host.vm.get_emitted_logs()[1..].to_vec()
}

fn u256(value: u64) -> U256 {
    U256::from(value)
}

fn balance_slot(account: Address) -> U256 {
    U256::from_be_bytes(keccak256((account, OZ_ERC20).abi_encode()).0)
}

fn short_string_word(text: &str) -> B256 {
    let mut word = [0u8; 32];
    word[..text.len()].copy_from_slice(text.as_bytes());
    word[31] = u8::try_from(text.len() * 2).unwrap();
    B256::from(word)
}

fn mock_registry_get(host: &MockHost, key: &str, value: Outcome) {
    let calldata = IParameterRegistryLike::get_0Call { key_: key.into() }.abi_encode();
    host.mock(CallKind::Static, REGISTRY, calldata, value);
}

/// The EIP-2612 digest, computed independently of the program.
fn permit_digest(
    owner: Address,
    spender: Address,
    value: U256,
    nonce: U256,
    deadline: U256,
) -> B256 {
    let domain = keccak256(
        (
            DOMAIN_TYPEHASH,
            keccak256("Mock USD"),
            keccak256("1"),
            U256::from(CHAIN_ID),
            PROXY,
        )
            .abi_encode(),
    );
    let struct_hash =
        keccak256((PERMIT_TYPEHASH, owner, spender, value, nonce, deadline).abi_encode());
    keccak256([&[0x19, 0x01][..], domain.as_slice(), struct_hash.as_slice()].concat())
}

// ---- initialize ----

#[test]
fn initialize_sets_mock_usd_names_and_domain() {
    let (host, mut token) = token();
    assert_eq!(token.initialize(), Ok(()));
    assert_eq!(
        host.vm.get_storage(OZ_ERC20 + U256::from(3)),
        short_string_word("Mock USD")
    );
    assert_eq!(
        host.vm.get_storage(OZ_ERC20 + U256::from(4)),
        short_string_word("mUSD")
    );
    assert_eq!(
        host.vm.get_storage(OZ_EIP712 + U256::from(2)),
        short_string_word("Mock USD")
    );
    assert_eq!(
        host.vm.get_storage(OZ_EIP712 + U256::from(3)),
        short_string_word("1")
    );
    assert_eq!(
        host.vm.get_storage(OZ_INITIALIZABLE),
        B256::with_last_byte(1)
    );
    assert_eq!(token.name(), "Mock USD");
    assert_eq!(token.symbol(), "mUSD");
    assert_eq!(
        host.vm.get_emitted_logs(),
        vec![log(&Initialized { version: 1 })]
    );
}

#[test]
fn initialize_twice_or_on_the_bare_implementation_reverts() {
    let (_host, mut initialized) = initialized_token();
    assert_eq!(
        initialized.initialize(),
        Err(InvalidInitialization {}.into())
    );
    let (host, mut bare) = token();
    host.vm.set_storage(ERC1967_IMPLEMENTATION, B256::ZERO);
    assert_eq!(bare.initialize(), Err(InvalidInitialization {}.into()));
}

// ---- mint ----

#[test]
fn anyone_can_mint_to_anyone() {
    let (host, mut token) = initialized_token();
    host.vm.set_sender(BOB);
    assert_eq!(token.mint(ALICE, u256(1_000_000)), Ok(()));
    assert_eq!(
        U256::from_be_bytes(host.vm.get_storage(balance_slot(ALICE)).0),
        u256(1_000_000)
    );
    assert_eq!(token.total_supply(), u256(1_000_000));
    assert_eq!(
        logs_after_initialization(&host),
        vec![log(&Transfer {
            from: Address::ZERO,
            to: ALICE,
            value: u256(1_000_000)
        })]
    );
}

#[test]
fn mint_to_the_zero_address_reverts_invalid_receiver() {
    let (_host, mut token) = initialized_token();
    assert_eq!(
        token.mint(Address::ZERO, u256(1)),
        Err(ERC20InvalidReceiver {
            receiver: Address::ZERO
        }
        .into())
    );
}

#[test]
fn mint_past_the_maximum_supply_panics_with_overflow() {
    let (_host, mut token) = initialized_token();
    token.mint(ALICE, U256::MAX).unwrap();
    assert_eq!(
        token.mint(BOB, u256(1)),
        Err(Panic::from(PanicKind::UnderOverflow).into())
    );
    assert_eq!(token.balance_of(BOB), U256::ZERO);
}

// ---- ERC-20 ----

#[test]
fn transfer_approve_and_transfer_from_behave_as_openzeppelin() {
    let (host, mut token) = initialized_token();
    token.mint(ALICE, u256(10)).unwrap();
    assert_eq!(token.transfer(BOB, u256(4)), Ok(true));
    assert_eq!(token.approve(BOB, u256(3)), Ok(true));
    host.vm.set_sender(BOB);
    assert_eq!(
        token.transfer_from(ALICE, BOB, u256(4)),
        Err(ERC20InsufficientAllowance {
            spender: BOB,
            allowance: u256(3),
            needed: u256(4)
        }
        .into())
    );
    assert_eq!(token.transfer_from(ALICE, BOB, u256(3)), Ok(true));
    assert_eq!(token.balance_of(ALICE), u256(3));
    assert_eq!(token.balance_of(BOB), u256(7));
    assert_eq!(token.allowance(ALICE, BOB), U256::ZERO);
    assert_eq!(
        token.transfer(ALICE, u256(8)),
        Err(ERC20InsufficientBalance {
            sender: BOB,
            balance: u256(7),
            needed: u256(8)
        }
        .into())
    );
    assert_eq!(
        logs_after_initialization(&host)[1..],
        [
            log(&Transfer {
                from: ALICE,
                to: BOB,
                value: u256(4)
            }),
            log(&Approval {
                owner: ALICE,
                spender: BOB,
                value: u256(3)
            }),
            log(&Transfer {
                from: ALICE,
                to: BOB,
                value: u256(3)
            }),
        ]
    );
}

#[test]
fn approve_and_transfer_refuse_the_zero_address() {
    let (_host, mut token) = initialized_token();
    assert_eq!(
        token.approve(Address::ZERO, u256(1)),
        Err(ERC20InvalidSpender {
            spender: Address::ZERO
        }
        .into())
    );
    assert_eq!(
        token.transfer(Address::ZERO, u256(1)),
        Err(ERC20InvalidReceiver {
            receiver: Address::ZERO
        }
        .into())
    );
}

// ---- permit ----

#[test]
fn permit_with_the_owners_signature_approves() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW);
    let digest = permit_digest(SIGNER_0, PROXY, u256(25), U256::ZERO, deadline);
    let signed = sign(KEY_0, digest);
    mock_ecrecover(&host, digest, &signed);
    assert_eq!(
        token.permit(
            SIGNER_0,
            PROXY,
            u256(25),
            deadline,
            signed.v,
            signed.r,
            signed.s
        ),
        Ok(())
    );
    assert_eq!(token.allowance(SIGNER_0, PROXY), u256(25));
    assert_eq!(token.nonces(SIGNER_0), u256(1));
    assert_eq!(
        U256::from_be_bytes(
            host.vm
                .get_storage(U256::from_be_bytes(
                    keccak256((SIGNER_0, OZ_NONCES).abi_encode()).0
                ))
                .0
        ),
        u256(1)
    );
    assert_eq!(
        logs_after_initialization(&host),
        vec![log(&Approval {
            owner: SIGNER_0,
            spender: PROXY,
            value: u256(25)
        })]
    );
}

#[test]
fn permit_reverts_expired_wrong_signer_and_high_s() {
    let (host, mut token) = initialized_token();
    let late = u256(NOW - 1);
    let signed = sign(
        KEY_0,
        permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, late),
    );
    assert_eq!(
        token.permit(SIGNER_0, BOB, u256(1), late, signed.v, signed.r, signed.s),
        Err(ERC2612ExpiredSignature { deadline: late }.into())
    );

    let deadline = u256(NOW + 1);
    let digest = permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, deadline);
    let wrong = sign(KEY_1, digest);
    mock_ecrecover(&host, digest, &wrong);
    assert_eq!(
        token.permit(SIGNER_0, BOB, u256(1), deadline, wrong.v, wrong.r, wrong.s),
        Err(ERC2612InvalidSigner {
            signer: SIGNER_1,
            owner: SIGNER_0
        }
        .into())
    );

    let signed = sign(KEY_0, digest);
    let high_s = B256::from(ORDER - U256::from_be_bytes(signed.s.0));
    assert!(U256::from_be_bytes(high_s.0) > MAX_S);
    let calls = host.calls().len();
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            deadline,
            55 - signed.v,
            signed.r,
            high_s
        ),
        Err(ECDSAInvalidSignatureS { s: high_s }.into())
    );
    assert_eq!(host.calls().len(), calls);
    assert_eq!(token.nonces(SIGNER_0), U256::ZERO);
}

#[test]
fn permit_replayed_reverts_invalid_signer_and_keeps_the_nonce() {
    let (host, mut token) = initialized_token();
    let deadline = u256(NOW);
    let digest = permit_digest(SIGNER_0, BOB, u256(4), U256::ZERO, deadline);
    let signed = sign(KEY_0, digest);
    mock_ecrecover(&host, digest, &signed);
    let permit = |token: &mut MockUnderlyingFeeToken| {
        token.permit(
            SIGNER_0,
            BOB,
            u256(4),
            deadline,
            signed.v,
            signed.r,
            signed.s,
        )
    };
    assert_eq!(permit(&mut token), Ok(()));
    // The digest now carries nonce 1: the same signature recovers an unrelated address.
    let replay_digest = permit_digest(SIGNER_0, BOB, u256(4), u256(1), deadline);
    mock_ecrecover(&host, replay_digest, &signed);
    let recovered =
        Address::from_slice(&real_ecrecover(replay_digest, signed.v, signed.r, signed.s)[12..]);
    assert_ne!(recovered, SIGNER_0);
    assert_eq!(
        permit(&mut token),
        Err(ERC2612InvalidSigner {
            signer: recovered,
            owner: SIGNER_0
        }
        .into())
    );
    assert_eq!(token.nonces(SIGNER_0), u256(1));
    assert_eq!(token.allowance(SIGNER_0, BOB), u256(4));
}

#[test]
fn permit_reverts_invalid_signature_when_nothing_is_recovered() {
    let (host, mut token) = initialized_token();
    let digest = permit_digest(SIGNER_0, BOB, u256(1), U256::ZERO, u256(NOW));
    let mut signed = sign(KEY_0, digest);
    signed.v = 1;
    mock_ecrecover(&host, digest, &signed);
    assert_eq!(
        token.permit(
            SIGNER_0,
            BOB,
            u256(1),
            u256(NOW),
            signed.v,
            signed.r,
            signed.s
        ),
        Err(ECDSAInvalidSignature {}.into())
    );
}

#[test]
fn the_fee_tokens_permit_call_is_this_tokens_permit() {
    assert_eq!(
        IPermitErc20Like::permitCall::SELECTOR,
        IMockUnderlyingFeeToken::permitCall::SELECTOR
    );
}

// ---- views ----

#[test]
fn views_report_constants_wiring_domain_and_identity() {
    let (_host, token) = initialized_token();
    assert_eq!(MockUnderlyingFeeToken::decimals(), 6);
    assert_eq!(
        MockUnderlyingFeeToken::migrator_parameter_key(),
        "xmtp.mockUnderlyingFeeToken.migrator"
    );
    assert_eq!(token.parameter_registry_getter(), REGISTRY);
    assert_eq!(token.implementation(), IMPLEMENTATION);
    assert_eq!(
        token.domain_separator(),
        keccak256(
            (
                DOMAIN_TYPEHASH,
                keccak256("Mock USD"),
                keccak256("1"),
                U256::from(CHAIN_ID),
                PROXY
            )
                .abi_encode()
        )
    );
    assert_eq!(
        token.eip712_domain(),
        Ok((
            FixedBytes([0x0f]),
            "Mock USD".into(),
            "1".into(),
            U256::from(CHAIN_ID),
            PROXY,
            B256::ZERO,
            vec![]
        ))
    );
}

// ---- migrate ----

/// The registry's answer, then every `Migratable` outcome (zero, out of bounds, failing,
/// codeless, migrating), with exact revert data.
#[test]
fn migrate_follows_the_migratable_sequence() {
    let (host, mut token) = initialized_token();
    assert_migrate_through_registry(
        &host,
        &mut token,
        MIGRATOR,
        |answer| mock_registry_get(&host, "xmtp.mockUnderlyingFeeToken.migrator", answer),
        MockUnderlyingFeeToken::migrate,
    );
}

// ---- routing ----

#[test]
fn every_interface_function_is_routed() {
    use stylus_sdk::abi::Router;
    for function in IMockUnderlyingFeeToken::abi::functions().values().flatten() {
        let (_host, mut token) = initialized_token();
        let selector = u32::from_be_bytes(function.selector().0);
        let routed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            <MockUnderlyingFeeToken as Router<MockUnderlyingFeeToken>>::route(
                &mut token,
                selector,
                &[],
            )
            .is_some()
        }));
        assert!(
            routed.unwrap_or(true),
            "{} is not routed",
            function.signature()
        );
    }
    let (_host, mut token) = initialized_token();
    assert!(
        <MockUnderlyingFeeToken as Router<MockUnderlyingFeeToken>>::route(
            &mut token,
            0xdead_beef,
            &[]
        )
        .is_none()
    );
}
