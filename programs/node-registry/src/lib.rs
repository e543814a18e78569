//! `NodeRegistry`: the network's nodes as ERC-721 tokens (ids 100, 200, ...), each with its
//! signing key, the signer address derived from it and its HTTP endpoint, and the canonical
//! subset of nodes (at most `maxCanonicalNodes`) that sign payer reports and share fees.
//!
//! The ERC-721 part is OpenZeppelin v5's `ERC721Upgradeable` (`xmtp_core::erc721`), at its own
//! namespace, so a proxy that ran the Solidity implementation keeps its tokens, nodes and set.
//!
//! Differences from the reference (see `DEVIATIONS.md`):
//! - `parameterRegistry` is wiring, not a constructor immutable (the pipeline refuses zero, which
//!   is where `ZeroParameterRegistry()` is reported); the bare implementation refuses
//!   `initialize()` instead of having its initializers disabled by a constructor.
//! - String arguments are decoded by the SDK, which refuses invalid UTF-8 (Solidity accepts any
//!   bytes in a `string`), so such calls revert with empty data instead of succeeding.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, Bytes, FixedBytes, U256};
use alloy_sol_types::SolEvent;
use stylus_sdk::{
    prelude::*,
    storage::{
        StorageAddress, StorageBool, StorageBytes, StorageMap, StorageString, StorageU32, StorageU8,
    },
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    node_registry::{
        AdminUpdated, BaseURIUpdated, FailedToAddNodeToCanonicalNetwork,
        FailedToRemoveNodeFromCanonicalNetwork, HttpAddressUpdated, InvalidHttpAddress,
        InvalidOwner, InvalidSigningPublicKey, InvalidURI, MaxCanonicalNodesBelowCurrentCount,
        MaxCanonicalNodesReached, MaxCanonicalNodesUpdated, MaxNodesReached, NoChange, NodeAdded,
        NodeAddedToCanonicalNetwork, NodeRemovedFromCanonicalNetwork, NotAdmin, NotNodeOwner,
        ZeroAdmin,
    },
    oz_erc721::{
        ERC721IncorrectOwner, ERC721InsufficientApproval, ERC721InvalidApprover,
        ERC721InvalidOperator, ERC721InvalidOwner, ERC721InvalidReceiver, ERC721InvalidSender,
        ERC721NonexistentToken,
    },
    oz_initializable::InvalidInitialization,
    registry_parameters::ParameterOutOfTypeBounds,
};
use xmtp_core::{
    enumerable_set::UintSet,
    erc721::{self, Erc721Storage},
    events,
    initializable::initializer,
    migratable, params,
    slots::NODE_REGISTRY,
    storage::rooted,
    Bubbled,
};

/// Node ids are multiples of this: the first node is 100.
pub const NODE_INCREMENT: u32 = 100;

const ADMIN_PARAMETER_KEY: &str = "xmtp.nodeRegistry.admin";
const MAX_CANONICAL_NODES_PARAMETER_KEY: &str = "xmtp.nodeRegistry.maxCanonicalNodes";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.nodeRegistry.migrator";

const NAME: &str = "XMTP Nodes";
const SYMBOL: &str = "nXMTP";

/// An uncompressed secp256k1 public key: the `0x04` prefix, then X and Y.
const SIGNING_PUBLIC_KEY_LENGTH: usize = 65;
const UNCOMPRESSED_KEY_PREFIX: u8 = 0x04;

const FORWARD_SLASH: u8 = b'/';

xmtp_core::wiring! {
    /// The parameter registry the admin, maximum and migrator are read from (reference immutable).
    pub fn parameter_registry: Address = "parameterRegistry";
}

/// The ABI tuple of `Node`: `(signer, isCanonical, signingPublicKey, httpAddress)`.
pub type NodeTuple = (Address, bool, Bytes, String);

