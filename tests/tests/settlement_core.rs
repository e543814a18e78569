//! The settlement chain's economic core on the devnet (issue 6): the real programs behind
//! proxies the Factory made, wired to each other as the spec says and configured through the
//! settlement parameter registry. The `MockUnderlyingFeeToken` plays USDC.
//!
//! - A payer wraps USDC into the fee token, deposits into the `PayerRegistry` directly, for
//!   another payer, with a permit and from the underlying (with and without a permit), requests
//!   a withdrawal, cannot finalize it before the lock, then finalizes into the fee token and
//!   into USDC.
//! - An administrator adds nodes to the `NodeRegistry`, minting their NFTs to operators, and
//!   moves them in and out of the canonical set under the maximum.
//! - The `RateRegistry` records rates from the parameter registry, read back by index.

use std::sync::OnceLock;

use alloy_primitives::{keccak256, Address, Bytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolValue};
use k256::ecdsa::SigningKey;
use xmtp_abi::{
    factory::IFactory,
    fee_token::IFeeToken,
    mock_underlying_fee_token::IMockUnderlyingFeeToken,
    node_registry::{
        INodeRegistry, MaxCanonicalNodesBelowCurrentCount, MaxCanonicalNodesReached,
        MaxCanonicalNodesUpdated, NodeAdded, NodeAddedToCanonicalNetwork,
        NodeRemovedFromCanonicalNetwork, NotAdmin,
    },
    oz_erc20::{ERC20InsufficientAllowance, Transfer as Erc20Transfer},
    oz_erc721::{ERC721NonexistentToken, Transfer},
    parameter_registry::IParameterRegistry,
    payer_registry::{
        Deposit, IPayerRegistry, InsufficientDeposit, WithdrawalFinalized, WithdrawalNotReady,
        WithdrawalRequested,
    },
    rate_registry::{FromIndexOutOfRange, IRateRegistry, RatesUpdated},
};
use xmtp_deploy::{
    network::{self, Base, Operator, Programs},
    Artifact,
};
use xmtp_devnet::{Chain, Receipt};
use xmtp_system_tests::{chain, log_of, programs, revert_data, transact, view, DEPLOYER};

const CHAIN_ID: u64 = 8_453;
const ADMIN: Address = Address::new([0xad; 20]);
const ALICE: Address = Address::new([0xa1; 20]);
const BOB: Address = Address::new([0xb0; 20]);
const RECIPIENT: Address = Address::new([0x7e; 20]);
/// One USDC (6 decimals), and so one xUSD.
const DOLLAR: u64 = 1_000_000;
/// The withdraw lock period set in the parameter registry: one hour.
const LOCK: u64 = 3_600;

/// The payer's signing key.
const PAYER_KEY: [u8; 32] = [0x42; 32];

/// A valid uncompressed node signing key derived from `seed`.
fn node_key(seed: u8) -> Bytes {
    let mut key = vec![0x04];
    key.extend((0..64).map(|i| seed.wrapping_add(i)));
    key.into()
}

fn signer_of(key: &[u8]) -> Address {
    Address::from_word(keccak256(&key[1..]))
}

fn word(value: u64) -> B256 {
    B256::from(U256::from(value))
}

fn dollars(amount: u64) -> U256 {
    U256::from(amount * DOLLAR)
}

fn u96(amount: U256) -> alloy_primitives::aliases::U96 {
    alloy_primitives::aliases::U96::from(amount.to::<u128>())
}

/// The `MockUnderlyingFeeToken` through the pipeline, wired to `parameter_registry`. It is a
/// deployable program outside the reference's ABI manifest and not among the harness's
/// `PROGRAMS`, so this binary builds it once on its own, the way the deploy tooling builds
/// every program.
fn usdc_artifact(parameter_registry: Address) -> Artifact {
    const MOCK: &str = "xmtp-mock-underlying-fee-token";
    static BUILT: OnceLock<Programs> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
            let workspace = xmtp_deploy::discover(&root).expect("cargo metadata");
            Programs::build(&workspace, &[MOCK]).expect("the mock stablecoin builds")
        })
        .artifact(MOCK, &[("parameterRegistry", parameter_registry)])
        .expect("the mock stablecoin passes the pipeline")
}

