//! The app-chain path on both chains through the bridge, with the real programs behind proxies
//! made by each chain's Factory: parameters set on the settlement registry, bridged by
//! `sendParameters` as retryable tickets, applied by the `AppChainGateway` only from the
//! settlement gateway's alias and only for newer nonces, pulled by the broadcasters, which then
//! enforce them (limits, pause, and the bootstrapper alone re-emitting history while paused);
//! fee-token deposits arriving as app-chain native currency; withdrawals coming back through
//! the outbox after its delay.

use alloy_primitives::{keccak256, Address, Bytes, FixedBytes, Log, B256, U256};
use alloy_sol_types::{SolCall, SolError};
use xmtp_abi::{
    app_chain_external::{ISettlementChainGatewayLike, ARB_SYS},
    app_chain_gateway::{
        DepositReceived, IAppChainGateway, NotSettlementChainGateway, ParametersReceived,
        Withdrawal, ZeroRecipient, ZeroWithdrawalAmount,
    },
    fee_token::IFeeToken,
    group_message_broadcaster::{IGroupMessageBroadcaster, MessageSent},
    identity_update_broadcaster::{IIdentityUpdateBroadcaster, IdentityUpdateCreated},
    parameter_registry::{IParameterRegistry, NotAdmin, ParameterSet},
    payload_broadcaster::{
        InvalidMaxPayloadSize, InvalidMinPayloadSize, InvalidPayloadSize, MaxPayloadSizeUpdated,
        MinPayloadSizeUpdated, NoChange, NotPaused, NotPayloadBootstrapper, PauseStatusUpdated,
        Paused, PayloadBootstrapperUpdated,
    },
    registry_parameters::ParameterOutOfTypeBounds,
    settlement_chain_gateway::{
        Deposit, ISettlementChainGateway, InsufficientAmount, ParametersSent, WithdrawalReceived,
    },
};
use xmtp_deploy::demo::APP_CHAIN_ID;
use xmtp_devnet::{Receipt, Tx};
use xmtp_devnet_node::contracts::{ARB_RETRYABLE_TX, INBOX};
use xmtp_devnet_node::devnet::{from_alias, to_alias};
use xmtp_devnet_node::Side;
use xmtp_system_tests::log_of;
use xmtp_system_tests::two_chains::{
    bool_value, redeemCall, uint_value, NoTicketWithID, TwoChains, SCALE, UNDERLYING,
};

const GROUP_MIN: &str = "xmtp.groupMessageBroadcaster.minPayloadSize";
const GROUP_MAX: &str = "xmtp.groupMessageBroadcaster.maxPayloadSize";
const GROUP_PAUSED: &str = "xmtp.groupMessageBroadcaster.paused";
const IDENTITY_MIN: &str = "xmtp.identityUpdateBroadcaster.minPayloadSize";
const IDENTITY_MAX: &str = "xmtp.identityUpdateBroadcaster.maxPayloadSize";
const IDENTITY_PAUSED: &str = "xmtp.identityUpdateBroadcaster.paused";
const GROUP_BOOTSTRAPPER: &str = "xmtp.groupMessageBroadcaster.payloadBootstrapper";
const IDENTITY_BOOTSTRAPPER: &str = "xmtp.identityUpdateBroadcaster.payloadBootstrapper";

/// Gas limit of the parameter tickets: far above what `receiveParameters` of a few keys uses.
const TICKET_GAS: u64 = 1_000_000;

fn units(n: u64) -> U256 {
    U256::from(n)
}

