//! The bridge's on-chain parts, as hand-assembled EVM contracts.
//!
//! The runtime offers no hook for new precompiles, so the contracts the gateways call are real
//! contracts that do the part that must happen inside the caller's transaction (pull and escrow
//! tokens, count messages, check a ticket exists) and emit a log; the devnet reads the log after
//! the transaction and does the cross-chain part, as Arbitrum's sequencer does with the bridge's
//! delivered messages.

use alloy_primitives::{address, keccak256, Address, B256, U256};

use crate::asm::{
    assemble, init_code, op, push, push_bytes, Item, Item::Label, Item::Op, Item::PushLabel,
};

/// The app chain's ERC-20 inbox on the settlement chain; it also holds the escrow (the bridge) and
/// executes outbox messages.
pub const INBOX: Address = address!("DE7E000000000000000000000000000000000001");
/// The devnet's own 6-decimal fee token on the settlement chain (used unless one is configured).
pub const DEV_FEE_TOKEN: Address = address!("DE7E000000000000000000000000000000000002");
/// The account the devnet sends its own transactions from (outbox executions, ticket records).
pub const OPERATOR: Address = address!("DE7E00000000000000000000000000000000FFFF");
/// ArbRetryableTx on the app chain.
pub const ARB_RETRYABLE_TX: Address = address!("000000000000000000000000000000000000006e");