/// The settlement core, deployed and configured.
struct Core {
    chain: Chain,
    base: Base,
    usdc: Address,
    fee_token: Address,
    payer_registry: Address,
    node_registry: Address,
    rate_registry: Address,
}

/// The implementation from `init_code` through the Factory, then its proxy (salt
/// `<contract>_0`), initialized with `initialize()`.
fn deploy(op: &mut Operator<'_>, base: &Base, contract: &str, init_code: &[u8]) -> Address {
    let implementation = network::deploy_implementation(
        op,
        base.factory,
        &format!("deploy impl {contract}"),
        init_code,
    )
    .expect("the implementation deploys");
    op.transact(
        &format!("deploy proxy {contract}"),
        base.factory,
        &IFactory::deployProxyCall {
            implementation_: implementation,
            salt_: network::salt(&format!("{contract}_0")),
            // `initialize()`: one selector for every program deployed here.
            initializeCallData_: INodeRegistry::initializeCall {}.abi_encode().into(),
        },
        U256::ZERO,
    )
    .expect("the proxy deploys and initializes")
}

fn set_parameter(chain: &mut Chain, registry: Address, key: &str, value: B256) {
    transact(
        chain,
        DEPLOYER,
        registry,
        &IParameterRegistry::set_0Call {
            key_: key.into(),
            value_: value,
        },
    );
}

/// The base network, then USDC, the fee token wrapping it, the payer registry (fee token and
/// underlying wired), the node registry and the rate registry, each behind its proxy; then
/// the parameters each reads: node admin and maximum canonical nodes (2), minimum deposit
/// (10 USDC) and withdraw lock period (one hour).
#[allow(clippy::too_many_lines)]
fn core() -> Core {
    let programs = programs();
    let mut chain = chain(CHAIN_ID);
    let mut op = Operator::new(&mut chain, DEPLOYER);
    let base = network::deploy_base(
        &mut op,
        programs,
        "xmtp-settlement-chain-parameter-registry",
        &[DEPLOYER],
    )
    .expect("the base deploys");
    let registry = base.parameter_registry;
    let artifact = |crate_name: &str, wiring: &[(&str, Address)]| {
        programs
            .artifact(crate_name, wiring)
            .unwrap_or_else(|error| panic!("{crate_name}: {error}"))
    };
    let usdc = deploy(
        &mut op,
        &base,
        "MockUnderlyingFeeToken",
        &usdc_artifact(registry).init_code,
    );
    let fee_token = deploy(
        &mut op,
        &base,
        "FeeToken",
        &artifact(
            "xmtp-fee-token",
            &[("parameterRegistry", registry), ("underlying", usdc)],
        )
        .init_code,
    );
    let payer_registry = deploy(
        &mut op,
        &base,
        "PayerRegistry",
        &artifact(
            "xmtp-payer-registry",
            &[
                ("parameterRegistry", registry),
                ("feeToken", fee_token),
                ("underlyingFeeToken", usdc),
            ],
        )
        .init_code,
    );
    let node_registry = deploy(
        &mut op,
        &base,
        "NodeRegistry",
        &artifact("xmtp-node-registry", &[("parameterRegistry", registry)]).init_code,
    );
    let rate_registry = deploy(
        &mut op,
        &base,
        "RateRegistry",
        &artifact("xmtp-rate-registry", &[("parameterRegistry", registry)]).init_code,
    );
    for (key, value) in [
        ("xmtp.nodeRegistry.admin", ADMIN.into_word()),
        ("xmtp.nodeRegistry.maxCanonicalNodes", word(2)),
        ("xmtp.payerRegistry.minimumDeposit", word(10 * DOLLAR)),
        ("xmtp.payerRegistry.withdrawLockPeriod", word(LOCK)),
    ] {
        set_parameter(&mut chain, registry, key, value);
    }
    transact(
        &mut chain,
        DEPLOYER,
        node_registry,
        &INodeRegistry::updateAdminCall {},
    );
    let (_, receipt) = transact(
        &mut chain,
        DEPLOYER,
        node_registry,
        &INodeRegistry::updateMaxCanonicalNodesCall {},
    );
    assert_eq!(
        receipt.logs,
        vec![log_of(
            node_registry,
            &MaxCanonicalNodesUpdated {
                maxCanonicalNodes: 2
            }
        )]
    );
    transact(
        &mut chain,
        DEPLOYER,
        payer_registry,
        &IPayerRegistry::updateMinimumDepositCall {},
    );
    transact(
        &mut chain,
        DEPLOYER,
        payer_registry,
        &IPayerRegistry::updateWithdrawLockPeriodCall {},
    );
    Core {
        chain,
        base,
        usdc,
        fee_token,
        payer_registry,
        node_registry,
        rate_registry,
    }
}