fn keys(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

fn parameter_set(registry: Address, key: &str, value: B256) -> Log {
    log_of(
        registry,
        &ParameterSet {
            keyHash: keccak256(key.as_bytes()),
            key: key.into(),
            value,
        },
    )
}

/// The fee-token amount that pays exactly for a ticket of `gas` at `max_fee_per_gas` (the
/// devnet's inbox charges no submission fee), rounded up to whole fee-token units.
fn ticket_cost(gas: u64, max_fee_per_gas: u64) -> U256 {
    let wei = U256::from(gas) * U256::from(max_fee_per_gas);
    wei.div_ceil(SCALE)
}

/// What pays for a transmission.
#[derive(Debug, Clone, Copy)]
enum Pay {
    /// xUSD, with `sendParameters`.
    FeeToken,
    /// Fresh stablecoin, wrapped by the gateway, with `sendParametersFromUnderlying`.
    Underlying,
}

/// Bridges `keys` with an auto-redeemed ticket paid by `sender`; returns the app-chain receipt
/// of the redeem after checking the settlement side.
fn bridge(
    two: &mut TwoChains,
    pay: Pay,
    sender: Address,
    keys_: &[&str],
    (nonce, message_number): (u64, u64),
) -> Receipt {
    let (gateway, fee_token) = (two.addresses.gateway, two.addresses.fee_token);
    let max_fee = 2 * two.app_basefee();
    let amount = ticket_cost(TICKET_GAS, max_fee);
    let escrow = two.fee_tokens(INBOX);
    let (tokens, backing) = (two.fee_tokens(sender), two.underlying(fee_token));
    let receipt = match pay {
        Pay::FeeToken => two.send_parameters(sender, keys_, TICKET_GAS, max_fee, amount),
        Pay::Underlying => {
            two.mint_underlying(sender, amount);
            two.approve(UNDERLYING, sender, gateway, amount);
            let call = ISettlementChainGateway::sendParametersFromUnderlyingCall {
                chainIds_: vec![U256::from(APP_CHAIN_ID)],
                keys_: keys(keys_),
                gasLimit_: U256::from(TICKET_GAS),
                maxFeePerGas_: U256::from(max_fee),
                amountToSend_: amount,
            };
            two.call_ok(Side::Settlement, sender, gateway, &call)
        }
    };
    assert_eq!(
        receipt.logs.last(),
        Some(&log_of(
            gateway,
            &ParametersSent {
                chainId: U256::from(APP_CHAIN_ID),
                messageNumber: U256::from(message_number),
                nonce: U256::from(nonce),
                keys: keys(keys_),
            }
        ))
    );
    assert_eq!(
        ISettlementChainGateway::sendParametersCall::abi_decode_returns(&receipt.output).unwrap(),
        amount
    );
    match pay {
        Pay::FeeToken => assert_eq!(two.fee_tokens(sender), tokens - amount),
        Pay::Underlying => {
            assert_eq!(two.fee_tokens(sender), tokens);
            assert_eq!(two.underlying(sender), U256::ZERO);
            assert_eq!(two.underlying(fee_token), backing + amount);
        }
    }
    assert_eq!(two.fee_tokens(INBOX), escrow + amount);
    assert_eq!(two.fee_tokens(gateway), U256::ZERO);
    assert_eq!(two.devnet.pending_messages(), 1);

    let alias = to_alias(gateway);
    let alias_before = two.balance(Side::App, alias);
    let report = two.relay();
    assert_eq!(report.tickets_created.len(), 1);
    assert_eq!(report.redeemed.len(), 1, "{report:?}");
    assert!(report.failed.is_empty());
    let redeem = two.app_receipt(report.redeemed[0]);
    // The ticket's whole deposit becomes app-chain currency of the settlement gateway's alias
    // (its sender and refund address), which pays the redeem's gas out of it.
    let basefee = U256::from(two.app_basefee());
    assert_eq!(
        two.balance(Side::App, alias),
        alias_before + amount * SCALE - U256::from(redeem.gas_used) * basefee
    );
    redeem
}

#[test]
fn deployment_wires_the_gateways_to_each_other_the_inbox_and_the_registries() {
    let mut two = TwoChains::deploy();
    settlement_side_is_wired(&mut two);
    app_side_is_wired(&mut two);
}

fn settlement_side_is_wired(two: &mut TwoChains) {
    let a = two.addresses;
    let alias = to_alias(a.gateway);
    let s = Side::Settlement;
    assert_eq!(
        two.view(s, a.gateway, &ISettlementChainGateway::contractNameCall {}),
        "SettlementChainGateway"
    );
    assert_eq!(
        two.view(
            s,
            a.gateway,
            &ISettlementChainGateway::appChainGatewayCall {}
        ),
        a.gateway
    );
    assert_eq!(
        two.view(s, a.gateway, &ISettlementChainGateway::appChainAliasCall {}),
        alias
    );
    assert_eq!(
        two.view(s, a.gateway, &ISettlementChainGateway::feeTokenCall {}),
        a.fee_token
    );
    assert_eq!(
        two.view(
            s,
            a.gateway,
            &ISettlementChainGateway::getInboxCall {
                chainId_: U256::from(APP_CHAIN_ID)
            }
        ),
        INBOX
    );
    assert_eq!(
        two.view(s, a.fee_token, &IFeeToken::underlyingCall {}),
        UNDERLYING
    );
    assert_eq!(two.view(s, a.fee_token, &IFeeToken::decimalsCall {}), 6);
    let admin = two.admin();
    assert!(two.view(
        s,
        a.settlement.parameter_registry,
        &IParameterRegistry::isAdminCall { account_: admin }
    ));
}

fn app_side_is_wired(two: &mut TwoChains) {
    let a = two.addresses;
    let alias = to_alias(a.gateway);
    let admin = two.admin();
    let app = Side::App;
    assert_eq!(
        two.view(app, a.gateway, &IAppChainGateway::contractNameCall {}),
        "AppChainGateway"
    );
    assert_eq!(
        two.view(
            app,
            a.gateway,
            &IAppChainGateway::settlementChainGatewayCall {}
        ),
        a.gateway
    );
    assert_eq!(
        two.view(
            app,
            a.gateway,
            &IAppChainGateway::settlementChainGatewayAliasCall {}
        ),
        alias
    );
    assert_eq!(
        two.view(app, a.gateway, &IAppChainGateway::parameterRegistryCall {}),
        a.app.parameter_registry
    );
    assert!(two.view(
        app,
        a.app.parameter_registry,
        &IParameterRegistry::isAdminCall {
            account_: a.gateway
        }
    ));
    assert!(!two.view(
        app,
        a.app.parameter_registry,
        &IParameterRegistry::isAdminCall { account_: admin }
    ));
    for broadcaster in [a.group_message_broadcaster, a.identity_update_broadcaster] {
        assert_eq!(
            two.view(
                app,
                broadcaster,
                &IGroupMessageBroadcaster::parameterRegistryCall {}
            ),
            a.app.parameter_registry
        );
        assert_eq!(
            two.view(
                app,
                broadcaster,
                &IGroupMessageBroadcaster::minPayloadSizeCall {}
            ),
            0
        );
        assert_eq!(
            two.view(
                app,
                broadcaster,
                &IGroupMessageBroadcaster::maxPayloadSizeCall {}
            ),
            0
        );
        assert!(!two.view(app, broadcaster, &IGroupMessageBroadcaster::pausedCall {}));
    }
}

/// `r` reverted with exactly `error`, logging nothing.
fn assert_refused(r: &Receipt, error: &impl SolError) {
    assert!(!r.status, "{r:?}");
    assert!(r.logs.is_empty());
    assert_eq!(r.output, Bytes::from(error.abi_encode()));
}

/// One of the two broadcasters.
#[derive(Debug, Clone, Copy)]
enum Broadcaster {
    Group,
    Identity,
}

impl Broadcaster {
    fn address(self, two: &TwoChains) -> Address {
        match self {
            Self::Group => two.addresses.group_message_broadcaster,
            Self::Identity => two.addresses.identity_update_broadcaster,
        }
    }

    /// Publishes a `len`-byte payload from `from`; the receipt and the payload.
    fn publish(self, two: &mut TwoChains, from: Address, len: usize) -> (Receipt, Bytes) {
        let payload = Bytes::from(vec![0x4d; len]);
        let data = match self {
            Self::Group => IGroupMessageBroadcaster::addMessageCall {
                groupId_: GROUP_ID,
                message_: payload.clone(),
            }
            .abi_encode(),
            Self::Identity => IIdentityUpdateBroadcaster::addIdentityUpdateCall {
                inboxId_: INBOX_ID,
                identityUpdate_: payload.clone(),
            }
            .abi_encode(),
        };
        let to = self.address(two);
        (two.send(Side::App, from, to, data, U256::ZERO), payload)
    }

    /// Its bridged keys: the pause flag and the payload bootstrapper.
    fn pause_and_bootstrapper_keys(self) -> [&'static str; 2] {
        match self {
            Self::Group => [GROUP_PAUSED, GROUP_BOOTSTRAPPER],
            Self::Identity => [IDENTITY_PAUSED, IDENTITY_BOOTSTRAPPER],
        }
    }

    /// Re-emits one payload per entry of `history` (its length and sequence id) from `from`
    /// with `bootstrapMessages` / `bootstrapIdentityUpdates`; the receipt and the payloads.
    fn bootstrap(
        self,
        two: &mut TwoChains,
        from: Address,
        history: &[(usize, u64)],
    ) -> (Receipt, Vec<Bytes>) {
        let payloads: Vec<Bytes> = history
            .iter()
            .map(|(len, _)| Bytes::from(vec![0xb0; *len]))
            .collect();
        let sequence_ids = history.iter().map(|(_, id)| *id).collect();
        let data = match self {
            Self::Group => IGroupMessageBroadcaster::bootstrapMessagesCall {
                groupIds_: vec![GROUP_ID; history.len()],
                messages_: payloads.clone(),
                sequenceIds_: sequence_ids,
            }
            .abi_encode(),
            Self::Identity => IIdentityUpdateBroadcaster::bootstrapIdentityUpdatesCall {
                inboxIds_: vec![INBOX_ID; history.len()],
                identityUpdates_: payloads.clone(),
                sequenceIds_: sequence_ids,
            }
            .abi_encode(),
        };
        let to = self.address(two);
        (two.send(Side::App, from, to, data, U256::ZERO), payloads)
    }

    /// Anyone (`from`) pulls the bridged pause flag, which changes to `paused`.
    fn pull_pause(self, two: &mut TwoChains, from: Address, paused: bool) {
        let to = self.address(two);
        let r = two.call_ok(
            Side::App,
            from,
            to,
            &IGroupMessageBroadcaster::updatePauseStatusCall {},
        );
        assert_eq!(r.logs, vec![log_of(to, &PauseStatusUpdated { paused })]);
        assert_eq!(
            two.view(Side::App, to, &IGroupMessageBroadcaster::pausedCall {}),
            paused
        );
    }

    /// The event of a published payload.
    fn published(self, two: &TwoChains, payload: Bytes, sequence_id: u64) -> Log {
        let emitter = self.address(two);
        match self {
            Self::Group => log_of(
                emitter,
                &MessageSent {
                    groupId: GROUP_ID,
                    message: payload,
                    sequenceId: sequence_id,
                },
            ),
            Self::Identity => log_of(
                emitter,
                &IdentityUpdateCreated {
                    inboxId: INBOX_ID,
                    update: payload,
                    sequenceId: sequence_id,
                },
            ),
        }
    }
}

const GROUP_ID: FixedBytes<16> = FixedBytes([0x61; 16]);
const INBOX_ID: B256 = B256::new([0x1d; 32]);

/// The limits the administrator sets: 4..=64 bytes for messages, 8..=100 for identity updates.
const LIMITS: [(&str, u64); 4] = [
    (GROUP_MIN, 4),
    (GROUP_MAX, 64),
    (IDENTITY_MIN, 8),
    (IDENTITY_MAX, 100),
];

/// The administrator sets [`LIMITS`] and `sender` bridges them as transmission 1.
fn set_and_bridge_limits(two: &mut TwoChains, sender: Address) {
    let a = two.addresses;
    let registry = a.settlement.parameter_registry;
    // Only an administrator sets parameters.
    let set = IParameterRegistry::set_0Call {
        key_: GROUP_MAX.into(),
        value_: uint_value(64),
    };
    assert_eq!(
        two.call_reverts(Side::Settlement, sender, registry, &set),
        Bytes::from(NotAdmin {}.abi_encode())
    );
    let limits: Vec<(&str, B256)> = LIMITS.iter().map(|(k, v)| (*k, uint_value(*v))).collect();
    let receipt = two.set_parameters(&limits);
    assert_eq!(
        receipt.logs,
        limits
            .iter()
            .map(|(k, v)| parameter_set(registry, k, *v))
            .collect::<Vec<_>>()
    );
    assert_eq!(two.parameter(Side::App, GROUP_MAX), B256::ZERO);

    let names: Vec<&str> = LIMITS.iter().map(|(k, _)| *k).collect();
    let redeem = bridge(two, Pay::FeeToken, sender, &names, (1, 0));
    let mut expected = vec![log_of(
        a.gateway,
        &ParametersReceived {
            nonce: U256::from(1),
            keys: keys(&names),
        },
    )];
    expected.extend(
        limits
            .iter()
            .map(|(k, v)| parameter_set(a.app.parameter_registry, k, *v)),
    );
    assert_eq!(redeem.logs, expected);
    for (key, value) in limits {
        assert_eq!(two.parameter(Side::App, key), value);
    }
}

/// Anyone pulls the bridged limits into `broadcaster`, maximum first.
fn pull_limits(two: &mut TwoChains, from: Address, broadcaster: Broadcaster, min: u64, max: u64) {
    let app = Side::App;
    let to = broadcaster.address(two);
    // A minimum above the current maximum (still 0) is refused.
    assert_eq!(
        two.call_reverts(
            app,
            from,
            to,
            &IGroupMessageBroadcaster::updateMinPayloadSizeCall {}
        ),
        Bytes::from(InvalidMinPayloadSize {}.abi_encode())
    );
    let r = two.call_ok(
        app,
        from,
        to,
        &IGroupMessageBroadcaster::updateMaxPayloadSizeCall {},
    );
    assert_eq!(
        r.logs,
        vec![log_of(
            to,
            &MaxPayloadSizeUpdated {
                size: U256::from(max)
            }
        )]
    );
    let r = two.call_ok(
        app,
        from,
        to,
        &IGroupMessageBroadcaster::updateMinPayloadSizeCall {},
    );
    assert_eq!(
        r.logs,
        vec![log_of(
            to,
            &MinPayloadSizeUpdated {
                size: U256::from(min)
            }
        )]
    );
    assert_eq!(
        two.call_reverts(
            app,
            from,
            to,
            &IGroupMessageBroadcaster::updateMinPayloadSizeCall {}
        ),
        Bytes::from(NoChange {}.abi_encode())
    );
    assert_eq!(
        two.view(app, to, &IGroupMessageBroadcaster::minPayloadSizeCall {}),
        u32::try_from(min).unwrap()
    );
    assert_eq!(
        two.view(app, to, &IGroupMessageBroadcaster::maxPayloadSizeCall {}),
        u32::try_from(max).unwrap()
    );
}

/// Payloads inside the limits are published with consecutive sequence ids and carry the
/// payload; the rest are refused with their size and the limits in the error.
fn publish_at_the_edges(
    two: &mut TwoChains,
    from: Address,
    broadcaster: Broadcaster,
    min: u64,
    max: u64,
) {
    let (lo, hi) = (usize::try_from(min).unwrap(), usize::try_from(max).unwrap());
    let mut sequence = 0u64;
    for len in [lo, hi, lo - 1, hi + 1, lo + 1] {
        let (r, payload) = broadcaster.publish(two, from, len);
        if (lo..=hi).contains(&len) {
            sequence += 1;
            assert!(r.status);
            assert_eq!(r.logs, vec![broadcaster.published(two, payload, sequence)]);
        } else {
            let refused = InvalidPayloadSize {
                actualSize_: U256::from(len),
                minSize_: U256::from(min),
                maxSize_: U256::from(max),
            };
            assert_refused(&r, &refused);
        }
    }
    assert_eq!(sequence, 3);
}

#[test]
fn bridged_limits_and_pause_govern_the_broadcasters() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let (admin, bob) = (two.admin(), two.user(1));
    let app = Side::App;

    // Nothing bridged yet: the app registry holds zero, which the broadcaster already has.
    assert_eq!(
        two.call_reverts(
            app,
            bob,
            a.group_message_broadcaster,
            &IGroupMessageBroadcaster::updateMaxPayloadSizeCall {}
        ),
        Bytes::from(NoChange {}.abi_encode())
    );
    two.mint_fee_tokens(bob, units(1_000_000));
    set_and_bridge_limits(&mut two, bob);
    let broadcasters = [(Broadcaster::Group, 4, 64), (Broadcaster::Identity, 8, 100)];
    for (broadcaster, min, max) in broadcasters {
        pull_limits(&mut two, bob, broadcaster, min, max);
        publish_at_the_edges(&mut two, bob, broadcaster, min, max);
    }

    // Pausing: set, bridged (the second transmission, nonce 2, the inbox's second message,
    // paid in stablecoin the gateway wraps), then pulled. Until it is pulled the broadcasters still publish.
    two.set_parameters(&[
        (GROUP_PAUSED, bool_value(true)),
        (IDENTITY_PAUSED, bool_value(true)),
    ]);
    let redeem = bridge(
        &mut two,
        Pay::Underlying,
        bob,
        &[GROUP_PAUSED, IDENTITY_PAUSED],
        (2, 1),
    );
    assert_eq!(redeem.logs.len(), 3);
    assert_eq!(two.parameter(app, GROUP_PAUSED), bool_value(true));
    for (broadcaster, min, _) in broadcasters {
        let len = usize::try_from(min).unwrap();
        let (r, payload) = broadcaster.publish(&mut two, bob, len);
        assert_eq!(r.logs, vec![broadcaster.published(&two, payload, 4)]);
        broadcaster.pull_pause(&mut two, admin, true);
        let (r, _) = broadcaster.publish(&mut two, bob, len);
        assert_refused(&r, &Paused {});
    }
}

