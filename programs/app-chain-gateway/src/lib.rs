//! `AppChainGateway`: the app-chain end of the gateway pair, one per app chain.
//!
//! It receives parameters bridged by the `SettlementChainGateway` (accepted only from that
//! gateway's L3 alias) and writes them into the app-chain parameter registry, with a nonce per
//! key so an older transmission never overwrites a newer one; it forwards deposits carried by
//! retryable tickets to their recipients; and it sends withdrawals back to the settlement chain
//! through `ArbSys.sendTxToL1`, addressed to the settlement gateway's withdrawal functions.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry` and `settlementChainGateway` are wiring, not constructor immutables
//!   (the pipeline refuses zero, which is where `ZeroParameterRegistry()` and
//!   `ZeroSettlementChainGateway()` are reported). `settlementChainGatewayAlias` is derived from
//!   the wired gateway on each use (one 160-bit addition) rather than wired separately, so the
//!   two can never disagree.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{Panic, PanicKind, SolCall, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{StorageBool, StorageMap, StorageU256},
};
use xmtp_abi::{
    app_chain_external::{IArbSysLike, ISettlementChainGatewayLike, ARB_SYS},
    app_chain_gateway::{
        DepositReceived, NoChange, NotSettlementChainGateway, ParametersReceived,
        PauseStatusUpdated, Paused, TransferFailed, Withdrawal, ZeroRecipient,
        ZeroWithdrawalAmount,
    },
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    oz_initializable::InvalidInitialization,
    parameter_registry::IParameterRegistryLike,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    abi_lean::{self, address, uint, Arg},
    alias, calls,
    initializable::initializer,
    migratable, params,
    slots::APP_CHAIN_GATEWAY,
    storage::rooted,
    Bubbled,
};

const MIGRATOR_PARAMETER_KEY: &str = "xmtp.appChainGateway.migrator";
const PAUSED_PARAMETER_KEY: &str = "xmtp.appChainGateway.paused";

xmtp_core::wiring! {
    /// The app-chain parameter registry this gateway reads and writes (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
    /// The `SettlementChainGateway` proxy on the settlement chain (reference immutable).
    pub fn settlement_chain_gateway: Address = "settlementChainGateway";
}

/// The errors the gateway reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum AppChainGatewayError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// `receiveParameters` from anyone but the settlement gateway's alias.
    NotSettlementChainGateway(NotSettlementChainGateway),
    /// A withdrawal to the zero address.
    ZeroRecipient(ZeroRecipient),
    /// A withdrawal without value.
    ZeroWithdrawalAmount(ZeroWithdrawalAmount),
    /// `updatePauseStatus` when the registry agrees with the stored status.
    NoChange(NoChange),
    /// Withdrawals are paused.
    Paused(Paused),
    /// The deposit recipient refused the value.
    TransferFailed(TransferFailed),
    /// A parameter read from the registry is out of its type's range.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// Solidity's `Panic(0x32)`: `receiveParameters` with fewer values than applied keys.
    Panic(Panic),
    /// A callee's revert (the registry, `ArbSys`), passed through.
    Bubbled(Bubbled),
}

/// `AppChainGatewayStorage` at `xmtp.storage.AppChainGateway`: `paused` in byte 0 of the root,
/// the per-key nonces (`mapping(string => uint256)`) at root + 1.
#[storage]
pub struct AppChainGatewayStorage {
    paused: StorageBool,
    key_nonces: StorageMap<String, StorageU256>,
}