/// The logs `receipt` holds from `emitter`.
fn logs_from(receipt: &Receipt, emitter: Address) -> Vec<Log> {
    receipt
        .logs
        .iter()
        .filter(|log| log.address == emitter)
        .cloned()
        .collect()
}

fn balance(chain: &mut Chain, token: Address, account: Address) -> U256 {
    view(chain, token, &IFeeToken::balanceOfCall { account })
}

fn payer_balance(core: &mut Core, payer: Address) -> i128 {
    let balance = view(
        &mut core.chain,
        core.payer_registry,
        &IPayerRegistry::getBalanceCall { payer_: payer },
    );
    i128::try_from(balance).expect("an int104 fits")
}

/// `(v, r, s)` of `key` over `digest`.
fn sign(key: &SigningKey, digest: B256) -> (u8, B256, B256) {
    let (signature, recovery_id) = key
        .sign_prehash_recoverable(digest.as_slice())
        .expect("signs");
    let (r, s) = signature.split_bytes();
    (
        27 + recovery_id.to_byte(),
        B256::from_slice(&r),
        B256::from_slice(&s),
    )
}

fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_word(keccak256(&point.as_bytes()[1..]))
}

/// The EIP-2612 digest for the USDC mock: its domain separator and OpenZeppelin's permit
/// struct hash.
fn usdc_permit_digest(
    core: &mut Core,
    owner: Address,
    spender: Address,
    value: U256,
    deadline: U256,
) -> B256 {
    let domain = view(
        &mut core.chain,
        core.usdc,
        &IMockUnderlyingFeeToken::DOMAIN_SEPARATORCall {},
    );
    let nonce = view(
        &mut core.chain,
        core.usdc,
        &IMockUnderlyingFeeToken::noncesCall { owner },
    );
    let typehash = keccak256(
        "Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)",
    );
    let struct_hash = keccak256((typehash, owner, spender, value, nonce, deadline).abi_encode());
    keccak256([&[0x19, 0x01][..], domain.as_slice(), struct_hash.as_slice()].concat())
}