/// The errors the node registry reverts with.
#[derive(SolidityError, Debug, PartialEq)]
pub enum NodeRegistryError {
    /// `initialize()` ran before on this proxy, or this is the bare implementation.
    InvalidInitialization(InvalidInitialization),
    /// The caller is not the admin.
    NotAdmin(NotAdmin),
    /// `addNode` with a zero owner.
    InvalidOwner(InvalidOwner),
    /// An empty HTTP address.
    InvalidHttpAddress(InvalidHttpAddress),
    /// Node ids would pass `type(uint32).max`.
    MaxNodesReached(MaxNodesReached),
    /// A signing key that is not 65 bytes starting with `0x04`.
    InvalidSigningPublicKey(InvalidSigningPublicKey),
    /// The canonical set is full.
    MaxCanonicalNodesReached(MaxCanonicalNodesReached),
    /// The set refused an add after the membership check (unreachable, as in the reference).
    FailedToAddNodeToCanonicalNetwork(FailedToAddNodeToCanonicalNetwork),
    /// The set refused a removal after the membership check (unreachable, as in the reference).
    FailedToRemoveNodeFromCanonicalNetwork(FailedToRemoveNodeFromCanonicalNetwork),
    /// A base URI that is empty or does not end with `/`.
    InvalidURI(InvalidURI),
    /// The caller does not own the node's token.
    NotNodeOwner(NotNodeOwner),
    /// The new value equals the stored one.
    NoChange(NoChange),
    /// The admin parameter is zero.
    ZeroAdmin(ZeroAdmin),
    /// The new maximum is below the current canonical count.
    MaxCanonicalNodesBelowCurrentCount(MaxCanonicalNodesBelowCurrentCount),
    /// A parameter does not fit its type.
    ParameterOutOfTypeBounds(ParameterOutOfTypeBounds),
    /// No migrator is set.
    ZeroMigrator(ZeroMigrator),
    /// The migrator reverted; carries its revert data.
    MigrationFailed(MigrationFailed),
    /// The migrator has no code.
    EmptyCode(EmptyCode),
    /// `balanceOf(0)`.
    ERC721InvalidOwner(ERC721InvalidOwner),
    /// The token does not exist.
    ERC721NonexistentToken(ERC721NonexistentToken),
    /// `from` is not the token's owner.
    ERC721IncorrectOwner(ERC721IncorrectOwner),
    /// A mint over an existing token (unreachable: ids are never reused).
    ERC721InvalidSender(ERC721InvalidSender),
    /// A transfer to zero, or a receiver that refused the token.
    ERC721InvalidReceiver(ERC721InvalidReceiver),
    /// The caller may not move the token.
    ERC721InsufficientApproval(ERC721InsufficientApproval),
    /// The caller may not approve for the token.
    ERC721InvalidApprover(ERC721InvalidApprover),
    /// `setApprovalForAll` for the zero operator.
    ERC721InvalidOperator(ERC721InvalidOperator),
    /// A callee's revert (the registry, a token receiver), passed through.
    Bubbled(Bubbled),
}

/// One node: 3 slots (`signer` and `isCanonical` packed, then the key, then the address).
#[storage]
pub struct NodeStorage {
    signer: StorageAddress,
    is_canonical: StorageBool,
    signing_public_key: StorageBytes,
    http_address: StorageString,
}

/// `NodeRegistryStorage` at `xmtp.storage.NodeRegistry`.
#[storage]
pub struct NodeRegistryStorage {
    admin: StorageAddress,
    max_canonical_nodes: StorageU8,
    /// Legacy: never read or written, kept so `nodeCount` stays at byte 22.
    #[allow(dead_code)]
    canonical_nodes_count: StorageU8,
    node_count: StorageU32,
    nodes: StorageMap<u32, NodeStorage>,
    base_uri: StorageString,
    canonical_nodes: UintSet,
}

pub use entry::NodeRegistry;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in [`NodeRegistryStorage`] (and OpenZeppelin's ERC-721
    /// namespace).
    #[storage]
    #[entrypoint]
    pub struct NodeRegistry {}
}