/// Selector of a Solidity signature.
pub fn selector(sig: &str) -> [u8; 4] {
    let h = keccak256(sig.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Topic of an event signature.
pub fn topic(sig: &str) -> B256 {
    keccak256(sig.as_bytes())
}

/// The log the inbox emits per message: sender, message number and the call's full calldata.
pub const INBOX_MESSAGE_EVENT: &str = "DevnetInboxMessage(address,uint256,bytes)";
/// ArbRetryableTx's event for a created ticket.
pub const TICKET_CREATED_EVENT: &str = "TicketCreated(bytes32)";
/// ArbRetryableTx's event for a ticket given one more lifetime.
pub const LIFETIME_EXTENDED_EVENT: &str = "LifetimeExtended(bytes32,uint256)";
/// ArbRetryableTx's event for a ticket its beneficiary cancelled.
pub const CANCELED_EVENT: &str = "Canceled(bytes32)";
/// ArbRetryableTx's event for a scheduled redeem.
pub const REDEEM_SCHEDULED_EVENT: &str =
    "RedeemScheduled(bytes32,bytes32,uint64,uint64,address,uint256,uint256)";
/// The inbox's operator-only entry point that executes an outbox message.
pub const EXECUTE_SIG: &str = "devnetExecute(address,uint256,bytes)";
/// ArbRetryableTx's operator-only entry point that records a ticket (id, timeout, beneficiary)
/// and, with a gas limit, schedules its auto-redeem (gas, donor, max refund).
pub const CREATE_SIG: &str = "devnetCreate(bytes32,uint256,address,uint256,address,uint256)";
/// ArbRetryableTx's operator-only entry point that marks the ticket whose retry runs next and
/// its redeemer (zeros: none).
pub const ENTER_SIG: &str = "devnetEnter(bytes32,address)";
/// ArbOS's own entry point, which no transaction may call.
pub const SUBMIT_RETRYABLE_SIG: &str = "submitRetryable(bytes32,uint256,uint256,uint256,uint256,uint64,uint256,address,address,address,bytes)";
/// ArbRetryableTx's operator-only entry point that deletes a ticket.
pub const REMOVE_SIG: &str = "devnetRemove(bytes32)";
/// The inbox's error when the tokens do not cover the ticket's costs.
pub const INSUFFICIENT_VALUE_SIG: &str = "InsufficientValue(uint256,uint256)";
/// ArbRetryableTx's error for a missing or expired ticket.
pub const NO_TICKET_SIG: &str = "NoTicketWithID()";
/// ArbRetryableTx's error for `submitRetryable`, which only ArbOS may use.
pub const NOT_CALLABLE_SIG: &str = "NotCallable()";

fn sel_item(sig: &str) -> Item {
    push_bytes(&selector(sig))
}

/// `sel == SEL ? goto label`, keeping `sel` on the stack.
fn dispatch(sig: &str, label: &'static str) -> [Item; 5] {
    [
        Op(op::DUP1),
        sel_item(sig),
        Op(op::EQ),
        PushLabel(label),
        Op(op::JUMPI),
    ]
}

fn header() -> Vec<Item> {
    vec![push(0), Op(op::CALLDATALOAD), push(0xe0), Op(op::SHR)]
}

/// Stores a selector at memory 0..4.
fn mem_selector(sig: &str) -> [Item; 5] {
    [
        sel_item(sig),
        push(0xe0),
        Op(op::SHL),
        push(0),
        Op(op::MSTORE),
    ]
}

fn return_word() -> [Item; 5] {
    [push(0), Op(op::MSTORE), push(32), push(0), Op(op::RETURN)]
}

fn bubble() -> Vec<Item> {
    vec![
        Label("bubble"),
        Op(op::RETURNDATASIZE),
        push(0),
        push(0),
        Op(op::RETURNDATACOPY),
        Op(op::RETURNDATASIZE),
        push(0),
        Op(op::REVERT),
    ]
}

fn only_operator(operator: Address) -> [Item; 6] {
    [
        Op(op::CALLER),
        push_bytes(operator.as_slice()),
        Op(op::EQ),
        Op(op::ISZERO),
        PushLabel("deny"),
        Op(op::JUMPI),
    ]
}

/// The ERC-20 inbox: `createRetryableTicket`, `depositERC20`, `calculateRetryableSubmissionFee`
/// (zero, as for every chain whose native currency is not ether) and the operator's outbox
/// execution. `scale` is 10^(18 - token decimals).
#[allow(clippy::too_many_lines)] // One contract reads best as one listing.
pub fn inbox_code(token: Address, operator: Address, scale: U256) -> Vec<u8> {
    let cdl = |at: u64| [push(at), Op(op::CALLDATALOAD)];
    let mut v = header();
    v.extend(dispatch(
        "calculateRetryableSubmissionFee(uint256,uint256)",
        "fee",
    ));
    v.extend(dispatch(
        "createRetryableTicket(address,uint256,uint256,address,address,uint256,uint256,uint256,bytes)",
        "ticket",
    ));
    v.extend(dispatch("depositERC20(uint256)", "deposit"));
    v.extend(dispatch(EXECUTE_SIG, "exec"));
    v.extend([Label("deny"), push(0), push(0), Op(op::REVERT)]);
    v.push(Label("fee"));
    v.push(push(0));
    v.extend(return_word());
    // The tokens, scaled to 18 decimals, must cover call value + submission cost + gas.
    v.push(Label("ticket"));
    v.extend(cdl(196));
    v.extend(cdl(164));
    v.push(Op(op::MUL));
    v.extend(cdl(36));
    v.push(Op(op::ADD));
    v.extend(cdl(68));
    v.push(Op(op::ADD));
    v.push(push_bytes(&scale.to_be_bytes::<32>()));
    v.extend(cdl(228));
    v.extend([
        Op(op::MUL),
        Op(op::DUP2),
        Op(op::DUP2),
        Op(op::LT),
        PushLabel("insufficient"),
        Op(op::JUMPI),
        Op(op::POP),
        Op(op::POP),
    ]);
    v.extend(cdl(228));
    v.extend([PushLabel("pull"), Op(op::JUMP)]);
    // Stack: needed provided.
    v.push(Label("insufficient"));
    v.extend(mem_selector(INSUFFICIENT_VALUE_SIG));
    v.extend([push(36), Op(op::MSTORE), push(4), Op(op::MSTORE)]);
    v.extend([push(68), push(0), Op(op::REVERT)]);
    v.push(Label("deposit"));
    v.extend(cdl(4));
    // Stack: amount. Pull it with transferFrom(caller, this, amount); a revert bubbles and a
    // `false` result fails the same way.
    v.push(Label("pull"));
    v.extend(mem_selector("transferFrom(address,address,uint256)"));
    v.extend([Op(op::CALLER), push(4), Op(op::MSTORE)]);
    v.extend([Op(op::ADDRESS), push(36), Op(op::MSTORE)]);
    v.extend([push(68), Op(op::MSTORE)]);
    v.extend([push(32), push(0), push(100), push(0), push(0)]);
    v.extend([push_bytes(token.as_slice()), Op(op::GAS), Op(op::CALL)]);
    v.extend([Op(op::ISZERO), PushLabel("bubble"), Op(op::JUMPI)]);
    v.extend([
        Op(op::RETURNDATASIZE),
        Op(op::ISZERO),
        PushLabel("pulled"),
        Op(op::JUMPI),
    ]);
    v.extend([
        push(0),
        Op(op::MLOAD),
        Op(op::ISZERO),
        PushLabel("deny"),
        Op(op::JUMPI),
    ]);
    v.push(Label("pulled"));
    // Message number: storage slot 0 counts messages.
    v.extend([push(0), Op(op::SLOAD), Op(op::DUP1), push(1), Op(op::ADD)]);
    v.extend([push(0), Op(op::SSTORE)]);
    v.extend([Op(op::CALLER), push(0), Op(op::MSTORE)]);
    v.extend([Op(op::DUP1), push(32), Op(op::MSTORE)]);
    v.extend([
        Op(op::CALLDATASIZE),
        push(0),
        push(64),
        Op(op::CALLDATACOPY),
    ]);
    v.push(push_bytes(topic(INBOX_MESSAGE_EVENT).as_slice()));
    v.extend([
        Op(op::CALLDATASIZE),
        push(64),
        Op(op::ADD),
        push(0),
        Op(op::LOG1),
    ]);
    v.extend(return_word());
    // Outbox execution: release tokens to `to`, then call it with the message's data.
    v.push(Label("exec"));
    v.extend(only_operator(operator));
    v.extend(mem_selector("transfer(address,uint256)"));
    v.extend(cdl(4));
    v.extend([push(4), Op(op::MSTORE)]);
    v.extend(cdl(36));
    v.extend([push(36), Op(op::MSTORE)]);
    v.extend([push(32), push(0), push(68), push(0), push(0)]);
    v.extend([push_bytes(token.as_slice()), Op(op::GAS), Op(op::CALL)]);
    v.extend([Op(op::ISZERO), PushLabel("bubble"), Op(op::JUMPI)]);
    v.extend(cdl(68));
    v.extend([push(4), Op(op::ADD), Op(op::DUP1), Op(op::CALLDATALOAD)]);
    v.extend([
        Op(op::SWAP1),
        push(32),
        Op(op::ADD),
        Op(op::DUP2),
        Op(op::SWAP1),
    ]);
    v.extend([push(0), Op(op::CALLDATACOPY)]);
    v.extend([push(0), push(0), Op(op::DUP3), push(0), push(0)]);
    v.extend(cdl(4));
    v.extend([Op(op::GAS), Op(op::CALL)]);
    v.extend([
        Op(op::ISZERO),
        PushLabel("bubble"),
        Op(op::JUMPI),
        Op(op::STOP),
    ]);
    v.extend(bubble());
    assemble(&v)
}

/// ArbRetryableTx: `redeem`, `keepalive`, `cancel`, `getTimeout`, `getBeneficiary`,
/// `getLifetime`, `getCurrentRedeemer` and `submitRetryable` (never callable), with Arbitrum's
/// events and errors, plus the operator's record keeping.
///
/// Storage: slot `id` holds a ticket's timeout (0: none), slot `id + 1` its redeem count,
/// slot `id + 2` its beneficiary; slot 0 the ticket whose retry is running and slot 1 that retry's
/// redeemer (both zero outside a retry; ticket ids are hashes, so they never collide with them).
/// Refusals Arbitrum gives as plain errors (not the beneficiary, a ticket touching itself from its
/// own retry, a keepalive beyond one lifetime ahead) revert without data, as Nitro's precompiles
/// do for errors that are not Solidity errors.
#[allow(clippy::too_many_lines)] // One contract reads best as one listing.
pub fn retryable_code(operator: Address, lifetime: u64) -> Vec<u8> {
    let cdl = |at: u64| [push(at), Op(op::CALLDATALOAD)];
    // The ticket in the first argument is alive: its timeout is after now.
    let alive = || {
        let mut v = cdl(4).to_vec();
        v.extend([Op(op::SLOAD), Op(op::TIMESTAMP), Op(op::LT), Op(op::ISZERO)]);
        v.extend([PushLabel("noticket"), Op(op::JUMPI)]);
        v
    };
    // The ticket in the first argument is not the one whose retry is running.
    let not_running = || {
        let mut v = cdl(4).to_vec();
        v.extend([
            push(0),
            Op(op::SLOAD),
            Op(op::EQ),
            PushLabel("deny"),
            Op(op::JUMPI),
        ]);
        v
    };
    let mut v = header();
    v.extend(dispatch("redeem(bytes32)", "redeem"));
    v.extend(dispatch("getTimeout(bytes32)", "timeout"));
    v.extend(dispatch("getLifetime()", "lifetime"));
    v.extend(dispatch("keepalive(bytes32)", "keepalive"));
    v.extend(dispatch("getBeneficiary(bytes32)", "beneficiary"));
    v.extend(dispatch("cancel(bytes32)", "cancel"));
    v.extend(dispatch("getCurrentRedeemer()", "redeemer"));
    v.extend(dispatch(SUBMIT_RETRYABLE_SIG, "notcallable"));
    v.extend(dispatch(CREATE_SIG, "create"));
    v.extend(dispatch(REMOVE_SIG, "remove"));
    v.extend(dispatch(ENTER_SIG, "enter"));
    v.extend([Label("deny"), push(0), push(0), Op(op::REVERT)]);
    v.push(Label("noticket"));
    v.extend(mem_selector(NO_TICKET_SIG));
    v.extend([push(4), push(0), Op(op::REVERT)]);
    v.push(Label("notcallable"));
    v.extend(mem_selector(NOT_CALLABLE_SIG));
    v.extend([push(4), push(0), Op(op::REVERT)]);
    v.push(Label("lifetime"));
    v.push(push(lifetime));
    v.extend(return_word());
    v.push(Label("timeout"));
    v.extend(alive());
    v.extend(cdl(4));
    v.push(Op(op::SLOAD));
    v.extend(return_word());
    v.push(Label("beneficiary"));
    v.extend(alive());
    v.extend(cdl(4));
    v.extend([push(2), Op(op::ADD), Op(op::SLOAD)]);
    v.extend(return_word());
    v.push(Label("redeemer"));
    v.extend([push(1), Op(op::SLOAD)]);
    v.extend(return_word());
    // One more lifetime, for anyone, unless the timeout is already more than one lifetime away.
    v.push(Label("keepalive"));
    v.extend(alive());
    v.extend(cdl(4));
    v.push(Op(op::SLOAD));
    v.extend([
        push(lifetime),
        Op(op::TIMESTAMP),
        Op(op::ADD),
        Op(op::DUP2),
        Op(op::GT),
    ]);
    v.extend([PushLabel("deny"), Op(op::JUMPI)]);
    v.extend([push(lifetime), Op(op::ADD), Op(op::DUP1)]);
    v.extend(cdl(4));
    v.push(Op(op::SSTORE));
    v.extend([Op(op::DUP1), push(0), Op(op::MSTORE)]);
    v.extend(cdl(4));
    v.push(push_bytes(topic(LIFETIME_EXTENDED_EVENT).as_slice()));
    v.extend([push(32), push(0), Op(op::LOG2)]);
    v.extend(return_word());
    // Only the beneficiary cancels; the devnet pays the escrowed call value out after the
    // transaction, on seeing `Canceled`.
    v.push(Label("cancel"));
    v.extend(alive());
    v.extend(not_running());
    v.extend(cdl(4));
    v.extend([
        push(2),
        Op(op::ADD),
        Op(op::SLOAD),
        Op(op::CALLER),
        Op(op::EQ),
    ]);
    v.extend([Op(op::ISZERO), PushLabel("deny"), Op(op::JUMPI)]);
    v.push(push(0));
    v.extend(cdl(4));
    v.push(Op(op::SSTORE));
    v.extend(cdl(4));
    v.push(push_bytes(topic(CANCELED_EVENT).as_slice()));
    v.extend([push(0), push(0), Op(op::LOG2), Op(op::STOP)]);
    // A redeem donates the gas left to the retry: memory 64..192 is RedeemScheduled's data
    // (donated gas, donor, max refund, submission fee refund).
    v.push(Label("redeem"));
    v.extend(alive());
    v.extend(not_running());
    // Nitro refuses a redeem that would donate less than a transaction's base cost.
    v.extend([Op(op::GAS), Op(op::DUP1), push(21_000), Op(op::GT)]);
    v.extend([PushLabel("deny"), Op(op::JUMPI), push(64), Op(op::MSTORE)]);
    v.extend([Op(op::CALLER), push(96), Op(op::MSTORE)]);
    v.extend([push(0), Op(op::NOT), push(128), Op(op::MSTORE)]);
    v.extend([push(0), push(160), Op(op::MSTORE)]);
    // Counts the try, logs RedeemScheduled with the retry's hash keccak256(id ++ try) and
    // returns that hash.
    v.push(Label("schedule"));
    v.extend(cdl(4));
    v.extend([push(1), Op(op::ADD), Op(op::DUP1), Op(op::SLOAD)]);
    v.extend([
        Op(op::DUP1),
        push(1),
        Op(op::ADD),
        Op(op::DUP3),
        Op(op::SSTORE),
    ]);
    v.extend([Op(op::DUP1), push(32), Op(op::MSTORE)]);
    v.extend(cdl(4));
    v.extend([push(0), Op(op::MSTORE), push(64), push(0), Op(op::SHA3)]);
    v.extend([Op(op::DUP2), Op(op::DUP2)]);
    v.extend(cdl(4));
    v.push(push_bytes(topic(REDEEM_SCHEDULED_EVENT).as_slice()));
    v.extend([push(128), push(64), Op(op::LOG4)]);
    v.extend(return_word());
    // devnetCreate(id, timeout, beneficiary, gas, donor, maxRefund): TicketCreated, then the
    // auto-redeem's RedeemScheduled when it has gas.
    v.push(Label("create"));
    v.extend(only_operator(operator));
    v.extend(cdl(36));
    v.extend(cdl(4));
    v.push(Op(op::SSTORE));
    v.extend(cdl(68));
    v.extend(cdl(4));
    v.extend([push(2), Op(op::ADD), Op(op::SSTORE)]);
    v.extend(cdl(4));
    v.push(push_bytes(topic(TICKET_CREATED_EVENT).as_slice()));
    v.extend([push(0), push(0), Op(op::LOG2)]);
    v.extend(cdl(100));
    v.extend([Op(op::ISZERO), PushLabel("done"), Op(op::JUMPI)]);
    v.extend(cdl(100));
    v.extend([push(64), Op(op::MSTORE)]);
    v.extend(cdl(132));
    v.extend([push(96), Op(op::MSTORE)]);
    v.extend(cdl(164));
    v.extend([push(128), Op(op::MSTORE)]);
    v.extend([push(0), push(160), Op(op::MSTORE)]);
    v.extend([PushLabel("schedule"), Op(op::JUMP)]);
    v.push(Label("remove"));
    v.extend(only_operator(operator));
    v.push(push(0));
    v.extend(cdl(4));
    v.push(Op(op::SSTORE));
    v.push(Label("done"));
    v.push(Op(op::STOP));
    // devnetEnter(id, redeemer): the retry that is about to run (zeros once it has run).
    v.push(Label("enter"));
    v.extend(only_operator(operator));
    v.extend(cdl(4));
    v.extend([push(0), Op(op::SSTORE)]);
    v.extend(cdl(36));
    v.extend([push(1), Op(op::SSTORE), Op(op::STOP)]);
    assemble(&v)
}

/// A minimal ERC-20 with open minting for development: `balanceOf`, `allowance`, `decimals`,
/// `approve`, `transfer`, `transferFrom`, `mint(address,uint256)`. Balances live in the slot
/// numbered by the holder's address, allowances at `keccak256(owner ++ spender)`. It emits no
/// events and failures revert without data.
#[allow(clippy::too_many_lines)] // One contract reads best as one listing.
pub fn dev_token_code(decimals: u8) -> Vec<u8> {
    let cdl = |at: u64| [push(at), Op(op::CALLDATALOAD)];
    let ret_true = [
        push(1),
        push(0),
        Op(op::MSTORE),
        push(32),
        push(0),
        Op(op::RETURN),
    ];
    let mut v = header();
    v.extend(dispatch("balanceOf(address)", "balance"));
    v.extend(dispatch("decimals()", "decimals"));
    v.extend(dispatch("allowance(address,address)", "allowance"));
    v.extend(dispatch("approve(address,uint256)", "approve"));
    v.extend(dispatch("transfer(address,uint256)", "transfer"));
    v.extend(dispatch(
        "transferFrom(address,address,uint256)",
        "transferFrom",
    ));
    v.extend(dispatch("mint(address,uint256)", "mint"));
    v.extend([Label("fail"), push(0), push(0), Op(op::REVERT)]);
    v.push(Label("balance"));
    v.extend(cdl(4));
    v.push(Op(op::SLOAD));
    v.extend(return_word());
    v.push(Label("decimals"));
    v.push(push(u64::from(decimals)));
    v.extend(return_word());
    v.push(Label("allowance"));
    v.extend(cdl(4));
    v.extend([push(0), Op(op::MSTORE)]);
    v.extend(cdl(36));
    v.extend([
        push(32),
        Op(op::MSTORE),
        push(64),
        push(0),
        Op(op::SHA3),
        Op(op::SLOAD),
    ]);
    v.extend(return_word());
    v.push(Label("approve"));
    v.extend([Op(op::CALLER), push(0), Op(op::MSTORE)]);
    v.extend(cdl(4));
    v.extend([push(32), Op(op::MSTORE)]);
    v.extend(cdl(36));
    v.extend([push(64), push(0), Op(op::SHA3), Op(op::SSTORE)]);
    v.extend(ret_true.clone());
    v.push(Label("mint"));
    v.extend(cdl(4));
    v.extend([Op(op::DUP1), Op(op::SLOAD)]);
    v.extend(cdl(36));
    v.extend([Op(op::ADD), Op(op::SWAP1), Op(op::SSTORE)]);
    v.extend(ret_true.clone());
    v.push(Label("transfer"));
    v.push(Op(op::CALLER));
    v.extend(cdl(4));
    v.extend(cdl(36));
    v.extend([PushLabel("move"), Op(op::JUMP)]);
    v.push(Label("transferFrom"));
    // Spend the allowance first: [amt, slot, allowance].
    v.extend(cdl(68));
    v.extend(cdl(4));
    v.extend([
        push(0),
        Op(op::MSTORE),
        Op(op::CALLER),
        push(32),
        Op(op::MSTORE),
    ]);
    v.extend([push(64), push(0), Op(op::SHA3), Op(op::DUP1), Op(op::SLOAD)]);
    v.extend([
        Op(op::DUP3),
        Op(op::DUP2),
        Op(op::LT),
        PushLabel("fail"),
        Op(op::JUMPI),
    ]);
    v.extend([
        Op(op::DUP3),
        Op(op::SWAP1),
        Op(op::SUB),
        Op(op::SWAP1),
        Op(op::SSTORE),
    ]);
    v.push(Op(op::POP));
    v.extend(cdl(4));
    v.extend(cdl(36));
    v.extend(cdl(68));
    // Stack: from to amount.
    v.push(Label("move"));
    v.extend([Op(op::DUP3), Op(op::SLOAD)]);
    v.extend([
        Op(op::DUP2),
        Op(op::DUP2),
        Op(op::LT),
        PushLabel("fail"),
        Op(op::JUMPI),
    ]);
    v.extend([Op(op::DUP2), Op(op::SWAP1), Op(op::SUB)]);
    v.extend([Op(op::DUP4), Op(op::SSTORE)]);
    v.extend([
        Op(op::DUP2),
        Op(op::SLOAD),
        Op(op::ADD),
        Op(op::SWAP1),
        Op(op::SSTORE),
    ]);
    v.extend(ret_true);
    assemble(&v)
}

/// Init code of a contract that records its caller (slot 0), value (slot 1) and a call count
/// (slot 2): three cold stores, about 66 000 gas, so a 30 000-gas ticket to it fails and a
/// 200 000-gas one succeeds. Bridge tests and the bridge fuzz target deliver tickets to it.
#[must_use]
pub fn recorder_code() -> Vec<u8> {
    init_code(&assemble(&[
        Op(op::CALLER),
        push(0),
        Op(op::SSTORE),
        Op(op::CALLVALUE),
        push(1),
        Op(op::SSTORE),
        push(2),
        Op(op::SLOAD),
        push(1),
        Op(op::ADD),
        push(2),
        Op(op::SSTORE),
        Op(op::STOP),
    ]))
}