#[test]
// One scenario, step by step, as the issue tells it.
#[allow(clippy::too_many_lines)]
fn a_payer_wraps_deposits_and_withdraws_through_the_lock() {
    let mut core = core();
    let key = SigningKey::from_slice(&PAYER_KEY).expect("a valid key");
    let payer = address_of(&key);
    core.chain
        .fund(payer, U256::from(10u64).pow(U256::from(18)));
    let registry = core.payer_registry;
    let (usdc, fee_token) = (core.usdc, core.fee_token);
    transact(
        &mut core.chain,
        payer,
        usdc,
        &IMockUnderlyingFeeToken::mintCall {
            to_: payer,
            amount_: dollars(1_000),
        },
    );

    // Wrap 500 USDC into xUSD.
    transact(
        &mut core.chain,
        payer,
        usdc,
        &IFeeToken::approveCall {
            spender: fee_token,
            value: dollars(500),
        },
    );
    transact(
        &mut core.chain,
        payer,
        fee_token,
        &IFeeToken::depositCall {
            amount_: dollars(500),
        },
    );
    assert_eq!(balance(&mut core.chain, fee_token, payer), dollars(500));
    assert_eq!(balance(&mut core.chain, usdc, payer), dollars(500));
    assert_eq!(balance(&mut core.chain, usdc, fee_token), dollars(500));

    // Directly, then for another payer.
    transact(
        &mut core.chain,
        payer,
        fee_token,
        &IFeeToken::approveCall {
            spender: registry,
            value: dollars(150),
        },
    );
    let (_, receipt) = transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::depositCall {
            payer_: payer,
            amount_: u96(dollars(100)),
        },
    );
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                fee_token,
                &Erc20Transfer {
                    from: payer,
                    to: registry,
                    value: dollars(100),
                }
            ),
            log_of(
                registry,
                &Deposit {
                    payer,
                    amount: u96(dollars(100)),
                }
            ),
        ]
    );
    let (_, receipt) = transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::depositCall {
            payer_: BOB,
            amount_: u96(dollars(50)),
        },
    );
    assert_eq!(
        logs_from(&receipt, registry),
        vec![log_of(
            registry,
            &Deposit {
                payer: BOB,
                amount: u96(dollars(50)),
            }
        )]
    );
    assert_eq!(payer_balance(&mut core, payer), 100 * i128::from(DOLLAR));
    assert_eq!(payer_balance(&mut core, BOB), 50 * i128::from(DOLLAR));

    // Below the minimum deposit.
    transact(
        &mut core.chain,
        payer,
        fee_token,
        &IFeeToken::approveCall {
            spender: registry,
            value: dollars(1),
        },
    );
    assert_eq!(
        revert_data(
            &mut core.chain,
            payer,
            registry,
            &IPayerRegistry::depositCall {
                payer_: payer,
                amount_: u96(dollars(1)),
            }
        ),
        Bytes::from(
            InsufficientDeposit {
                amount: u96(dollars(1)),
                minimumDeposit: u96(dollars(10)),
            }
            .abi_encode()
        )
    );

    // With a permit of the fee token (no approval needed).
    transact(
        &mut core.chain,
        payer,
        fee_token,
        &IFeeToken::approveCall {
            spender: registry,
            value: U256::ZERO,
        },
    );
    let deadline = U256::from(core.chain.timestamp() + 600);
    let nonce = view(
        &mut core.chain,
        fee_token,
        &IFeeToken::noncesCall { owner_: payer },
    );
    let digest = view(
        &mut core.chain,
        fee_token,
        &IFeeToken::getPermitDigestCall {
            owner_: payer,
            spender_: registry,
            value_: dollars(20),
            nonce_: nonce,
            deadline_: deadline,
        },
    );
    let (v, r, s) = sign(&key, digest);
    let with_permit = IPayerRegistry::depositWithPermitCall {
        payer_: payer,
        amount_: u96(dollars(20)),
        deadline_: deadline,
        v_: v,
        r_: r,
        s_: s,
    };
    let (_, receipt) = transact(&mut core.chain, payer, registry, &with_permit);
    assert_eq!(
        logs_from(&receipt, registry),
        vec![log_of(
            registry,
            &Deposit {
                payer,
                amount: u96(dollars(20)),
            }
        )]
    );
    assert_eq!(payer_balance(&mut core, payer), 120 * i128::from(DOLLAR));
    // Replayed, the permit fails (its nonce is spent) and is ignored, as the reference ignores
    // it; the deposit then has no allowance to spend.
    assert_eq!(
        revert_data(&mut core.chain, payer, registry, &with_permit),
        Bytes::from(
            ERC20InsufficientAllowance {
                spender: registry,
                allowance: U256::ZERO,
                needed: dollars(20),
            }
            .abi_encode()
        )
    );
    assert_eq!(
        view(
            &mut core.chain,
            fee_token,
            &IFeeToken::noncesCall { owner_: payer }
        ),
        nonce + U256::from(1)
    );

    // From the underlying: with an approval, then with a permit of USDC.
    transact(
        &mut core.chain,
        payer,
        usdc,
        &IFeeToken::approveCall {
            spender: registry,
            value: dollars(30),
        },
    );
    let (_, receipt) = transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::depositFromUnderlyingCall {
            payer_: payer,
            amount_: u96(dollars(30)),
        },
    );
    assert_eq!(
        logs_from(&receipt, registry),
        vec![log_of(
            registry,
            &Deposit {
                payer,
                amount: u96(dollars(30)),
            }
        )]
    );
    let digest = usdc_permit_digest(&mut core, payer, registry, dollars(40), deadline);
    let (v, r, s) = sign(&key, digest);
    transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::depositFromUnderlyingWithPermitCall {
            payer_: payer,
            amount_: u96(dollars(40)),
            deadline_: deadline,
            v_: v,
            r_: r,
            s_: s,
        },
    );
    assert_eq!(payer_balance(&mut core, payer), 190 * i128::from(DOLLAR));
    assert_eq!(balance(&mut core.chain, usdc, payer), dollars(430));
    assert_eq!(balance(&mut core.chain, usdc, fee_token), dollars(570));
    assert_eq!(balance(&mut core.chain, fee_token, registry), dollars(240));
    // No allowance is left over on the underlying (the deviation's exact approval).
    assert_eq!(
        view(
            &mut core.chain,
            usdc,
            &IFeeToken::allowanceCall {
                owner: registry,
                spender: fee_token,
            }
        ),
        U256::ZERO
    );

    // A withdrawal request, refused before the lock, finalized into xUSD after it.
    let requested_at = core.chain.timestamp();
    let (_, receipt) = transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::requestWithdrawalCall {
            amount_: u96(dollars(60)),
        },
    );
    let withdrawable = u32::try_from(requested_at + LOCK).expect("a uint32 timestamp");
    assert_eq!(
        receipt.logs,
        vec![log_of(
            registry,
            &WithdrawalRequested {
                payer,
                amount: u96(dollars(60)),
                withdrawableTimestamp: withdrawable,
                nonce: alloy_primitives::aliases::U24::from(1),
            }
        )]
    );
    assert_eq!(payer_balance(&mut core, payer), 130 * i128::from(DOLLAR));
    // Refused at the request and still one second before the lock ends; accepted exactly when
    // it ends.
    for wait in [0, LOCK - 1] {
        core.chain.advance(wait, 1);
        assert_eq!(
            revert_data(
                &mut core.chain,
                payer,
                registry,
                &IPayerRegistry::finalizeWithdrawalCall { recipient_: payer }
            ),
            Bytes::from(
                WithdrawalNotReady {
                    timestamp: u32::try_from(core.chain.timestamp()).expect("a uint32 timestamp"),
                    withdrawableTimestamp: withdrawable,
                    nonce: alloy_primitives::aliases::U24::from(1),
                }
                .abi_encode()
            )
        );
    }
    core.chain.advance(1, 1);
    assert_eq!(core.chain.timestamp(), requested_at + LOCK);
    let (_, receipt) = transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::finalizeWithdrawalCall { recipient_: payer },
    );
    assert_eq!(
        receipt.logs,
        vec![
            log_of(
                registry,
                &WithdrawalFinalized {
                    payer,
                    nonce: alloy_primitives::aliases::U24::from(1),
                }
            ),
            log_of(
                fee_token,
                &Erc20Transfer {
                    from: registry,
                    to: payer,
                    value: dollars(60),
                }
            ),
        ]
    );
    assert_eq!(balance(&mut core.chain, fee_token, payer), dollars(390));

    // A second request, finalized into USDC for another recipient.
    transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::requestWithdrawalCall {
            amount_: u96(dollars(25)),
        },
    );
    core.chain.advance(LOCK, 1);
    transact(
        &mut core.chain,
        payer,
        registry,
        &IPayerRegistry::finalizeWithdrawalIntoUnderlyingCall {
            recipient_: RECIPIENT,
        },
    );
    assert_eq!(balance(&mut core.chain, usdc, RECIPIENT), dollars(25));
    assert_eq!(balance(&mut core.chain, fee_token, registry), dollars(155));
    assert_eq!(balance(&mut core.chain, usdc, fee_token), dollars(545));
    assert_eq!(
        view(&mut core.chain, fee_token, &IFeeToken::totalSupplyCall {}),
        dollars(545)
    );
    assert_eq!(payer_balance(&mut core, payer), 105 * i128::from(DOLLAR));
    let total_deposits = view(
        &mut core.chain,
        registry,
        &IPayerRegistry::totalDepositsCall {},
    );
    assert_eq!(
        i128::try_from(total_deposits).expect("an int104 fits"),
        155 * i128::from(DOLLAR)
    );
    assert_eq!(
        view(&mut core.chain, registry, &IPayerRegistry::excessCall {}),
        u96(U256::ZERO)
    );
}