// The SDK's router hands decoded arguments over by value.
#[allow(clippy::needless_pass_by_value)]
#[public]
impl NodeRegistry {
    /// Sets the token's name and symbol; once per proxy.
    pub fn initialize(&mut self) -> Result<(), NodeRegistryError> {
        let vm = self.vm().clone();
        initializer(&vm, || {
            self.erc721().init(NAME, SYMBOL);
            Ok(())
        })
    }

    /// Admin: registers a node, mints its token to `owner_`; returns its id and signer.
    pub fn add_node(
        &mut self,
        owner_: Address,
        signing_public_key_: Bytes,
        http_address_: String,
    ) -> Result<(u32, Address), NodeRegistryError> {
        self.revert_if_not_admin()?;
        if owner_.is_zero() {
            return Err(InvalidOwner {}.into());
        }
        if http_address_.is_empty() {
            return Err(InvalidHttpAddress {}.into());
        }
        let mut layout = self.layout();
        let node_count = layout.node_count.get().saturating_to::<u32>();
        let node_id = node_count
            .checked_add(1)
            .and_then(|count| count.checked_mul(NODE_INCREMENT))
            .ok_or(MaxNodesReached {})?;
        let signer = self.signer_from_public_key(&signing_public_key_)?;
        layout
            .node_count
            .set(alloy_primitives::U32::from(node_count + 1));
        let mut node = layout.nodes.setter(node_id);
        node.signer.set(signer);
        node.is_canonical.set(false);
        node.signing_public_key.set_bytes(&signing_public_key_);
        node.http_address.set_str(&http_address_);
        self.erc721()
            .mint::<NodeRegistryError>(owner_, U256::from(node_id))?;
        events::emit(
            self.vm(),
            &[
                NodeAdded::SIGNATURE_HASH,
                events::uint(U256::from(node_id)),
                events::address(owner_),
                events::address(signer),
            ],
            &events::byte_strings(&[&signing_public_key_, http_address_.as_bytes()]),
        );
        Ok((node_id, signer))
    }

    /// Admin: adds an existing node to the canonical set (nothing happens if it is in it).
    pub fn add_to_network(&mut self, node_id_: u32) -> Result<(), NodeRegistryError> {
        self.revert_if_not_admin()?;
        self.require_owned(node_id_)?;
        let mut layout = self.layout();
        let member = U256::from(node_id_);
        if layout.canonical_nodes.contains(member) {
            return Ok(());
        }
        if layout.canonical_nodes.len()
            >= usize::from(layout.max_canonical_nodes.get().saturating_to::<u8>())
        {
            return Err(MaxCanonicalNodesReached {}.into());
        }
        layout.nodes.setter(node_id_).is_canonical.set(true);
        if !layout.canonical_nodes.add(member) {
            return Err(FailedToAddNodeToCanonicalNetwork {}.into());
        }
        events::emit(
            self.vm(),
            &[
                NodeAddedToCanonicalNetwork::SIGNATURE_HASH,
                events::uint(member),
            ],
            &[],
        );
        Ok(())
    }

    /// Admin: removes an existing node from the canonical set (nothing happens if it is not in it).
    pub fn remove_from_network(&mut self, node_id_: u32) -> Result<(), NodeRegistryError> {
        self.revert_if_not_admin()?;
        self.require_owned(node_id_)?;
        let mut layout = self.layout();
        let member = U256::from(node_id_);
        if !layout.canonical_nodes.contains(member) {
            return Ok(());
        }
        layout.nodes.setter(node_id_).is_canonical.set(false);
        if !layout.canonical_nodes.remove(member) {
            return Err(FailedToRemoveNodeFromCanonicalNetwork {}.into());
        }
        events::emit(
            self.vm(),
            &[
                NodeRemovedFromCanonicalNetwork::SIGNATURE_HASH,
                events::uint(member),
            ],
            &[],
        );
        Ok(())
    }