/// Anyone pulls `broadcaster`'s bridged bootstrapper and pause flag (paused), then its
/// maximum payload size.
fn pull_bootstrapper_pause_and_max(
    two: &mut TwoChains,
    from: Address,
    broadcaster: Broadcaster,
    bootstrapper: Address,
) {
    let (app, to) = (Side::App, broadcaster.address(two));
    let r = two.call_ok(
        app,
        from,
        to,
        &IGroupMessageBroadcaster::updatePayloadBootstrapperCall {},
    );
    assert_eq!(
        r.logs,
        vec![log_of(
            to,
            &PayloadBootstrapperUpdated {
                payloadBootstrapper: bootstrapper
            }
        )]
    );
    assert_eq!(
        two.view(
            app,
            to,
            &IGroupMessageBroadcaster::payloadBootstrapperCall {}
        ),
        bootstrapper
    );
    broadcaster.pull_pause(two, from, true);
    two.call_ok(
        app,
        from,
        to,
        &IGroupMessageBroadcaster::updateMaxPayloadSizeCall {},
    );
}

/// While paused only the bootstrapper re-emits history, with the ids it gives, in any order and
/// of any size; publishing is refused.
fn replay_history_while_paused(
    two: &mut TwoChains,
    stranger: Address,
    broadcaster: Broadcaster,
    bootstrapper: Address,
) {
    // Sizes inside and above the 64-byte maximum, ids out of order and repeated.
    let history = [(10, 7), (100, 3), (1, 7)];
    let (r, _) = broadcaster.bootstrap(two, stranger, &history);
    assert_refused(&r, &NotPayloadBootstrapper {});
    let (r, _) = broadcaster.publish(two, stranger, 10);
    assert_refused(&r, &Paused {});
    let (r, payloads) = broadcaster.bootstrap(two, bootstrapper, &history);
    assert!(r.status);
    let expected: Vec<Log> = payloads
        .into_iter()
        .zip(history)
        .map(|(payload, (_, id))| broadcaster.published(two, payload, id))
        .collect();
    assert_eq!(r.logs, expected);
}

