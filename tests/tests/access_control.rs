//! The access-control matrix: every state-changing function of every contract, from the ABI
//! (`xmtp_abi::contracts::all()`), is either called through its proxy by an unauthorized
//! caller and refused with exactly the reference's error, leaving the state as it was, or
//! listed as permissionless with the reason. A function added to the ABI without a row here,
//! or a row for a function the ABI no longer has, fails the test.

use alloy_primitives::{keccak256, Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{abi::TokenSeq, SolError, SolType, SolValue};
use k256::ecdsa::SigningKey;
use xmtp_abi::{
    app_chain_gateway::NotSettlementChainGateway,
    migratable::ZeroMigrator,
    node_registry::NotNodeOwner,
    oz_erc20::ERC20InsufficientAllowance,
    oz_erc20_permit::ERC2612InvalidSigner,
    oz_erc721::{ERC721InsufficientApproval, ERC721InvalidApprover},
    oz_initializable::InvalidInitialization,
    parameter_registry::NotAdmin,
    payer_registry::NotSettler,
    payload_broadcaster::NotPayloadBootstrapper,
};
use xmtp_devnet::{Chain, Tx};
use xmtp_system_tests::{
    encode, send_ok,
    system::{deploy_system, System},
    DEPLOYER,
};

/// The unauthorized caller: an account with a key, so it can also sign permits.
fn stranger_key() -> SigningKey {
    SigningKey::from_slice(&[0x5a; 32]).expect("a valid scalar")
}

fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_raw_public_key(&point.as_bytes()[1..])
}

/// A node owner (not the stranger).
const OWNER: Address = Address::new([0x0e; 20]);