    /// Admin: sets the token URI prefix, which must end with `/`.
    #[selector(name = "setBaseURI")]
    pub fn set_base_uri(&mut self, base_uri_: String) -> Result<(), NodeRegistryError> {
        self.revert_if_not_admin()?;
        if base_uri_.as_bytes().last() != Some(&FORWARD_SLASH) {
            return Err(InvalidURI {}.into());
        }
        self.layout().base_uri.set_str(&base_uri_);
        events::emit(
            self.vm(),
            &[BaseURIUpdated::SIGNATURE_HASH],
            &events::byte_strings(&[base_uri_.as_bytes()]),
        );
        Ok(())
    }

    /// Node owner: sets the node's HTTP address.
    pub fn set_http_address(
        &mut self,
        node_id_: u32,
        http_address_: String,
    ) -> Result<(), NodeRegistryError> {
        self.revert_if_not_node_owner(node_id_)?;
        if http_address_.is_empty() {
            return Err(InvalidHttpAddress {}.into());
        }
        let mut layout = self.layout();
        let mut node = layout.nodes.setter(node_id_);
        if node.http_address.get_string().as_bytes() == http_address_.as_bytes() {
            return Err(NoChange {}.into());
        }
        node.http_address.set_str(&http_address_);
        events::emit(
            self.vm(),
            &[
                HttpAddressUpdated::SIGNATURE_HASH,
                events::uint(U256::from(node_id_)),
            ],
            &events::byte_strings(&[http_address_.as_bytes()]),
        );
        Ok(())
    }

    /// Reads the admin from the parameter registry.
    pub fn update_admin(&mut self) -> Result<(), NodeRegistryError> {
        let admin = params::get_address::<NodeRegistryError>(
            self.vm(),
            parameter_registry(),
            ADMIN_PARAMETER_KEY,
        )?;
        if admin.is_zero() {
            return Err(ZeroAdmin {}.into());
        }
        let mut layout = self.layout();
        if admin == layout.admin.get() {
            return Err(NoChange {}.into());
        }
        layout.admin.set(admin);
        events::emit(
            self.vm(),
            &[AdminUpdated::SIGNATURE_HASH, events::address(admin)],
            &[],
        );
        Ok(())
    }

    /// Reads the maximum canonical node count from the parameter registry.
    pub fn update_max_canonical_nodes(&mut self) -> Result<(), NodeRegistryError> {
        let value = params::get_uint::<NodeRegistryError>(
            self.vm(),
            parameter_registry(),
            MAX_CANONICAL_NODES_PARAMETER_KEY,
            8,
        )?;
        let max_canonical_nodes = value.saturating_to::<u8>();
        let mut layout = self.layout();
        if max_canonical_nodes == layout.max_canonical_nodes.get().saturating_to::<u8>() {
            return Err(NoChange {}.into());
        }
        if max_canonical_nodes < truncate_to_u8(layout.canonical_nodes.len()) {
            return Err(MaxCanonicalNodesBelowCurrentCount {}.into());
        }
        layout
            .max_canonical_nodes
            .set(alloy_primitives::U8::from(max_canonical_nodes));
        events::emit(
            self.vm(),
            &[MaxCanonicalNodesUpdated::SIGNATURE_HASH],
            &events::uint(U256::from(max_canonical_nodes)).0,
        );
        Ok(())
    }

    /// Migrates this proxy through the migrator set in the parameter registry.
    pub fn migrate(&mut self) -> Result<(), NodeRegistryError> {
        let vm = self.vm().clone();
        let migrator = params::get_address::<NodeRegistryError>(
            &vm,
            parameter_registry(),
            MIGRATOR_PARAMETER_KEY,
        )?;
        migratable::migrate(&vm, migrator)
    }

    /// `100`.
    #[selector(name = "NODE_INCREMENT")]
    pub fn node_increment() -> u32 {
        NODE_INCREMENT
    }

    /// The admin (zero until `updateAdmin()`).
    pub fn admin(&self) -> Address {
        self.layout().admin.get()
    }

    /// `"xmtp.nodeRegistry.admin"`.
    pub fn admin_parameter_key() -> String {
        ADMIN_PARAMETER_KEY.into()
    }

