//! Adversarial cases against the real programs on the devnet: reentrancy through a malicious
//! recipient and a malicious underlying token, signature replay and malleability on the fee
//! token's `permit`, front-running of `deployProxy` salts, and migration to a migrator chosen
//! by someone other than the parameter registry's admins.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolError, SolValue};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use xmtp_abi::{
    app_chain_gateway::{DepositReceived, TransferFailed},
    factory::ProxyDeployed,
    migratable::{EmptyCode, ZeroMigrator},
    oz_ecdsa::{ECDSAInvalidSignature, ECDSAInvalidSignatureS},
    oz_erc20::Transfer,
    oz_erc20_permit::ERC2612InvalidSigner,
    parameter_registry::NotAdmin,
};
use xmtp_devnet::{Chain, Tx};
use xmtp_devnet_node::asm::{assemble, op, push, push_bytes, Item, Item::Op};
use xmtp_system_tests::{
    encode, log_of, send_ok,
    system::{deploy_system, System, UNDERLYING},
    DEPLOYER,
};

const STRANGER: Address = Address::new([0x5a; 20]);
const BOB: Address = Address::new([0xb0; 20]);

/// secp256k1's group order.
const ORDER: U256 = U256::from_be_bytes(alloy_primitives::hex!(
    "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
));

/// A contract that counts its entries (slot 1) and, on entry number `nth` (1-based), calls
/// `target` with `value` and `data` once, recording the call's success in slot 2. Any other
/// entry just stops, which also makes it a token whose `transfer`/`transferFrom` "succeed"
/// without return data.
fn reenter_on(nth: u64, target: Address, value: U256, data: &[u8]) -> Bytes {
    let payload = [
        target.into_word().as_slice(),
        &value.to_be_bytes::<32>(),
        data,
    ]
    .concat();
    let len = u16::try_from(payload.len()).expect("small");
    let code = |offset: u16| {
        assemble(&[
            push(1),
            Op(op::SLOAD),
            push(1),
            Op(op::ADD),
            Op(op::DUP1),
            push(1),
            Op(op::SSTORE),
            push(nth),
            Op(op::EQ),
            Op(op::ISZERO),
            Item::PushLabel("done"),
            Op(op::JUMPI),
            push_bytes(&len.to_be_bytes()),
            push_bytes(&offset.to_be_bytes()),
            push(0),
            Op(op::CODECOPY),
            push(0),
            push(0),
            push_bytes(&(len - 64).to_be_bytes()),
            push(64),
            push(32),
            Op(op::MLOAD),
            push(0),
            Op(op::MLOAD),
            Op(op::GAS),
            Op(op::CALL),
            push(2),
            Op(op::SSTORE),
            Item::Label("done"),
            Op(op::STOP),
        ])
    };
    let offset = u16::try_from(code(0).len()).expect("small");
    [code(offset), payload].concat().into()
}

/// A contract that refuses everything with empty revert data.
fn refuser() -> Bytes {
    assemble(&[push(0), push(0), Op(op::REVERT)]).into()
}

fn system() -> System {
    let mut system = deploy_system();
    system.chain.set_basefee(0);
    for who in [STRANGER, BOB] {
        system
            .chain
            .fund(who, U256::from(10u64).pow(U256::from(21u8)));
    }
    system
}

fn word(chain: &mut Chain, to: Address, data: Vec<u8>) -> U256 {
    let receipt = chain.call(&Tx::call(DEPLOYER, to, data)).expect("accepted");
    assert!(receipt.status, "view reverted");
    U256::abi_decode(&receipt.output).expect("a word")
}

fn revert_of(chain: &mut Chain, tx: &Tx) -> Bytes {
    let before = chain.state_digest();
    let receipt = chain.send(tx).expect("accepted");
    assert!(!receipt.status, "expected a revert");
    assert!(receipt.halt.is_none() && receipt.stylus_halts.is_empty());
    assert_eq!(chain.state_digest(), before, "a revert changes nothing");
    receipt.output
}