/// How a function is guarded.
enum Rule {
    /// Called by the stranger on `at`'s proxy with `calldata`: refused with `expected`.
    Refused {
        at: &'static str,
        calldata: Vec<u8>,
        expected: Vec<u8>,
    },
    /// Anyone may call it, as in the reference: why that is safe.
    Open(&'static str),
}

struct Row {
    contract: &'static str,
    signature: &'static str,
    rule: Rule,
}

fn open(contract: &'static str, signature: &'static str, why: &'static str) -> Row {
    Row {
        contract,
        signature,
        rule: Rule::Open(why),
    }
}

// By value: the arguments and errors are built inline in each row.
#[allow(clippy::needless_pass_by_value)]
fn refused<T>(
    contract: &'static str,
    signature: &'static str,
    args: T,
    expected: impl SolError,
) -> Row
where
    T: SolValue,
    for<'a> <T::SolType as SolType>::Token<'a>: TokenSeq<'a>,
{
    Row {
        contract,
        signature,
        rule: Rule::Refused {
            at: contract,
            calldata: encode(signature, args),
            expected: expected.abi_encode(),
        },
    }
}

const OWN_FUNDS: &str = "moves only the caller's own funds or allowances";
const FROM_REGISTRY: &str = "copies a value the parameter registry's admins set";
const PROOFS: &str = "validity comes from node signatures and Merkle proofs (adversarial tests)";

/// Rows shared by every upgradeable contract: `initialize` once, `migrate` only to the
/// migrator the registry names (none here).
fn lifecycle(contract: &'static str, rows: &mut Vec<Row>) {
    rows.push(refused(
        contract,
        "initialize()",
        (),
        InvalidInitialization {},
    ));
    rows.push(refused(contract, "migrate()", (), ZeroMigrator {}));
}

/// A broadcaster's rows, `bootstrap` being its refused bootstrapping call.
fn broadcaster(contract: &'static str, add: &'static str, bootstrap: Row, rows: &mut Vec<Row>) {
    lifecycle(contract, rows);
    rows.push(open(contract, add, "anyone may broadcast a payload"));
    rows.push(bootstrap);
    for update in [
        "updateMinPayloadSize()",
        "updateMaxPayloadSize()",
        "updatePauseStatus()",
        "updatePayloadBootstrapper()",
    ] {
        rows.push(open(contract, update, FROM_REGISTRY));
    }
}

/// The matrix. `node` is a node owned by [`OWNER`]; `permit` the stranger's permit for
/// [`OWNER`]'s tokens.
#[allow(clippy::too_many_lines)]
fn table(stranger: Address, node: u32, permit: (U256, u8, B256, B256)) -> Vec<Row> {
    let mut rows = Vec::new();
    let key = String::from("xmtp.some.key");

    lifecycle("Factory", &mut rows);
    rows.push(open(
        "Factory",
        "deployImplementation(bytes)",
        "the address is the code's hash: nobody can take another's",
    ));
    rows.push(open(
        "Factory",
        "deployProxy(address,bytes32,bytes)",
        "the salt is bound to the caller (adversarial front-running test)",
    ));
    // Initializable only runs as a proxy's first implementation; afterwards its selector
    // reaches the proxy's real implementation, which does not route it.
    rows.push(Row {
        contract: "Initializable",
        signature: "initialize(address,bytes)",
        rule: Rule::Refused {
            at: "FeeToken",
            calldata: encode("initialize(address,bytes)", (stranger, Bytes::new())),
            expected: Vec::new(),
        },
    });

    for registry in [
        "SettlementChainParameterRegistry",
        "AppChainParameterRegistry",
    ] {
        rows.push(refused(
            registry,
            "initialize(address[])",
            (vec![stranger],),
            InvalidInitialization {},
        ));
        rows.push(refused(registry, "migrate()", (), ZeroMigrator {}));
        rows.push(refused(
            registry,
            "set(string,bytes32)",
            (key.clone(), B256::repeat_byte(1)),
            NotAdmin {},
        ));
        rows.push(refused(
            registry,
            "set(string[],bytes32[])",
            (vec![key.clone()], vec![B256::repeat_byte(1)]),
            NotAdmin {},
        ));
    }

    lifecycle("AppChainGateway", &mut rows);
    rows.push(open(
        "AppChainGateway",
        "receiveDeposit(address)",
        "forwards the value sent with it (open in the reference)",
    ));
    rows.push(refused(
        "AppChainGateway",
        "receiveParameters(uint256,string[],bytes32[])",
        (U256::from(1), vec![key.clone()], vec![B256::repeat_byte(1)]),
        NotSettlementChainGateway {},
    ));
    rows.push(open(
        "AppChainGateway",
        "updatePauseStatus()",
        FROM_REGISTRY,
    ));
    rows.push(open("AppChainGateway", "withdraw(address)", OWN_FUNDS));
    rows.push(open(
        "AppChainGateway",
        "withdrawIntoUnderlying(address)",
        OWN_FUNDS,
    ));

    for signature in [
        "deposit(address,uint96,address,uint96,uint256,uint256)",
        "depositFromUnderlying(address,uint96,address,uint96,uint256,uint256)",
        "depositFromUnderlyingWithPermit(address,uint96,address,uint96,uint256,uint256,uint256,uint8,bytes32,bytes32)",
        "depositWithPermit(address,uint96,address,uint96,uint256,uint256,uint256,uint8,bytes32,bytes32)",
    ] {
        rows.push(open("DepositSplitter", signature, OWN_FUNDS));
    }

    lifecycle("DistributionManager", &mut rows);
    rows.push(refused(
        "DistributionManager",
        "claim(uint32,uint32[],uint256[])",
        (node, vec![node], vec![U256::ZERO]),
        NotNodeOwner {},
    ));
    rows.push(refused(
        "DistributionManager",
        "withdraw(uint32,address)",
        (node, stranger),
        NotNodeOwner {},
    ));
    rows.push(refused(
        "DistributionManager",
        "withdrawIntoUnderlying(uint32,address)",
        (node, stranger),
        NotNodeOwner {},
    ));
    for (signature, why) in [
        (
            "claimProtocolFees(uint32[],uint256[])",
            "credits the protocol, not the caller",
        ),
        (
            "withdrawProtocolFees()",
            "pays the registry's protocol fees recipient",
        ),
        (
            "withdrawProtocolFeesIntoUnderlying()",
            "pays the registry's protocol fees recipient",
        ),
        ("updatePauseStatus()", FROM_REGISTRY),
        ("updateProtocolFeesRecipient()", FROM_REGISTRY),
    ] {
        rows.push(open("DistributionManager", signature, why));
    }

    lifecycle("FeeToken", &mut rows);
    rows.push(refused(
        "FeeToken",
        "transferFrom(address,address,uint256)",
        (OWNER, stranger, U256::from(1)),
        ERC20InsufficientAllowance {
            spender: stranger,
            allowance: U256::ZERO,
            needed: U256::from(1),
        },
    ));
    let (deadline, v, r, s) = permit;
    rows.push(refused(
        "FeeToken",
        "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)",
        (
            OWNER,
            stranger,
            U256::from(1),
            deadline,
            U256::from(v),
            r,
            s,
        ),
        ERC2612InvalidSigner {
            signer: stranger,
            owner: OWNER,
        },
    ));
    for signature in [
        "approve(address,uint256)",
        "deposit(uint256)",
        "depositFor(address,uint256)",
        "depositForWithPermit(address,uint256,uint256,uint8,bytes32,bytes32)",
        "depositWithPermit(uint256,uint256,uint8,bytes32,bytes32)",
        "transfer(address,uint256)",
        "withdraw(uint256)",
        "withdrawTo(address,uint256)",
    ] {
        rows.push(open("FeeToken", signature, OWN_FUNDS));
    }

    let payloads = || vec![Bytes::from_static(b"payload")];
    broadcaster(
        "GroupMessageBroadcaster",
        "addMessage(bytes16,bytes)",
        refused(
            "GroupMessageBroadcaster",
            "bootstrapMessages(bytes16[],bytes[],uint64[])",
            (
                vec![FixedBytes::<16>::repeat_byte(7)],
                payloads(),
                vec![1u64],
            ),
            NotPayloadBootstrapper {},
        ),
        &mut rows,
    );
    broadcaster(
        "IdentityUpdateBroadcaster",
        "addIdentityUpdate(bytes32,bytes)",
        refused(
            "IdentityUpdateBroadcaster",
            "bootstrapIdentityUpdates(bytes32[],bytes[],uint64[])",
            (vec![B256::repeat_byte(7)], payloads(), vec![1u64]),
            NotPayloadBootstrapper {},
        ),
        &mut rows,
    );

    lifecycle("NodeRegistry", &mut rows);
    let public_key = Bytes::from(vec![4u8; 65]);
    rows.push(refused(
        "NodeRegistry",
        "addNode(address,bytes,string)",
        (stranger, public_key, String::from("https://n")),
        NotAdmin {},
    ));
    rows.push(refused(
        "NodeRegistry",
        "addToNetwork(uint32)",
        (node,),
        NotAdmin {},
    ));
    rows.push(refused(
        "NodeRegistry",
        "removeFromNetwork(uint32)",
        (node,),
        NotAdmin {},
    ));
    rows.push(refused(
        "NodeRegistry",
        "setBaseURI(string)",
        (String::from("https://stranger/"),),
        NotAdmin {},
    ));
    rows.push(refused(
        "NodeRegistry",
        "setHttpAddress(uint32,string)",
        (node, String::from("https://stranger")),
        NotNodeOwner {},
    ));
    rows.push(refused(
        "NodeRegistry",
        "approve(address,uint256)",
        (stranger, U256::from(node)),
        ERC721InvalidApprover { approver: stranger },
    ));
    let stolen = ERC721InsufficientApproval {
        operator: stranger,
        tokenId: U256::from(node),
    };
    rows.push(refused(
        "NodeRegistry",
        "transferFrom(address,address,uint256)",
        (OWNER, stranger, U256::from(node)),
        stolen.clone(),
    ));
    rows.push(refused(
        "NodeRegistry",
        "safeTransferFrom(address,address,uint256)",
        (OWNER, stranger, U256::from(node)),
        stolen.clone(),
    ));
    rows.push(refused(
        "NodeRegistry",
        "safeTransferFrom(address,address,uint256,bytes)",
        (OWNER, stranger, U256::from(node), Bytes::new()),
        stolen,
    ));
    rows.push(open(
        "NodeRegistry",
        "setApprovalForAll(address,bool)",
        "approves operators of the caller's own nodes",
    ));
    rows.push(open("NodeRegistry", "updateAdmin()", FROM_REGISTRY));
    rows.push(open(
        "NodeRegistry",
        "updateMaxCanonicalNodes()",
        FROM_REGISTRY,
    ));

    lifecycle("PayerRegistry", &mut rows);
    let fees: Vec<(Address, u128)> = vec![(OWNER, 1)];
    let fees = fees
        .into_iter()
        .map(|(payer, fee)| (payer, alloy_primitives::Uint::<96, 2>::from(fee)))
        .collect::<Vec<_>>();
    rows.push(refused(
        "PayerRegistry",
        "settleUsage(bytes32,(address,uint96)[])",
        (B256::repeat_byte(9), fees),
        NotSettler {},
    ));
    for signature in [
        "cancelWithdrawal()",
        "deposit(address,uint96)",
        "depositFromUnderlying(address,uint96)",
        "depositFromUnderlyingWithPermit(address,uint96,uint256,uint8,bytes32,bytes32)",
        "depositWithPermit(address,uint96,uint256,uint8,bytes32,bytes32)",
        "finalizeWithdrawal(address)",
        "finalizeWithdrawalIntoUnderlying(address)",
        "requestWithdrawal(uint96)",
    ] {
        rows.push(open("PayerRegistry", signature, OWN_FUNDS));
    }
    rows.push(open(
        "PayerRegistry",
        "sendExcessToFeeDistributor()",
        "pays only the registry's fee distributor",
    ));
    for update in [
        "updateFeeDistributor()",
        "updateMinimumDeposit()",
        "updatePauseStatus()",
        "updateSettler()",
        "updateWithdrawLockPeriod()",
    ] {
        rows.push(open("PayerRegistry", update, FROM_REGISTRY));
    }

    lifecycle("PayerReportManager", &mut rows);
    rows.push(open(
        "PayerReportManager",
        "submit(uint32,uint64,uint64,uint32,bytes32,uint32[],(uint32,bytes)[])",
        PROOFS,
    ));
    rows.push(open(
        "PayerReportManager",
        "settle(uint32,uint256,bytes[],bytes32[])",
        PROOFS,
    ));
    rows.push(open(
        "PayerReportManager",
        "updateProtocolFeeRate()",
        FROM_REGISTRY,
    ));

    lifecycle("RateRegistry", &mut rows);
    rows.push(open("RateRegistry", "updateRates()", FROM_REGISTRY));

    lifecycle("SettlementChainGateway", &mut rows);
    for signature in [
        "deposit(uint256,address,uint256,uint256,uint256)",
        "depositFromUnderlying(uint256,address,uint256,uint256,uint256)",
        "depositFromUnderlyingWithPermit(uint256,address,uint256,uint256,uint256,uint256,uint8,bytes32,bytes32)",
        "depositWithPermit(uint256,address,uint256,uint256,uint256,uint256,uint8,bytes32,bytes32)",
    ] {
        rows.push(open("SettlementChainGateway", signature, OWN_FUNDS));
    }
    for signature in [
        "sendParameters(uint256[],string[],uint256,uint256,uint256)",
        "sendParametersFromUnderlying(uint256[],string[],uint256,uint256,uint256)",
        "sendParametersFromUnderlyingWithPermit(uint256[],string[],uint256,uint256,uint256,uint256,uint8,bytes32,bytes32)",
        "sendParametersWithPermit(uint256[],string[],uint256,uint256,uint256,uint256,uint8,bytes32,bytes32)",
    ] {
        rows.push(open(
            "SettlementChainGateway",
            signature,
            "bridges the registry's current values, paid by the caller",
        ));
    }
    rows.push(open(
        "SettlementChainGateway",
        "receiveWithdrawal(address)",
        "pays out only what the bridge delivered to the gateway",
    ));
    rows.push(open(
        "SettlementChainGateway",
        "receiveWithdrawalIntoUnderlying(address)",
        "pays out only what the bridge delivered to the gateway",
    ));
    rows.push(open(
        "SettlementChainGateway",
        "updateInbox(uint256)",
        FROM_REGISTRY,
    ));
    rows.push(open(
        "SettlementChainGateway",
        "updatePauseStatus()",
        FROM_REGISTRY,
    ));
    rows
}

fn view_call(chain: &mut Chain, to: Address, data: Vec<u8>) -> Bytes {
    let receipt = chain.call(&Tx::call(DEPLOYER, to, data)).expect("accepted");
    assert!(receipt.status, "view on {to} reverted");
    receipt.output
}

fn string_view(chain: &mut Chain, to: Address, signature: &str) -> String {
    let output = view_call(chain, to, keccak256(signature)[..4].to_vec());
    String::abi_decode(&output).expect("a string")
}

/// Sets `key` to `value` in `registry` as its admin.
fn set(chain: &mut Chain, registry: Address, key: String, value: B256) {
    let data = encode("set(string,bytes32)", (key, value));
    send_ok(chain, &Tx::call(DEPLOYER, registry, data));
}

/// Puts the system in the state the refusals need: a node owned by [`OWNER`], paused
/// broadcasters (bootstrapping needs them paused). Returns the node id.
fn arrange(system: &mut System) -> u32 {
    let registry = system.proxy("SettlementChainParameterRegistry");
    let app_registry = system.proxy("AppChainParameterRegistry");
    for broadcaster in ["GroupMessageBroadcaster", "IdentityUpdateBroadcaster"] {
        let at = system.proxy(broadcaster);
        let key = string_view(&mut system.chain, at, "pausedParameterKey()");
        set(
            &mut system.chain,
            app_registry,
            key,
            B256::from(U256::from(1)),
        );
        send_ok(
            &mut system.chain,
            &Tx::call(DEPLOYER, at, encode("updatePauseStatus()", ())),
        );
    }
    if !system.deployed("NodeRegistry") {
        return 100;
    }
    let nodes = system.proxy("NodeRegistry");
    let key = string_view(&mut system.chain, nodes, "adminParameterKey()");
    set(&mut system.chain, registry, key, DEPLOYER.into_word());
    send_ok(
        &mut system.chain,
        &Tx::call(DEPLOYER, nodes, encode("updateAdmin()", ())),
    );
    let signer = SigningKey::from_slice(&[0x0e; 32]).expect("a valid scalar");
    let public_key = Bytes::from(
        signer
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec(),
    );
    let receipt = send_ok(
        &mut system.chain,
        &Tx::call(
            DEPLOYER,
            nodes,
            encode(
                "addNode(address,bytes,string)",
                (OWNER, public_key, String::from("https://node")),
            ),
        ),
    );
    let (node, _signer) = <(u32, Address)>::abi_decode_params(&receipt.output).expect("ids");
    node
}

/// The stranger's permit for [`OWNER`]'s tokens, signed with the stranger's key.
fn stranger_permit(system: &mut System, key: &SigningKey) -> (U256, u8, B256, B256) {
    let token = system.proxy("FeeToken");
    let separator = B256::abi_decode(&view_call(
        &mut system.chain,
        token,
        keccak256("DOMAIN_SEPARATOR()")[..4].to_vec(),
    ))
    .expect("a word");
    let deadline = U256::from(system.chain.timestamp() + 3_600);
    let typehash = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let spender = address_of(key);
    let struct_hash = keccak256(
        (
            typehash,
            OWNER,
            spender,
            U256::from(1),
            U256::ZERO,
            deadline,
        )
            .abi_encode(),
    );
    let digest = keccak256([&[0x19, 0x01], separator.as_slice(), struct_hash.as_slice()].concat());
    let (signature, recovery) = key
        .sign_prehash_recoverable(digest.as_slice())
        .expect("signs");
    let bytes = signature.to_bytes();
    (
        deadline,
        27 + recovery.to_byte(),
        B256::from_slice(&bytes[..32]),
        B256::from_slice(&bytes[32..]),
    )
}

#[test]
fn every_state_changing_function_is_guarded_or_deliberately_open() {
    let mut system = deploy_system();
    system.chain.set_basefee(0);
    let key = stranger_key();
    let stranger = address_of(&key);
    let node = arrange(&mut system);
    let permit = stranger_permit(&mut system, &key);
    let rows = table(stranger, node, permit);

    let mut problems = Vec::new();
    let mut covered = std::collections::BTreeSet::new();
    for (contract, abi) in xmtp_abi::contracts::all() {
        for function in abi.functions() {
            use alloy_json_abi::StateMutability::{Pure, View};
            if matches!(function.state_mutability, View | Pure) {
                continue;
            }
            let signature = function.signature();
            let matching: Vec<&Row> = rows
                .iter()
                .filter(|r| r.contract == contract && r.signature == signature)
                .collect();
            match matching.len() {
                1 => {
                    covered.insert((contract, signature));
                }
                0 => problems.push(format!("{contract}.{signature} has no row")),
                _ => problems.push(format!("{contract}.{signature} has several rows")),
            }
        }
    }
    for row in &rows {
        if !covered.contains(&(row.contract, row.signature.to_owned())) {
            problems.push(format!(
                "row {}.{} is not a state-changing function of the ABI",
                row.contract, row.signature
            ));
        }
    }

    let mut refused = 0;
    for row in &rows {
        let (at, calldata, expected) = match &row.rule {
            Rule::Refused {
                at,
                calldata,
                expected,
            } => (at, calldata, expected),
            Rule::Open(why) => {
                println!("open: {}.{}: {why}", row.contract, row.signature);
                continue;
            }
        };
        if !system.deployed(at) || !system.deployed(row.contract) {
            println!(
                "not run (the pipeline refuses the program): {}.{}",
                row.contract, row.signature
            );
            continue;
        }
        assert_eq!(&calldata[..4], &keccak256(row.signature)[..4]);
        let before = system.chain.state_digest();
        let receipt = system
            .chain
            .send(&Tx::call(stranger, system.proxy(at), calldata.clone()))
            .expect("accepted");
        if receipt.status || receipt.output.as_ref() != expected.as_slice() {
            problems.push(format!(
                "{}.{}: status {} output 0x{} (expected revert 0x{})",
                row.contract,
                row.signature,
                receipt.status,
                alloy_primitives::hex::encode(&receipt.output),
                alloy_primitives::hex::encode(expected)
            ));
        } else if system.chain.state_digest() != before {
            problems.push(format!(
                "{}.{}: refused but the state changed",
                row.contract, row.signature
            ));
        } else {
            refused += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(refused >= 20, "only {refused} refusals checked");
    println!(
        "{refused} refusals checked; skipped programs: {:?}",
        system.skipped
    );
}