#[test]
// One scenario, step by step, as the issue tells it.
#[allow(clippy::too_many_lines)]
fn rates_are_recorded_and_read_back_by_index() {
    let mut core = core();
    let rates = core.rate_registry;
    let registry = core.base.parameter_registry;
    let set = |chain: &mut Chain, values: [u64; 5]| {
        for (key, value) in [
            "xmtp.rateRegistry.messageFee",
            "xmtp.rateRegistry.storageFee",
            "xmtp.rateRegistry.congestionFee",
            "xmtp.rateRegistry.targetRatePerMinute",
            "xmtp.rateRegistry.ratesInEffectAfter",
        ]
        .into_iter()
        .zip(values)
        {
            set_parameter(chain, registry, key, word(value));
        }
    };
    let start = core.chain.timestamp();
    for (index, values) in [
        [100, 200, 0, 1_000, start],
        [150, 250, 5, 2_000, start + 60],
    ]
    .into_iter()
    .enumerate()
    {
        set(&mut core.chain, values);
        let (_, receipt) = transact(
            &mut core.chain,
            DEPLOYER,
            rates,
            &IRateRegistry::updateRatesCall {},
        );
        assert_eq!(
            receipt.logs,
            vec![log_of(
                rates,
                &RatesUpdated {
                    messageFee: values[0],
                    storageFee: values[1],
                    congestionFee: values[2],
                    targetRatePerMinute: values[3],
                    startTime: values[4],
                }
            )]
        );
        let read = view(
            &mut core.chain,
            rates,
            &IRateRegistry::getRatesCall {
                fromIndex_: U256::from(index),
                count_: U256::from(1),
            },
        );
        assert_eq!(read.len(), 1);
        assert_eq!(
            (
                read[0].messageFee,
                read[0].storageFee,
                read[0].congestionFee,
                read[0].targetRatePerMinute,
                read[0].startTime
            ),
            (values[0], values[1], values[2], values[3], values[4])
        );
    }
    assert_eq!(
        view(&mut core.chain, rates, &IRateRegistry::getRatesCountCall {}),
        U256::from(2)
    );
    let both = view(
        &mut core.chain,
        rates,
        &IRateRegistry::getRatesCall {
            fromIndex_: U256::ZERO,
            count_: U256::from(2),
        },
    );
    assert_eq!(
        both.iter()
            .map(|rates| rates.messageFee)
            .collect::<Vec<_>>(),
        vec![100, 150]
    );
    assert_eq!(
        revert_data(
            &mut core.chain,
            DEPLOYER,
            rates,
            &IRateRegistry::getRatesCall {
                fromIndex_: U256::from(2),
                count_: U256::from(1),
            }
        ),
        Bytes::from(FromIndexOutOfRange {}.abi_encode())
    );
}