/// The settlement administrator names a bootstrapper and pauses both broadcasters; once the
/// values are bridged and pulled, only the bootstrapper re-emits history (while paused), and
/// after the bridged unpause publishing resumes above the highest replayed id.
#[test]
fn a_bridged_bootstrapper_replays_history_while_paused_and_publishing_resumes_after_it() {
    let mut two = TwoChains::deploy();
    let (bob, bootstrapper) = (two.user(1), two.user(2));
    two.mint_fee_tokens(bob, units(1_000_000));
    let broadcasters = [Broadcaster::Group, Broadcaster::Identity];

    // Not paused yet: bootstrapping is refused first for that, whoever calls.
    for broadcaster in broadcasters {
        let (r, _) = broadcaster.bootstrap(&mut two, bootstrapper, &[(10, 1)]);
        assert_refused(&r, &NotPaused {});
    }

    let mut values = vec![(GROUP_MAX, uint_value(64)), (IDENTITY_MAX, uint_value(64))];
    for broadcaster in broadcasters {
        let [paused, bootstrapper_key] = broadcaster.pause_and_bootstrapper_keys();
        values.push((paused, bool_value(true)));
        values.push((bootstrapper_key, bootstrapper.into_word()));
    }
    two.set_parameters(&values);
    let names: Vec<&str> = values.iter().map(|(k, _)| *k).collect();
    bridge(&mut two, Pay::FeeToken, bob, &names, (1, 0));

    for broadcaster in broadcasters {
        pull_bootstrapper_pause_and_max(&mut two, bob, broadcaster, bootstrapper);
        replay_history_while_paused(&mut two, bob, broadcaster, bootstrapper);
    }

    let unpause: Vec<(&str, B256)> = broadcasters
        .iter()
        .map(|b| (b.pause_and_bootstrapper_keys()[0], bool_value(false)))
        .collect();
    two.set_parameters(&unpause);
    let names: Vec<&str> = unpause.iter().map(|(k, _)| *k).collect();
    bridge(&mut two, Pay::FeeToken, bob, &names, (2, 1));
    for broadcaster in broadcasters {
        broadcaster.pull_pause(&mut two, bob, false);
        let (r, _) = broadcaster.bootstrap(&mut two, bootstrapper, &[(10, 9)]);
        assert_refused(&r, &NotPaused {});
        let (r, payload) = broadcaster.publish(&mut two, bob, 10);
        assert_eq!(r.logs, vec![broadcaster.published(&two, payload, 8)]);
    }
}