pub use entry::AppChainGateway;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in
    /// [`AppChainGatewayStorage`](super::AppChainGatewayStorage) at the
    /// `xmtp.storage.AppChainGateway` root.
    #[storage]
    #[entrypoint]
    pub struct AppChainGateway {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl AppChainGateway {
    /// Marks the proxy initialized (the reference's body is empty).
    pub fn initialize(&mut self) -> Result<(), AppChainGatewayError> {
        initializer(&self.vm().clone(), || Ok(()))
    }

    /// Sends `msg.value` to the settlement chain, where `receiveWithdrawal(recipient_)` pays it
    /// out in fee tokens.
    #[payable]
    pub fn withdraw(&mut self, recipient_: Address) -> Result<(), AppChainGatewayError> {
        self.revert_if_paused()?;
        self.send_withdrawal(
            recipient_,
            ISettlementChainGatewayLike::receiveWithdrawalCall::SELECTOR,
        )
    }

    /// As `withdraw`, but the settlement gateway unwraps the fee tokens into the underlying.
    #[payable]
    pub fn withdraw_into_underlying(
        &mut self,
        recipient_: Address,
    ) -> Result<(), AppChainGatewayError> {
        self.revert_if_paused()?;
        self.send_withdrawal(
            recipient_,
            ISettlementChainGatewayLike::receiveWithdrawalIntoUnderlyingCall::SELECTOR,
        )
    }

    /// Forwards `msg.value` to `recipient_` (normally the call a deposit's retryable ticket
    /// makes; open to anyone, never pause-gated).
    #[payable]
    pub fn receive_deposit(&mut self, recipient_: Address) -> Result<(), AppChainGatewayError> {
        let vm = self.vm().clone();
        let value = vm.msg_value();
        self.emit(
            &[DepositReceived::SIGNATURE_HASH, recipient_.into_word()],
            &abi_lean::encode(None, &[uint(value)]),
        );
        // The recipient is arbitrary and may call back into this gateway.
        calls::call(&vm, recipient_, value, &[]).map_err(|_| TransferFailed {})?;
        Ok(())
    }

    /// Applies the bridged `keys_` whose stored nonce is older than `nonce_`, writing each
    /// through the registry; only the settlement gateway's alias may call.
    pub fn receive_parameters(
        &mut self,
        nonce_: U256,
        keys_: Vec<String>,
        values_: Vec<B256>,
    ) -> Result<(), AppChainGatewayError> {
        let vm = self.vm().clone();
        if vm.msg_sender() != self.settlement_chain_gateway_alias() {
            return Err(NotSettlementChainGateway {}.into());
        }
        self.emit(
            &[ParametersReceived::SIGNATURE_HASH, nonce_.into()],
            &abi_lean::encode(None, &[Arg::Strings(&keys_)]),
        );
        for (index, key) in keys_.into_iter().enumerate() {
            let mut layout = self.layout();
            if layout.key_nonces.get(key.clone()) >= nonce_ {
                continue;
            }
            let Some(value) = values_.get(index) else {
                return Err(Panic::from(PanicKind::ArrayOutOfBounds).into());
            };
            let calldata = abi_lean::encode(
                Some(IParameterRegistryLike::setCall::SELECTOR),
                &[Arg::String(&key), Arg::Word(*value)],
            );
            layout.key_nonces.setter(key).set(nonce_);
            calls::call_returning_nothing(&vm, parameter_registry(), &calldata)?;
        }
        Ok(())
    }

    /// Copies `xmtp.appChainGateway.paused` from the registry.
    pub fn update_pause_status(&mut self) -> Result<(), AppChainGatewayError> {
        let paused = params::get_bool::<AppChainGatewayError>(
            self.vm(),
            parameter_registry(),
            PAUSED_PARAMETER_KEY,
        )?;
        let mut layout = self.layout();
        if paused == layout.paused.get() {
            return Err(NoChange {}.into());
        }
        layout.paused.set(paused);
        self.emit(
            &[
                PauseStatusUpdated::SIGNATURE_HASH,
                U256::from(u8::from(paused)).into(),
            ],
            &[],
        );
        Ok(())
    }

    /// Migrates this gateway's proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<(), AppChainGatewayError> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<AppChainGatewayError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The settlement-chain gateway this implementation was built with.
    #[selector(name = "settlementChainGateway")]
    pub fn settlement_chain_gateway_getter(&self) -> Address {
        settlement_chain_gateway()
    }

    /// The address the settlement gateway's retryable tickets arrive from on this chain.
    pub fn settlement_chain_gateway_alias(&self) -> Address {
        alias::to_alias(settlement_chain_gateway())
    }

    /// `"xmtp.appChainGateway.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// `"xmtp.appChainGateway.paused"`.
    pub fn paused_parameter_key() -> String {
        PAUSED_PARAMETER_KEY.into()
    }

    /// Whether withdrawals are paused.
    pub fn paused(&self) -> bool {
        self.layout().paused.get()
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.0"`.
    pub fn version() -> String {
        "1.0.0".into()
    }

    /// `"AppChainGateway"`.
    pub fn contract_name() -> String {
        "AppChainGateway".into()
    }
}

impl AppChainGateway {
    fn layout(&self) -> AppChainGatewayStorage {
        rooted(self.vm(), APP_CHAIN_GATEWAY)
    }

    fn revert_if_paused(&self) -> Result<(), AppChainGatewayError> {
        if self.layout().paused.get() {
            return Err(Paused {}.into());
        }
        Ok(())
    }

    /// `ArbSys.sendTxToL1{value: msg.value}(settlementChainGateway, selector ++ recipient)`,
    /// then `Withdrawal`.
    fn send_withdrawal(
        &self,
        recipient: Address,
        selector: [u8; 4],
    ) -> Result<(), AppChainGatewayError> {
        if recipient.is_zero() {
            return Err(ZeroRecipient {}.into());
        }
        let vm = self.vm().clone();
        let value = vm.msg_value();
        if value.is_zero() {
            return Err(ZeroWithdrawalAmount {}.into());
        }
        let calldata = abi_lean::encode(Some(selector), &[address(recipient)]);
        let send = abi_lean::encode(
            Some(IArbSysLike::sendTxToL1Call::SELECTOR),
            &[address(settlement_chain_gateway()), Arg::Bytes(&calldata)],
        );
        let message_id = calls::returned_uint(&calls::call(&vm, ARB_SYS, value, &send)?)?;
        self.emit(
            &[
                Withdrawal::SIGNATURE_HASH,
                message_id.into(),
                recipient.into_word(),
            ],
            &abi_lean::encode(None, &[uint(value)]),
        );
        Ok(())
    }

    /// Emits a log with the event's topics and ABI-encoded data (see `abi_lean` for why the
    /// events are not encoded through alloy).
    fn emit(&self, topics: &[B256], data: &[u8]) {
        // Only more than four topics can fail, and every event here has at most three.
        let _ = self.vm().raw_log(topics, data);
    }
}

#[cfg(test)]
mod tests;