#[test]
fn a_recipient_reentering_receive_deposit_gets_exactly_what_was_sent() {
    let mut s = system();
    let gateway = s.proxy("AppChainGateway");
    let receiver = Address::repeat_byte(0x7e);
    let reentry = encode("receiveDeposit(address)", (BOB,));
    s.chain
        .set_code(receiver, reenter_on(1, gateway, U256::from(4), &reentry));

    let tx = Tx::call(
        STRANGER,
        gateway,
        encode("receiveDeposit(address)", (receiver,)),
    )
    .value(U256::from(10));
    let receipt = send_ok(&mut s.chain, &tx);
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                gateway,
                &DepositReceived {
                    recipient: receiver,
                    amount: U256::from(10)
                }
            ),
            log_of(
                gateway,
                &DepositReceived {
                    recipient: BOB,
                    amount: U256::from(4)
                }
            ),
        ]
    );
    assert_eq!(
        s.chain.storage(receiver, U256::from(2)),
        U256::from(1),
        "the reentrant call succeeded"
    );
    assert_eq!(
        s.chain.storage(receiver, U256::from(1)),
        U256::from(1),
        "entered once"
    );
    assert_eq!(s.chain.balance(receiver), U256::from(6));
    assert_eq!(
        s.chain.balance(BOB),
        U256::from(10u64).pow(U256::from(21u8)) + U256::from(4)
    );
    assert_eq!(
        s.chain.balance(gateway),
        U256::ZERO,
        "the gateway keeps nothing"
    );

    // A recipient that refuses the value undoes the whole deposit.
    s.chain.set_code(receiver, refuser());
    let tx = Tx::call(
        STRANGER,
        gateway,
        encode("receiveDeposit(address)", (receiver,)),
    )
    .value(U256::from(10));
    assert_eq!(
        revert_of(&mut s.chain, &tx),
        Bytes::from(TransferFailed {}.abi_encode())
    );
}

#[test]
fn an_underlying_token_reentering_the_fee_token_loses_no_update() {
    let mut s = system();
    let token = s.proxy("FeeToken");
    let supply = |s: &mut System| word(&mut s.chain, token, encode("totalSupply()", ()));
    let balance = |s: &mut System, who: Address| {
        word(&mut s.chain, token, encode("balanceOf(address)", (who,)))
    };
    // During the fee token's pull of 100 underlying, the underlying deposits 5 for itself.
    let inner = encode("deposit(uint256)", (U256::from(5),));
    s.chain
        .set_code(UNDERLYING, reenter_on(1, token, U256::ZERO, &inner));
    let receipt = send_ok(
        &mut s.chain,
        &Tx::call(
            STRANGER,
            token,
            encode("deposit(uint256)", (U256::from(100),)),
        ),
    );
    let mint = |to: Address, value: u64| {
        log_of(
            token,
            &Transfer {
                from: Address::ZERO,
                to,
                value: U256::from(value),
            },
        )
    };
    assert_eq!(receipt.logs, vec![mint(UNDERLYING, 5), mint(STRANGER, 100)]);
    assert_eq!(s.chain.storage(UNDERLYING, U256::from(2)), U256::from(1));
    assert_eq!(supply(&mut s), U256::from(105), "both mints counted");
    assert_eq!(balance(&mut s, STRANGER), U256::from(100));
    assert_eq!(balance(&mut s, UNDERLYING), U256::from(5));

    // During the payout of a 60 withdrawal, the underlying withdraws its own 5.
    let entries = s.chain.storage(UNDERLYING, U256::from(1)).to::<u64>();
    let inner = encode("withdraw(uint256)", (U256::from(5),));
    s.chain.set_code(
        UNDERLYING,
        reenter_on(entries + 1, token, U256::ZERO, &inner),
    );
    let receipt = send_ok(
        &mut s.chain,
        &Tx::call(
            STRANGER,
            token,
            encode("withdraw(uint256)", (U256::from(60),)),
        ),
    );
    let burn = |from: Address, value: u64| {
        log_of(
            token,
            &Transfer {
                from,
                to: Address::ZERO,
                value: U256::from(value),
            },
        )
    };
    assert_eq!(receipt.logs, vec![burn(STRANGER, 60), burn(UNDERLYING, 5)]);
    assert_eq!(supply(&mut s), U256::from(40), "both burns counted");
    assert_eq!(balance(&mut s, STRANGER), U256::from(40));
    assert_eq!(balance(&mut s, UNDERLYING), U256::ZERO);
}

fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_raw_public_key(&point.as_bytes()[1..])
}

fn permit_digest(
    s: &mut System,
    owner: Address,
    spender: Address,
    nonce: u64,
    deadline: U256,
) -> B256 {
    let token = s.proxy("FeeToken");
    let separator = B256::from(word(&mut s.chain, token, encode("DOMAIN_SEPARATOR()", ())));
    let typehash = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let value = U256::from(1_000u64);
    let struct_hash =
        keccak256((typehash, owner, spender, value, U256::from(nonce), deadline).abi_encode());
    keccak256([&[0x19, 0x01], separator.as_slice(), struct_hash.as_slice()].concat())
}

fn permit_calldata(
    owner: Address,
    spender: Address,
    deadline: U256,
    v: u8,
    r: B256,
    s: B256,
) -> Vec<u8> {
    encode(
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        (
            owner,
            spender,
            U256::from(1_000u64),
            deadline,
            U256::from(v),
            r,
            s,
        ),
    )
}

#[test]
fn a_permit_cannot_be_replayed_or_malleated() {
    let mut s = system();
    let token = s.proxy("FeeToken");
    let key = SigningKey::from_slice(&[0x42; 32]).expect("a valid scalar");
    let owner = address_of(&key);
    let deadline = U256::from(s.chain.timestamp() + 3_600);
    let digest = permit_digest(&mut s, owner, STRANGER, 0, deadline);
    let (signature, recovery) = key
        .sign_prehash_recoverable(digest.as_slice())
        .expect("signs");
    let bytes = signature.to_bytes();
    let (r, low_s) = (
        B256::from_slice(&bytes[..32]),
        B256::from_slice(&bytes[32..]),
    );
    let v = 27 + recovery.to_byte();

    // The same signature with `n − s` and the other `v` recovers the same key: refused by
    // OpenZeppelin's low-s rule before anything else.
    let high_s = B256::from(ORDER - U256::from_be_bytes(low_s.0));
    let malleated = permit_calldata(owner, STRANGER, deadline, 55 - v, r, high_s);
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, token, malleated)),
        Bytes::from(ECDSAInvalidSignatureS { s: high_s }.abi_encode())
    );
    // A `v` the precompile does not take recovers nothing.
    let bad_v = permit_calldata(owner, STRANGER, deadline, v + 2, r, low_s);
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, token, bad_v)),
        Bytes::from(ECDSAInvalidSignature {}.abi_encode())
    );

    let valid = permit_calldata(owner, STRANGER, deadline, v, r, low_s);
    send_ok(&mut s.chain, &Tx::call(STRANGER, token, valid.clone()));
    let allowance = word(
        &mut s.chain,
        token,
        encode("allowance(address,address)", (owner, STRANGER)),
    );
    assert_eq!(allowance, U256::from(1_000u64));

    // Replayed, the signature is checked against the next nonce's digest: it recovers some
    // other key, which is not the owner.
    let replay_digest = permit_digest(&mut s, owner, STRANGER, 1, deadline);
    let recovered = VerifyingKey::recover_from_prehash(
        replay_digest.as_slice(),
        &Signature::from_slice(&bytes).expect("a signature"),
        RecoveryId::from_byte(recovery.to_byte()).expect("0 or 1"),
    )
    .expect("recovers a key");
    let recovered = {
        let point = recovered.to_encoded_point(false);
        Address::from_raw_public_key(&point.as_bytes()[1..])
    };
    assert_ne!(recovered, owner);
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(BOB, token, valid)),
        Bytes::from(
            ERC2612InvalidSigner {
                signer: recovered,
                owner
            }
            .abi_encode()
        )
    );
}