#[test]
fn bridged_limits_are_bounded_by_the_type_and_by_the_256_kib_cap() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let bob = two.user(1);
    let group = a.group_message_broadcaster;
    let cap: u64 = 256 * 1024;
    two.mint_fee_tokens(bob, units(1_000_000));
    two.set_parameters(&[
        (GROUP_MIN, B256::from(U256::from(1u64) << 32)),
        (GROUP_MAX, uint_value(cap + 1)),
        (IDENTITY_MIN, uint_value(1)),
        (IDENTITY_MAX, uint_value(cap)),
    ]);
    let names = [GROUP_MIN, GROUP_MAX, IDENTITY_MIN, IDENTITY_MAX];
    bridge(&mut two, Pay::FeeToken, bob, &names, (1, 0));

    let app = Side::App;
    // The registry accepts any word; the broadcaster refuses what is not a uint32 ...
    assert_eq!(
        two.call_reverts(
            app,
            bob,
            group,
            &IGroupMessageBroadcaster::updateMinPayloadSizeCall {}
        ),
        Bytes::from(ParameterOutOfTypeBounds {}.abi_encode())
    );
    // ... and a maximum above 256 KiB.
    assert_eq!(
        two.call_reverts(
            app,
            bob,
            group,
            &IGroupMessageBroadcaster::updateMaxPayloadSizeCall {}
        ),
        Bytes::from(InvalidMaxPayloadSize {}.abi_encode())
    );
    assert_eq!(
        two.view(app, group, &IGroupMessageBroadcaster::maxPayloadSizeCall {}),
        0
    );

    // At the cap itself a full-size identity update is published, one byte more is refused.
    pull_limits(&mut two, bob, Broadcaster::Identity, 1, cap);
    let len = usize::try_from(cap).unwrap();
    let (r, payload) = Broadcaster::Identity.publish(&mut two, bob, len);
    assert!(r.status);
    assert_eq!(
        r.logs,
        vec![Broadcaster::Identity.published(&two, payload, 1)]
    );
    let (r, _) = Broadcaster::Identity.publish(&mut two, bob, len + 1);
    let refused = InvalidPayloadSize {
        actualSize_: U256::from(cap + 1),
        minSize_: U256::from(1),
        maxSize_: U256::from(cap),
    };
    assert_refused(&r, &refused);
}

#[test]
fn receive_parameters_is_refused_to_everyone_but_the_settlement_gateways_alias() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let bob = two.user(1);
    let call = IAppChainGateway::receiveParametersCall {
        nonce_: U256::from(1),
        keys_: keys(&[GROUP_MAX]),
        values_: vec![uint_value(64)],
    };
    let refused = Bytes::from(NotSettlementChainGateway {}.abi_encode());
    assert_eq!(two.call_reverts(Side::App, bob, a.gateway, &call), refused);
    // Nor from the settlement registry's admin, nor from addresses next to the alias (the
    // un-aliasing of the gateway, the alias aliased again): only from the alias the bridge
    // gives the settlement gateway's transactions.
    let admin = two.admin();
    assert_eq!(
        two.call_reverts(Side::App, admin, a.gateway, &call),
        refused
    );
    for sender in [from_alias(a.gateway), to_alias(to_alias(a.gateway))] {
        let r = impersonate(&mut two, sender, a.gateway, &call);
        assert_refused(&r, &NotSettlementChainGateway {});
    }
    assert_eq!(two.parameter(Side::App, GROUP_MAX), B256::ZERO);
    // The alias itself is accepted.
    let r = impersonate(&mut two, to_alias(a.gateway), a.gateway, &call);
    assert!(r.status);
    assert_eq!(
        r.logs,
        vec![
            log_of(
                a.gateway,
                &ParametersReceived {
                    nonce: U256::from(1),
                    keys: keys(&[GROUP_MAX]),
                }
            ),
            parameter_set(a.app.parameter_registry, GROUP_MAX, uint_value(64)),
        ]
    );
    assert_eq!(two.parameter(Side::App, GROUP_MAX), uint_value(64));
}

#[test]
fn older_and_replayed_parameter_tickets_leave_parameters_unchanged() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let bob = two.user(1);
    two.mint_fee_tokens(bob, units(1_000_000));

    // Transmission 1 bids under the app chain's base fee: its ticket waits, unredeemed.
    two.set_parameters(&[(GROUP_MAX, uint_value(100))]);
    let low_fee = two.app_basefee() / 2;
    let amount = ticket_cost(TICKET_GAS, low_fee);
    two.send_parameters(bob, &[GROUP_MAX], TICKET_GAS, low_fee, amount);
    let report = two.relay();
    assert_eq!(report.tickets_created.len(), 1);
    assert!(report.redeemed.is_empty() && report.failed.is_empty());
    let older = report.tickets_created[0];
    assert_eq!(two.parameter(Side::App, GROUP_MAX), B256::ZERO);
    // No gas was bought for an auto-redeem: the whole deposit is refunded to the alias.
    assert_eq!(two.balance(Side::App, to_alias(a.gateway)), amount * SCALE);

    // Transmission 2 (nonce 2) overtakes it.
    two.set_parameters(&[(GROUP_MAX, uint_value(200))]);
    let redeem = bridge(&mut two, Pay::FeeToken, bob, &[GROUP_MAX], (2, 1));
    assert_eq!(redeem.logs.len(), 2);
    assert_eq!(two.parameter(Side::App, GROUP_MAX), uint_value(200));

    // Ticket 1 redeemed late: received (the event lists its keys) but not applied.
    let r = two.call_ok(
        Side::App,
        bob,
        ARB_RETRYABLE_TX,
        &redeemCall { ticketId: older },
    );
    assert!(r.status);
    let retry = last_app_receipt(&two);
    assert!(retry.status);
    assert_eq!(
        retry.logs,
        vec![log_of(
            a.gateway,
            &ParametersReceived {
                nonce: U256::from(1),
                keys: keys(&[GROUP_MAX]),
            }
        )]
    );
    assert_eq!(two.parameter(Side::App, GROUP_MAX), uint_value(200));
    assert!(two.devnet.ticket(older).is_none());

    // A ticket runs once: redeeming it again is refused by ArbRetryableTx.
    assert_eq!(
        two.call_reverts(
            Side::App,
            bob,
            ARB_RETRYABLE_TX,
            &redeemCall { ticketId: older }
        ),
        Bytes::from(NoTicketWithID {}.abi_encode())
    );

    // The same transmission delivered again (as a faulty bridge would) changes nothing either.
    let replay = IAppChainGateway::receiveParametersCall {
        nonce_: U256::from(2),
        keys_: keys(&[GROUP_MAX]),
        values_: vec![uint_value(300)],
    };
    let r = impersonate(&mut two, to_alias(a.gateway), a.gateway, &replay);
    assert!(r.status);
    assert_eq!(
        r.logs,
        vec![log_of(
            a.gateway,
            &ParametersReceived {
                nonce: U256::from(2),
                keys: keys(&[GROUP_MAX]),
            }
        )]
    );
    assert_eq!(two.parameter(Side::App, GROUP_MAX), uint_value(200));

    // Nonces are per key: transmission 3 (paid in stablecoin) carries a new key and the stale
    // one; both newer.
    two.set_parameters(&[(GROUP_MIN, uint_value(10))]);
    let redeem = bridge(
        &mut two,
        Pay::Underlying,
        bob,
        &[GROUP_MIN, GROUP_MAX],
        (3, 2),
    );
    assert_eq!(
        redeem.logs[1..],
        [
            parameter_set(a.app.parameter_registry, GROUP_MIN, uint_value(10)),
            parameter_set(a.app.parameter_registry, GROUP_MAX, uint_value(200)),
        ]
    );
    let r = two.call_ok(
        Side::App,
        bob,
        a.group_message_broadcaster,
        &IGroupMessageBroadcaster::updateMaxPayloadSizeCall {},
    );
    assert_eq!(
        r.logs,
        vec![log_of(
            a.group_message_broadcaster,
            &MaxPayloadSizeUpdated {
                size: U256::from(200)
            }
        )]
    );
}