    /// `"xmtp.nodeRegistry.maxCanonicalNodes"`.
    pub fn max_canonical_nodes_parameter_key() -> String {
        MAX_CANONICAL_NODES_PARAMETER_KEY.into()
    }

    /// `"xmtp.nodeRegistry.migrator"`.
    pub fn migrator_parameter_key() -> String {
        MIGRATOR_PARAMETER_KEY.into()
    }

    /// The parameter registry this implementation was built with.
    #[selector(name = "parameterRegistry")]
    pub fn parameter_registry_getter(&self) -> Address {
        parameter_registry()
    }

    /// The maximum size of the canonical set.
    pub fn max_canonical_nodes(&self) -> u8 {
        self.layout()
            .max_canonical_nodes
            .get()
            .saturating_to::<u8>()
    }

    /// The size of the canonical set (its low 8 bits, as the reference casts it).
    pub fn canonical_nodes_count(&self) -> u8 {
        truncate_to_u8(self.layout().canonical_nodes.len())
    }

    /// Every node ever added, with its id, in id order (no existence check, as the reference).
    pub fn get_all_nodes(&self) -> Vec<(u32, NodeTuple)> {
        let layout = self.layout();
        let node_count = layout.node_count.get().saturating_to::<u32>();
        (1..=node_count)
            .map(|index| {
                let node_id = index * NODE_INCREMENT;
                (node_id, node_tuple(&layout, node_id))
            })
            .collect()
    }

    /// The number of nodes ever added.
    pub fn get_all_nodes_count(&self) -> u32 {
        self.layout().node_count.get().saturating_to::<u32>()
    }

    /// The canonical node ids, in the set's storage order.
    pub fn get_canonical_nodes(&self) -> Vec<u32> {
        self.layout()
            .canonical_nodes
            .values()
            .into_iter()
            // Only `uint32` ids are ever added, so the low 32 bits are the whole value.
            .map(|member| member.saturating_to::<u32>())
            .collect()
    }

    /// The node (its token must exist).
    pub fn get_node(&self, node_id_: u32) -> Result<(NodeTuple,), NodeRegistryError> {
        self.require_owned(node_id_)?;
        Ok((node_tuple(&self.layout(), node_id_),))
    }

    /// Whether the node is canonical (its token must exist).
    pub fn get_is_canonical_node(&self, node_id_: u32) -> Result<bool, NodeRegistryError> {
        self.require_owned(node_id_)?;
        Ok(self.layout().nodes.getter(node_id_).is_canonical.get())
    }

    /// The node's signer (its token must exist).
    pub fn get_signer(&self, node_id_: u32) -> Result<Address, NodeRegistryError> {
        self.require_owned(node_id_)?;
        Ok(self.layout().nodes.getter(node_id_).signer.get())
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.1"`.
    pub fn version() -> String {
        "1.0.1".into()
    }

    /// `"NodeRegistry"`.
    pub fn contract_name() -> String {
        "NodeRegistry".into()
    }

    /// The number of node tokens `owner` holds.
    pub fn balance_of(&self, owner: Address) -> Result<U256, NodeRegistryError> {
        self.erc721().balance_of(owner)
    }

    /// The owner of a node token.
    pub fn owner_of(&self, token_id: U256) -> Result<Address, NodeRegistryError> {
        self.erc721().require_owned(token_id)
    }

    /// Transfers a token, then requires a contract recipient to accept it.
    #[selector(name = "safeTransferFrom")]
    pub fn safe_transfer_from_with_data(
        &mut self,
        from: Address,
        to: Address,
        token_id: U256,
        data: Bytes,
    ) -> Result<(), NodeRegistryError> {
        self.erc721().safe_transfer_from(from, to, token_id, &data)
    }

    /// Transfers a token, then requires a contract recipient to accept it (empty data).
    #[selector(name = "safeTransferFrom")]
    pub fn safe_transfer_from(
        &mut self,
        from: Address,
        to: Address,
        token_id: U256,
    ) -> Result<(), NodeRegistryError> {
        self.erc721().safe_transfer_from(from, to, token_id, &[])
    }

    /// Transfers a token (no receiver check).
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        token_id: U256,
    ) -> Result<(), NodeRegistryError> {
        self.erc721().transfer_from(from, to, token_id)
    }