#[test]
// One scenario, step by step, as the issue tells it.
#[allow(clippy::too_many_lines)]
fn an_admin_adds_nodes_and_moves_them_in_and_out_of_the_canonical_set() {
    let Core {
        mut chain,
        base,
        node_registry: registry,
        ..
    } = core();
    let parameter_registry = base.parameter_registry;
    assert_eq!(
        view(&mut chain, registry, &INodeRegistry::adminCall {}),
        ADMIN
    );

    // Only the admin adds nodes.
    let add = |owner: Address, seed: u8| INodeRegistry::addNodeCall {
        owner_: owner,
        signingPublicKey_: node_key(seed),
        httpAddress_: format!("https://node{seed}.example"),
    };
    assert_eq!(
        revert_data(&mut chain, ALICE, registry, &add(ALICE, 1)),
        Bytes::from(NotAdmin {}.abi_encode())
    );

    // Ids 100, 200, 300; each NFT is minted to its operator.
    for (index, (owner, seed)) in [(ALICE, 1u8), (BOB, 2), (ALICE, 3)].into_iter().enumerate() {
        let node_id = 100 * (u32::try_from(index).unwrap() + 1);
        let (returned, receipt) = transact(&mut chain, ADMIN, registry, &add(owner, seed));
        assert_eq!(
            (returned.nodeId_, returned.signer_),
            (node_id, signer_of(&node_key(seed)))
        );
        assert_eq!(
            receipt.logs,
            vec![
                log_of(
                    registry,
                    &Transfer {
                        from: Address::ZERO,
                        to: owner,
                        tokenId: U256::from(node_id),
                    }
                ),
                log_of(
                    registry,
                    &NodeAdded {
                        nodeId: node_id,
                        owner,
                        signer: signer_of(&node_key(seed)),
                        signingPublicKey: node_key(seed),
                        httpAddress: format!("https://node{seed}.example"),
                    }
                ),
            ]
        );
        assert_eq!(
            view(
                &mut chain,
                registry,
                &INodeRegistry::ownerOfCall {
                    tokenId: U256::from(node_id)
                }
            ),
            owner
        );
    }
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::balanceOfCall { owner: ALICE }
        ),
        U256::from(2)
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::getAllNodesCountCall {}
        ),
        3
    );

    // Into the canonical set, up to the maximum of 2.
    for node_id in [100u32, 300] {
        let (_, receipt) = transact(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: node_id },
        );
        assert_eq!(
            receipt.logs,
            vec![log_of(
                registry,
                &NodeAddedToCanonicalNetwork { nodeId: node_id }
            )]
        );
    }
    assert_eq!(
        revert_data(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: 200 }
        ),
        Bytes::from(MaxCanonicalNodesReached {}.abi_encode())
    );
    assert_eq!(
        revert_data(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: 400 }
        ),
        Bytes::from(
            ERC721NonexistentToken {
                tokenId: U256::from(400)
            }
            .abi_encode()
        )
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::getCanonicalNodesCall {}
        ),
        vec![100, 300]
    );
    let node = view(
        &mut chain,
        registry,
        &INodeRegistry::getNodeCall { nodeId_: 300 },
    );
    assert_eq!(
        (
            node.signer,
            node.isCanonical,
            node.signingPublicKey,
            node.httpAddress
        ),
        (
            signer_of(&node_key(3)),
            true,
            node_key(3),
            "https://node3.example".to_owned()
        )
    );

    // The maximum cannot go below the set's size.
    transact(
        &mut chain,
        DEPLOYER,
        parameter_registry,
        &IParameterRegistry::set_0Call {
            key_: "xmtp.nodeRegistry.maxCanonicalNodes".into(),
            value_: word(1),
        },
    );
    assert_eq!(
        revert_data(
            &mut chain,
            DEPLOYER,
            registry,
            &INodeRegistry::updateMaxCanonicalNodesCall {}
        ),
        Bytes::from(MaxCanonicalNodesBelowCurrentCount {}.abi_encode())
    );

    // Out of the set: the last member moves into the removed one's place.
    let (_, receipt) = transact(
        &mut chain,
        ADMIN,
        registry,
        &INodeRegistry::removeFromNetworkCall { nodeId_: 100 },
    );
    assert_eq!(
        receipt.logs,
        vec![log_of(
            registry,
            &NodeRemovedFromCanonicalNetwork { nodeId: 100 }
        )]
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::getCanonicalNodesCall {}
        ),
        vec![300]
    );
    assert!(!view(
        &mut chain,
        registry,
        &INodeRegistry::getIsCanonicalNodeCall { nodeId_: 100 }
    ));
    transact(
        &mut chain,
        DEPLOYER,
        registry,
        &INodeRegistry::updateMaxCanonicalNodesCall {},
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::maxCanonicalNodesCall {}
        ),
        1
    );
    assert_eq!(
        revert_data(
            &mut chain,
            ADMIN,
            registry,
            &INodeRegistry::addToNetworkCall { nodeId_: 200 }
        ),
        Bytes::from(MaxCanonicalNodesReached {}.abi_encode())
    );
    assert_eq!(
        view(
            &mut chain,
            registry,
            &INodeRegistry::canonicalNodesCountCall {}
        ),
        1
    );
}