#[test]
fn a_parameter_ticket_that_runs_out_of_gas_changes_nothing_until_it_is_redeemed() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let bob = two.user(1);
    two.mint_fee_tokens(bob, units(1_000_000));
    two.set_parameters(&[(GROUP_MAX, uint_value(64))]);
    let (gas, max_fee) = (25_000, 2 * two.app_basefee());
    two.send_parameters(bob, &[GROUP_MAX], gas, max_fee, ticket_cost(gas, max_fee));
    let report = two.relay();
    assert_eq!(report.tickets_created.len(), 1);
    let ticket = report.tickets_created[0];
    assert!(report.redeemed.is_empty());
    assert_eq!(report.failed, vec![ticket]);
    assert_eq!(two.parameter(Side::App, GROUP_MAX), B256::ZERO);
    assert!(two.devnet.ticket(ticket).is_some());

    // Anyone redeems it with their own gas; the transmission then applies.
    two.call_ok(
        Side::App,
        bob,
        ARB_RETRYABLE_TX,
        &redeemCall { ticketId: ticket },
    );
    let retry = last_app_receipt(&two);
    assert!(retry.status);
    assert_eq!(
        retry.logs,
        vec![
            log_of(
                a.gateway,
                &ParametersReceived {
                    nonce: U256::from(1),
                    keys: keys(&[GROUP_MAX]),
                }
            ),
            parameter_set(a.app.parameter_registry, GROUP_MAX, uint_value(64)),
        ]
    );
    assert_eq!(two.parameter(Side::App, GROUP_MAX), uint_value(64));
    assert!(two.devnet.ticket(ticket).is_none());
}

/// `sender` deposits `amount` of fresh stablecoin for `recipient` with `depositFromUnderlying`
/// (the gateway wraps it on the way, the reference's path that never worked) as the inbox's
/// second message, and the ticket is relayed.
fn deposit_from_underlying(
    two: &mut TwoChains,
    sender: Address,
    recipient: Address,
    amount: U256,
    gas_limit: u64,
    max_fee: u64,
) {
    let a = two.addresses;
    let costs = U256::from(gas_limit) * U256::from(max_fee);
    two.mint_underlying(sender, amount);
    two.approve(UNDERLYING, sender, a.gateway, amount);
    let underlying_before = two.underlying(a.fee_token);
    let escrow_before = two.fee_tokens(INBOX);
    let r = two.call_ok(
        Side::Settlement,
        sender,
        a.gateway,
        &ISettlementChainGateway::depositFromUnderlyingCall {
            chainId_: U256::from(APP_CHAIN_ID),
            recipient_: recipient,
            amount_: amount,
            gasLimit_: U256::from(gas_limit),
            maxFeePerGas_: U256::from(max_fee),
        },
    );
    assert_eq!(
        r.logs.last(),
        Some(&log_of(
            a.gateway,
            &Deposit {
                chainId: U256::from(APP_CHAIN_ID),
                messageNumber: U256::from(1),
                recipient,
                amount,
                maxFees: costs.div_ceil(SCALE),
            }
        ))
    );
    assert_eq!(two.underlying(sender), U256::ZERO);
    assert_eq!(two.underlying(a.fee_token), underlying_before + amount);
    assert_eq!(two.fee_tokens(INBOX), escrow_before + amount);
    assert_eq!(two.fee_tokens(a.gateway), U256::ZERO);
    assert_eq!(two.relay().redeemed.len(), 1);
}