    /// Approves `to` for one token (the owner or its operator may).
    pub fn approve(&mut self, to: Address, token_id: U256) -> Result<(), NodeRegistryError> {
        let caller = self.vm().msg_sender();
        self.erc721().approve(to, token_id, caller)
    }

    /// Sets whether `operator` may move all of the caller's tokens.
    pub fn set_approval_for_all(
        &mut self,
        operator: Address,
        approved: bool,
    ) -> Result<(), NodeRegistryError> {
        let caller = self.vm().msg_sender();
        self.erc721()
            .set_approval_for_all(caller, operator, approved)
    }

    /// The address approved for one token (the token must exist).
    pub fn get_approved(&self, token_id: U256) -> Result<Address, NodeRegistryError> {
        self.erc721().get_approved(token_id)
    }

    /// Whether `operator` may move all of `owner`'s tokens.
    pub fn is_approved_for_all(&self, owner: Address, operator: Address) -> bool {
        self.erc721().is_approved_for_all(owner, operator)
    }

    /// `"XMTP Nodes"` once initialized.
    pub fn name(&self) -> String {
        self.erc721().name()
    }

    /// `"nXMTP"` once initialized.
    pub fn symbol(&self) -> String {
        self.erc721().symbol()
    }

    /// The base URI followed by the decimal id, or `""` without a base URI.
    #[selector(name = "tokenURI")]
    pub fn token_uri(&self, token_id: U256) -> Result<String, NodeRegistryError> {
        let base_uri = self.layout().base_uri.get_string();
        self.erc721().token_uri(token_id, &base_uri)
    }

    /// ERC-165: `IERC165`, `IERC721` and `IERC721Metadata`.
    pub fn supports_interface(&self, interface_id: FixedBytes<4>) -> bool {
        erc721::supports_interface(interface_id)
    }
}

impl NodeRegistry {
    fn layout(&self) -> NodeRegistryStorage {
        rooted(self.vm(), NODE_REGISTRY)
    }

    fn erc721(&self) -> Erc721Storage {
        erc721::erc721(self.vm())
    }

    fn require_owned(&self, node_id: u32) -> Result<Address, NodeRegistryError> {
        self.erc721().require_owned(U256::from(node_id))
    }

    fn revert_if_not_admin(&self) -> Result<(), NodeRegistryError> {
        if self.vm().msg_sender() != self.layout().admin.get() {
            return Err(NotAdmin {}.into());
        }
        Ok(())
    }

    fn revert_if_not_node_owner(&self, node_id: u32) -> Result<(), NodeRegistryError> {
        if self.require_owned(node_id)? != self.vm().msg_sender() {
            return Err(NotNodeOwner {}.into());
        }
        Ok(())
    }

    /// The last 20 bytes of `keccak256(key[1..65])`, for a 65-byte key with the `0x04` prefix.
    fn signer_from_public_key(&self, key: &[u8]) -> Result<Address, NodeRegistryError> {
        if key.len() != SIGNING_PUBLIC_KEY_LENGTH || key[0] != UNCOMPRESSED_KEY_PREFIX {
            return Err(InvalidSigningPublicKey {}.into());
        }
        Ok(Address::from_word(self.vm().native_keccak256(&key[1..])))
    }
}

fn node_tuple(layout: &NodeRegistryStorage, node_id: u32) -> NodeTuple {
    let node = layout.nodes.getter(node_id);
    (
        node.signer.get(),
        node.is_canonical.get(),
        node.signing_public_key.get_bytes().into(),
        node.http_address.get_string(),
    )
}

/// `uint8(x)`: the low 8 bits, as Solidity's explicit narrowing keeps them.
fn truncate_to_u8(value: usize) -> u8 {
    value.to_le_bytes()[0]
}

#[cfg(test)]
mod tests;