#[test]
fn a_front_run_deploy_proxy_salt_lands_elsewhere_and_the_victims_deployment_still_succeeds() {
    let mut s = system();
    let factory = s.proxy("Factory");
    let implementation = s.implementations["RateRegistry"];
    let salt = B256::repeat_byte(0x33);
    let compute = |s: &mut System, caller: Address| {
        let data = encode("computeProxyAddress(address,bytes32)", (caller, salt));
        Address::from_word(B256::from(word(&mut s.chain, factory, data)))
    };
    let victims = compute(&mut s, DEPLOYER);
    let attackers = compute(&mut s, STRANGER);
    assert_ne!(victims, attackers, "the salt is bound to the caller");

    let init = Bytes::from(encode("initialize()", ()));
    let deploy = encode(
        "deployProxy(address,bytes32,bytes)",
        (implementation, salt, init.clone()),
    );
    // The attacker sees the victim's transaction and sends the same calldata first.
    let front = send_ok(&mut s.chain, &Tx::call(STRANGER, factory, deploy.clone()));
    assert_eq!(
        Address::abi_decode(&front.output).expect("an address"),
        attackers
    );
    assert!(
        s.chain.code(victims).is_empty(),
        "the victim's address is untouched"
    );
    let receipt = send_ok(&mut s.chain, &Tx::call(DEPLOYER, factory, deploy));
    assert_eq!(
        receipt.logs[0],
        log_of(
            factory,
            &ProxyDeployed {
                proxy: victims,
                implementation,
                sender: DEPLOYER,
                salt,
                initializeCallData: init
            }
        )
    );
    assert!(!s.chain.code(victims).is_empty());
}

#[test]
fn only_the_registry_admins_can_point_a_proxy_at_a_migrator() {
    let mut s = system();
    let registry = s.proxy("SettlementChainParameterRegistry");
    let token = s.proxy("FeeToken");
    let key = {
        let receipt = s
            .chain
            .call(&Tx::call(
                DEPLOYER,
                token,
                encode("migratorParameterKey()", ()),
            ))
            .expect("accepted");
        String::abi_decode(&receipt.output).expect("a key")
    };
    // A migrator that would make the stranger's contract the fee token's implementation.
    let malicious = Address::repeat_byte(0x66);
    s.chain.set_code(malicious, refuser());
    let implementation_before = word(&mut s.chain, token, encode("implementation()", ()));

    let set = encode("set(string,bytes32)", (key.clone(), malicious.into_word()));
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, registry, set.clone())),
        Bytes::from(NotAdmin {}.abi_encode())
    );
    let batch = encode(
        "set(string[],bytes32[])",
        (vec![key.clone()], vec![malicious.into_word()]),
    );
    assert_eq!(
        revert_of(&mut s.chain, &Tx::call(STRANGER, registry, batch)),
        Bytes::from(NotAdmin {}.abi_encode())
    );
    // The registry itself cannot be migrated away from its admins either.
    assert_eq!(
        revert_of(
            &mut s.chain,
            &Tx::call(STRANGER, registry, encode("migrate()", ()))
        ),
        Bytes::from(ZeroMigrator {}.abi_encode())
    );
    assert_eq!(
        revert_of(
            &mut s.chain,
            &Tx::call(STRANGER, token, encode("migrate()", ()))
        ),
        Bytes::from(ZeroMigrator {}.abi_encode())
    );
    assert_eq!(
        word(&mut s.chain, token, encode("implementation()", ())),
        implementation_before
    );

    // An admin's choice is what migrate() follows: a migrator without code is refused.
    let codeless = Address::repeat_byte(0x67);
    send_ok(
        &mut s.chain,
        &Tx::call(
            DEPLOYER,
            registry,
            encode("set(string,bytes32)", (key, codeless.into_word())),
        ),
    );
    assert_eq!(
        revert_of(
            &mut s.chain,
            &Tx::call(STRANGER, token, encode("migrate()", ()))
        ),
        Bytes::from(
            EmptyCode {
                migrator_: codeless
            }
            .abi_encode()
        )
    );
}