#[test]
fn fee_token_deposits_arrive_as_native_currency_scaled_to_18_decimals() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let alice = two.user(1);
    let recipient = Address::repeat_byte(0xca);
    let alias = to_alias(a.gateway);
    let gas_limit = 100_000u64;
    let max_fee = 2 * two.app_basefee();
    let costs = U256::from(gas_limit) * U256::from(max_fee);

    two.mint_fee_tokens(alice, units(10_000_000));
    let amount = units(3_000_000);
    two.approve(a.fee_token, alice, a.gateway, amount);
    let deposit = ISettlementChainGateway::depositCall {
        chainId_: U256::from(APP_CHAIN_ID),
        recipient_: recipient,
        amount_: amount,
        gasLimit_: U256::from(gas_limit),
        maxFeePerGas_: U256::from(max_fee),
    };
    let r = two.call_ok(Side::Settlement, alice, a.gateway, &deposit);
    assert_eq!(
        r.logs.last(),
        Some(&log_of(
            a.gateway,
            &Deposit {
                chainId: U256::from(APP_CHAIN_ID),
                messageNumber: U256::ZERO,
                recipient,
                amount,
                maxFees: costs.div_ceil(SCALE),
            }
        ))
    );
    assert_eq!(two.fee_tokens(alice), units(7_000_000));
    assert_eq!(two.fee_tokens(INBOX), amount);
    assert_eq!(two.fee_tokens(a.gateway), U256::ZERO);
    assert_eq!(two.balance(Side::App, recipient), U256::ZERO);

    let report = two.relay();
    assert_eq!(report.redeemed.len(), 1, "{report:?}");
    let redeem = two.app_receipt(report.redeemed[0]);
    let arrived = amount * SCALE - costs;
    assert_eq!(
        redeem.logs,
        vec![log_of(
            a.gateway,
            &DepositReceived {
                recipient,
                amount: arrived,
            }
        )]
    );
    assert_eq!(two.balance(Side::App, recipient), arrived);
    assert_eq!(two.balance(Side::App, a.gateway), U256::ZERO);
    // The gas bought beyond what the redeem used, and the fee cap's excess, go to the
    // settlement gateway's alias (the ticket's refund address), not to the depositor.
    let basefee = U256::from(two.app_basefee());
    assert_eq!(
        two.balance(Side::App, alias),
        costs - U256::from(redeem.gas_used) * basefee
    );

    let amount = units(2_000_000);
    deposit_from_underlying(&mut two, alice, recipient, amount, gas_limit, max_fee);
    assert_eq!(
        two.balance(Side::App, recipient),
        arrived + amount * SCALE - costs
    );

    // A deposit that cannot pay for its own ticket is refused, and nothing moves.
    let small = units(10);
    two.approve(a.fee_token, alice, a.gateway, small);
    let refused = two.call_reverts(
        Side::Settlement,
        alice,
        a.gateway,
        &ISettlementChainGateway::depositCall {
            amount_: small,
            ..deposit
        },
    );
    assert_eq!(
        refused,
        Bytes::from(
            InsufficientAmount {
                appChainAmount: small * SCALE,
                maxTotalCosts: costs,
            }
            .abi_encode()
        )
    );
    assert_eq!(two.fee_tokens(alice), units(7_000_000));
    assert_eq!(two.devnet.pending_messages(), 0);
}

#[test]
fn withdrawals_come_back_through_the_outbox_after_the_delay_and_not_before() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let alice = two.user(1);
    let (dave, erin) = (Address::repeat_byte(0xda), Address::repeat_byte(0xe1));
    let delay = two.devnet.config().outbox_delay;

    // Escrow for the bridge to release: a deposit of 5 xUSD.
    two.mint_fee_tokens(alice, units(5_000_000));
    let max_fee = 2 * two.app_basefee();
    two.deposit(alice, alice, units(5_000_000), 100_000, max_fee);
    two.relay();
    assert_eq!(two.fee_tokens(INBOX), units(5_000_000));

    let app = Side::App;
    assert_eq!(
        two.call_reverts(
            app,
            alice,
            a.gateway,
            &IAppChainGateway::withdrawCall { recipient_: dave }
        ),
        Bytes::from(ZeroWithdrawalAmount {}.abi_encode())
    );
    let zero_recipient = two.send(
        app,
        alice,
        a.gateway,
        IAppChainGateway::withdrawCall {
            recipient_: Address::ZERO,
        }
        .abi_encode(),
        U256::from(1),
    );
    assert!(!zero_recipient.status);
    assert_eq!(
        zero_recipient.output,
        Bytes::from(ZeroRecipient {}.abi_encode())
    );
    assert!(two.devnet.outbox().is_empty());

    // 1.5 xUSD and one wei: the bridge releases whole fee-token units, rounding down.
    let value = U256::from(1_500_000) * SCALE + U256::from(1);
    let r = two.pay_ok(
        app,
        alice,
        a.gateway,
        &IAppChainGateway::withdrawCall { recipient_: dave },
        value,
    );
    let outbox = two.devnet.outbox().to_vec();
    assert_eq!(outbox.len(), 1);
    let entry = &outbox[0];
    // ArbSys logs the message (`L2ToL1Tx`), then the gateway its `Withdrawal`.
    assert_eq!(r.logs.len(), 2);
    assert_eq!(r.logs[0].address, ARB_SYS);
    assert_eq!(
        r.logs[1],
        log_of(
            a.gateway,
            &Withdrawal {
                messageId: entry.message.position,
                recipient: dave,
                amount: value,
            }
        )
    );
    assert_eq!(entry.message.destination, a.gateway);
    assert_eq!(entry.message.value, value);
    assert_eq!(
        entry.message.data,
        Bytes::from(
            ISettlementChainGatewayLike::receiveWithdrawalCall { recipient_: dave }.abi_encode()
        )
    );
    assert_eq!(two.balance(app, a.gateway), U256::ZERO);

    // Not before the delay.
    assert!(two.relay().outbox_executed.is_empty());
    two.devnet.advance(delay - 10);
    assert!(two.relay().outbox_executed.is_empty());
    assert_eq!(two.fee_tokens(dave), U256::ZERO);
    two.devnet.advance(10);
    let report = two.relay();
    assert_eq!(report.outbox_executed, vec![entry.message.position]);
    let released = units(1_500_000);
    assert_eq!(two.fee_tokens(dave), released);
    assert_eq!(two.fee_tokens(a.gateway), U256::ZERO);
    assert_eq!(two.fee_tokens(INBOX), units(3_500_000));
    let execution = last_settlement_receipt(&two);
    assert!(execution.logs.contains(&log_of(
        a.gateway,
        &WithdrawalReceived {
            recipient: dave,
            amount: released,
        }
    )));
    // Executed once only.
    two.devnet.advance(delay);
    assert!(two.relay().outbox_executed.is_empty());

    withdraw_into_underlying(&mut two, alice, erin);
}

/// `from` withdraws 0.5 xUSD on the app chain for `recipient` with `withdrawIntoUnderlying`:
/// after the delay the settlement gateway unwraps what the bridge releases.
fn withdraw_into_underlying(two: &mut TwoChains, from: Address, recipient: Address) {
    let a = two.addresses;
    let (app, delay) = (Side::App, two.devnet.config().outbox_delay);
    let escrow = two.fee_tokens(INBOX);
    let value = U256::from(500_000) * SCALE;
    let supply = two.view(
        Side::Settlement,
        a.fee_token,
        &IFeeToken::totalSupplyCall {},
    );
    two.pay_ok(
        app,
        from,
        a.gateway,
        &IAppChainGateway::withdrawIntoUnderlyingCall {
            recipient_: recipient,
        },
        value,
    );
    let position = two.devnet.outbox()[1].message.position;
    assert_eq!(
        two.devnet.outbox()[1].message.data,
        Bytes::from(
            ISettlementChainGatewayLike::receiveWithdrawalIntoUnderlyingCall {
                recipient_: recipient
            }
            .abi_encode()
        )
    );
    assert!(two.relay().outbox_executed.is_empty());
    two.devnet.advance(delay);
    assert_eq!(two.relay().outbox_executed, vec![position]);
    assert_eq!(two.underlying(recipient), units(500_000));
    assert_eq!(two.fee_tokens(recipient), U256::ZERO);
    assert_eq!(
        two.view(
            Side::Settlement,
            a.fee_token,
            &IFeeToken::totalSupplyCall {}
        ),
        supply - units(500_000)
    );
    assert_eq!(two.fee_tokens(INBOX), escrow - units(500_000));
}

#[test]
fn bridged_pauses_stop_deposits_and_withdrawals_but_not_what_is_already_in_flight() {
    let mut two = TwoChains::deploy();
    let a = two.addresses;
    let (alice, bob) = (two.user(1), two.user(2));
    let (carol, dave) = (Address::repeat_byte(0xca), Address::repeat_byte(0xda));
    let app = Side::App;
    let max_fee = 2 * two.app_basefee();
    let deposit = |recipient: Address, amount: u64| ISettlementChainGateway::depositCall {
        chainId_: U256::from(APP_CHAIN_ID),
        recipient_: recipient,
        amount_: units(amount),
        gasLimit_: U256::from(100_000),
        maxFeePerGas_: U256::from(max_fee),
    };
    let costs = U256::from(100_000u64) * U256::from(max_fee);

    two.mint_fee_tokens(alice, units(10_000_000));
    two.mint_fee_tokens(bob, units(1_000_000));
    two.approve(a.fee_token, alice, a.gateway, units(10_000_000));
    two.call_ok(
        Side::Settlement,
        alice,
        a.gateway,
        &deposit(alice, 5_000_000),
    );
    two.relay();
    // A withdrawal leaves before anything is paused.
    two.pay_ok(
        app,
        alice,
        a.gateway,
        &IAppChainGateway::withdrawCall { recipient_: dave },
        U256::from(1_000_000) * SCALE,
    );

    // The app gateway's own pause travels like any parameter and is pulled by anyone.
    let key = "xmtp.appChainGateway.paused";
    two.set_parameters(&[(key, bool_value(true))]);
    bridge(&mut two, Pay::FeeToken, bob, &[key], (1, 1));
    let r = two.call_ok(
        app,
        bob,
        a.gateway,
        &IAppChainGateway::updatePauseStatusCall {},
    );
    assert_eq!(
        r.logs,
        vec![log_of(a.gateway, &PauseStatusUpdated { paused: true })]
    );
    let refused = two.send(
        app,
        alice,
        a.gateway,
        IAppChainGateway::withdrawCall { recipient_: dave }.abi_encode(),
        SCALE,
    );
    assert!(!refused.status);
    assert_eq!(refused.output, Bytes::from(Paused {}.abi_encode()));
    assert_eq!(two.devnet.outbox().len(), 1);
    // Deposits are not pause-gated on the app chain: they still arrive.
    two.call_ok(
        Side::Settlement,
        alice,
        a.gateway,
        &deposit(carol, 1_000_000),
    );
    assert_eq!(two.relay().redeemed.len(), 1);
    assert_eq!(two.balance(app, carol), units(1_000_000) * SCALE - costs);

    // The settlement gateway paused: deposits and transmissions stop ...
    let key = "xmtp.settlementChainGateway.paused";
    two.set_parameters(&[(key, bool_value(true))]);
    let r = two.call_ok(
        Side::Settlement,
        bob,
        a.gateway,
        &ISettlementChainGateway::updatePauseStatusCall {},
    );
    assert_eq!(
        r.logs,
        vec![log_of(a.gateway, &PauseStatusUpdated { paused: true })]
    );
    let paused = Bytes::from(Paused {}.abi_encode());
    assert_eq!(
        two.call_reverts(
            Side::Settlement,
            alice,
            a.gateway,
            &deposit(carol, 1_000_000)
        ),
        paused
    );
    let send = ISettlementChainGateway::sendParametersCall {
        chainIds_: vec![U256::from(APP_CHAIN_ID)],
        keys_: keys(&[GROUP_MAX]),
        gasLimit_: U256::from(TICKET_GAS),
        maxFeePerGas_: U256::from(max_fee),
        amountToSend_: ticket_cost(TICKET_GAS, max_fee),
    };
    assert_eq!(
        two.call_reverts(Side::Settlement, bob, a.gateway, &send),
        paused
    );
    assert_eq!(two.devnet.pending_messages(), 0);
    // ... but the withdrawal already in the outbox is still received.
    two.devnet.advance(two.devnet.config().outbox_delay);
    assert_eq!(two.relay().outbox_executed.len(), 1);
    assert_eq!(two.fee_tokens(dave), units(1_000_000));
}

/// Sends `call` from `sender` straight to the app chain's runtime (no signature: the devnet
/// lets a test act as any account without code), after giving it gas money.
fn impersonate<C: SolCall>(two: &mut TwoChains, sender: Address, to: Address, call: &C) -> Receipt {
    let chain = two.devnet.node_mut(Side::App).chain_mut();
    chain.fund(sender, U256::from(10u64).pow(U256::from(18)));
    chain
        .send(&Tx::call(sender, to, call.abi_encode()).gas(1_000_000))
        .expect("accepted")
}

/// The receipt of a manual redeem's retry: the last transaction of the app chain's latest
/// block, where the redeem transaction and its retry are sealed together.
fn last_app_receipt(two: &TwoChains) -> Receipt {
    let node = two.devnet.node(Side::App);
    let block = node.block(node.head()).expect("the head block exists");
    assert_eq!(block.txs.len(), 2, "the redeem and its retry, in one block");
    node.tx(block.txs[1]).expect("recorded").receipt.clone()
}

/// The receipt of the last transaction of the settlement chain's latest block (where a relay
/// puts its outbox executions).
fn last_settlement_receipt(two: &TwoChains) -> Receipt {
    let node = two.devnet.node(Side::Settlement);
    let block = node.block(node.head()).expect("the head block exists");
    let hash = *block.txs.last().expect("the relay executed something");
    node.tx(hash).expect("recorded").receipt.clone()
}
