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
//! - String arguments that are not valid UTF-8 revert with empty data (Solidity accepts any
//!   bytes in a `string`).
//!
//! Every function is routed from the fallback and decoded by `xmtp_core::args` (the SDK's
//! router and its per-signature decoders and encoders would not fit the 24 KiB limit), with
//! Solidity's rules: malformed arguments, value sent or an unknown selector revert with empty
//! data.
#![cfg_attr(target_arch = "wasm32", no_std, no_main)]

extern crate alloc;

use alloc::{string::String, vec, vec::Vec};

use alloy_primitives::{Address, Bytes, FixedBytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use stylus_sdk::{
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap, StorageString, StorageU32, StorageU8},
    ArbResult,
};
use xmtp_abi::{
    migratable::{EmptyCode, MigrationFailed, ZeroMigrator},
    node_registry::{
        AdminUpdated, BaseURIUpdated, FailedToAddNodeToCanonicalNetwork,
        FailedToRemoveNodeFromCanonicalNetwork, HttpAddressUpdated, INodeRegistry as I,
        InvalidHttpAddress, InvalidOwner, InvalidSigningPublicKey, InvalidURI,
        MaxCanonicalNodesBelowCurrentCount, MaxCanonicalNodesReached, MaxCanonicalNodesUpdated,
        MaxNodesReached, NoChange, NodeAdded, NodeAddedToCanonicalNetwork,
        NodeRemovedFromCanonicalNetwork, NotAdmin, NotNodeOwner, ZeroAdmin,
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
    abi_lean::{self, address, uint, Arg},
    args::Args,
    enumerable_set::UintSet,
    erc721::{self, Erc721Storage},
    events,
    initializable::initializer,
    migratable, params, slot_key,
    slots::NODE_REGISTRY,
    storage::rooted,
    string_storage,
};

/// Node ids are multiples of this: the first node is 100.
pub const NODE_INCREMENT: u32 = 100;

const ADMIN_PARAMETER_KEY: &str = "xmtp.nodeRegistry.admin";
const MAX_CANONICAL_NODES_PARAMETER_KEY: &str = "xmtp.nodeRegistry.maxCanonicalNodes";
const MIGRATOR_PARAMETER_KEY: &str = "xmtp.nodeRegistry.migrator";

const NAME: &str = "XMTP Nodes";
const VERSION: &str = "1.0.1";
const CONTRACT_NAME: &str = "NodeRegistry";
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

xmtp_core::lean_errors! {
    /// The errors the node registry reverts with.
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
        /// The set refused a removal after the membership check (unreachable, as in the
        /// reference).
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
        MigrationFailed(MigrationFailed) => |error| [
            address(error.migrator_),
            Arg::Bytes(&error.revertData_),
        ],
        /// The migrator has no code.
        EmptyCode(EmptyCode) => |error| [address(error.migrator_)],
        /// `balanceOf(0)`.
        ERC721InvalidOwner(ERC721InvalidOwner) => |error| [address(error.owner)],
        /// The token does not exist.
        ERC721NonexistentToken(ERC721NonexistentToken) => |error| [uint(error.tokenId)],
        /// `from` is not the token's owner.
        ERC721IncorrectOwner(ERC721IncorrectOwner) => |error| [
            address(error.sender),
            uint(error.tokenId),
            address(error.owner),
        ],
        /// A mint over an existing token (unreachable: ids are never reused).
        ERC721InvalidSender(ERC721InvalidSender) => |error| [address(error.sender)],
        /// A transfer to zero, or a receiver that refused the token.
        ERC721InvalidReceiver(ERC721InvalidReceiver) => |error| [address(error.receiver)],
        /// The caller may not move the token.
        ERC721InsufficientApproval(ERC721InsufficientApproval) => |error| [
            address(error.operator),
            uint(error.tokenId),
        ],
        /// The caller may not approve for the token.
        ERC721InvalidApprover(ERC721InvalidApprover) => |error| [address(error.approver)],
        /// `setApprovalForAll` for the zero operator.
        ERC721InvalidOperator(ERC721InvalidOperator) => |error| [address(error.operator)],
    }
}

/// The head of one node: `signer` and `isCanonical` packed in its first slot. The signing key
/// and the HTTP address follow in the next two slots (Solidity `bytes`/`string`), read and
/// written with [`string_storage`] (the SDK's `StorageBytes`/`StorageString` would link a
/// 256-bit divider).
#[storage]
pub struct NodeStorage {
    signer: StorageAddress,
    is_canonical: StorageBool,
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
    /// `mapping(uint32 => Node)`: entries are addressed by [`NodeRegistry::node_slot`], this
    /// field keeps the layout.
    #[allow(dead_code)]
    nodes: StorageMap<u32, NodeStorage>,
    /// Read and written with [`string_storage`] at [`BASE_URI_SLOT`]; this field keeps the
    /// layout.
    #[allow(dead_code)]
    base_uri: StorageString,
    canonical_nodes: UintSet,
}

/// The slot of `NodeRegistryStorage.nodes`.
const NODES_SLOT: U256 = NODE_REGISTRY.wrapping_add(U256::from_limbs([1, 0, 0, 0]));
/// The slot of `NodeRegistryStorage.baseURI`.
const BASE_URI_SLOT: U256 = NODE_REGISTRY.wrapping_add(U256::from_limbs([2, 0, 0, 0]));

pub use entry::NodeRegistry;

// The SDK's `#[entrypoint]` generates an undocumented public function; a private module keeps it
// out of the crate's public (documented) surface.
mod entry {
    use alloc::{vec, vec::Vec};

    use stylus_sdk::prelude::*;

    /// The program; its state lives in [`NodeRegistryStorage`](super::NodeRegistryStorage)
    /// (and OpenZeppelin's ERC-721 namespace).
    #[storage]
    #[entrypoint]
    pub struct NodeRegistry {}
}

#[public]
impl NodeRegistry {
    /// Every function: the selector picks it, [`Args`] decodes its arguments with Solidity's
    /// rules (a malformed call, value sent to these nonpayable functions or an unknown selector
    /// revert with empty data, as the reference's dispatcher does).
    #[fallback]
    #[payable]
    pub fn fallback(&mut self, calldata: &[u8]) -> ArbResult {
        if !self.vm().msg_value().is_zero() {
            return Err(Vec::new());
        }
        let (Some(selector), Some(args)) = (calldata.get(..4), calldata.get(4..)) else {
            return Err(Vec::new());
        };
        let selector = [selector[0], selector[1], selector[2], selector[3]];
        self.dispatch(selector, args)
            .unwrap_or_else(|| Err(Vec::new()))
    }
}

// The functions take their ABI arguments by value, as callers decode them.
#[allow(clippy::needless_pass_by_value)]
impl NodeRegistry {
    /// Runs the function `selector` names; `None` for an unknown selector or arguments that do
    /// not decode.
    #[allow(clippy::too_many_lines)]
    fn dispatch(&mut self, selector: [u8; 4], data: &[u8]) -> Option<ArbResult> {
        let args = |words| Args::new(data, words);
        Some(match selector {
            I::initializeCall::SELECTOR => done(self.initialize()),
            I::addNodeCall::SELECTOR => {
                let args = args(3)?;
                let http_address = String::from_utf8(args.bytes(2)?.to_vec()).ok()?;
                let result = self.add_node(
                    args.address(0)?,
                    args.bytes(1)?.to_vec().into(),
                    http_address,
                );
                result
                    .map(|(node_id, signer)| words(&[u32_word(node_id), signer.into_word()]))
                    .map_err(Vec::from)
            }
            I::addToNetworkCall::SELECTOR => done(self.add_to_network(args(1)?.u32(0)?)),
            I::removeFromNetworkCall::SELECTOR => done(self.remove_from_network(args(1)?.u32(0)?)),
            I::setBaseURICall::SELECTOR => {
                let base_uri = String::from_utf8(args(1)?.bytes(0)?.to_vec()).ok()?;
                done(self.set_base_uri(base_uri))
            }
            I::setHttpAddressCall::SELECTOR => {
                let args = args(2)?;
                let http_address = String::from_utf8(args.bytes(1)?.to_vec()).ok()?;
                done(self.set_http_address(args.u32(0)?, http_address))
            }
            I::updateAdminCall::SELECTOR => done(self.update_admin()),
            I::updateMaxCanonicalNodesCall::SELECTOR => done(self.update_max_canonical_nodes()),
            I::migrateCall::SELECTOR => done(self.migrate()),
            I::NODE_INCREMENTCall::SELECTOR => Ok(words(&[u32_word(NODE_INCREMENT)])),
            I::adminCall::SELECTOR => Ok(words(&[self.admin().into_word()])),
            I::adminParameterKeyCall::SELECTOR => Ok(string(ADMIN_PARAMETER_KEY)),
            I::maxCanonicalNodesParameterKeyCall::SELECTOR => {
                Ok(string(MAX_CANONICAL_NODES_PARAMETER_KEY))
            }
            I::migratorParameterKeyCall::SELECTOR => Ok(string(MIGRATOR_PARAMETER_KEY)),
            I::parameterRegistryCall::SELECTOR => Ok(words(&[parameter_registry().into_word()])),
            I::maxCanonicalNodesCall::SELECTOR => {
                Ok(words(&[u32_word(self.max_canonical_nodes().into())]))
            }
            I::canonicalNodesCountCall::SELECTOR => {
                Ok(words(&[u32_word(self.canonical_nodes_count().into())]))
            }
            I::getAllNodesCall::SELECTOR => Ok(encode_all_nodes(&self.get_all_nodes())),
            I::getAllNodesCountCall::SELECTOR => Ok(words(&[u32_word(self.get_all_nodes_count())])),
            I::getCanonicalNodesCall::SELECTOR => {
                let ids: Vec<B256> = self
                    .get_canonical_nodes()
                    .into_iter()
                    .map(u32_word)
                    .collect();
                Ok(abi_lean::encode(None, &[Arg::Words(&ids)]))
            }
            I::getNodeCall::SELECTOR => self
                .get_node(args(1)?.u32(0)?)
                .map(|(node,)| {
                    let mut out = words(&[u32_word(32)]);
                    out.extend(encode_node(&node));
                    out
                })
                .map_err(Vec::from),
            I::getIsCanonicalNodeCall::SELECTOR => self
                .get_is_canonical_node(args(1)?.u32(0)?)
                .map(|canonical| words(&[events::boolean(canonical)]))
                .map_err(Vec::from),
            I::getSignerCall::SELECTOR => address_result(self.get_signer(args(1)?.u32(0)?)),
            I::implementationCall::SELECTOR => Ok(words(&[self.implementation().into_word()])),
            I::versionCall::SELECTOR => Ok(string(VERSION)),
            I::contractNameCall::SELECTOR => Ok(string(CONTRACT_NAME)),
            I::balanceOfCall::SELECTOR => self
                .balance_of(args(1)?.address(0)?)
                .map(|balance| words(&[B256::from(balance)]))
                .map_err(Vec::from),
            I::ownerOfCall::SELECTOR => address_result(self.owner_of(args(1)?.uint(0)?)),
            I::safeTransferFrom_0Call::SELECTOR => {
                let args = args(4)?;
                let (from, to, token_id) = (args.address(0)?, args.address(1)?, args.uint(2)?);
                let data = args.bytes(3)?.to_vec().into();
                done(self.safe_transfer_from_with_data(from, to, token_id, data))
            }
            I::safeTransferFrom_1Call::SELECTOR => {
                let args = args(3)?;
                let (from, to) = (args.address(0)?, args.address(1)?);
                done(self.safe_transfer_from(from, to, args.uint(2)?))
            }
            I::transferFromCall::SELECTOR => {
                let args = args(3)?;
                let (from, to) = (args.address(0)?, args.address(1)?);
                done(self.transfer_from(from, to, args.uint(2)?))
            }
            I::approveCall::SELECTOR => {
                let args = args(2)?;
                done(self.approve(args.address(0)?, args.uint(1)?))
            }
            I::setApprovalForAllCall::SELECTOR => {
                let args = args(2)?;
                done(self.set_approval_for_all(args.address(0)?, args.boolean(1)?))
            }
            I::getApprovedCall::SELECTOR => address_result(self.get_approved(args(1)?.uint(0)?)),
            I::isApprovedForAllCall::SELECTOR => {
                let args = args(2)?;
                let approved = self.is_approved_for_all(args.address(0)?, args.address(1)?);
                Ok(words(&[events::boolean(approved)]))
            }
            I::nameCall::SELECTOR => Ok(string(&self.name())),
            I::symbolCall::SELECTOR => Ok(string(&self.symbol())),
            I::tokenURICall::SELECTOR => self
                .token_uri(args(1)?.uint(0)?)
                .map(|uri| string(&uri))
                .map_err(Vec::from),
            I::supportsInterfaceCall::SELECTOR => {
                let word = args(1)?.word(0)?;
                // `bytes4`: Solidity refuses a word with bits after the first four bytes.
                if word[4..].iter().any(|byte| *byte != 0) {
                    return None;
                }
                let interface_id = FixedBytes([word[0], word[1], word[2], word[3]]);
                let supported = self.supports_interface(interface_id);
                Ok(words(&[events::boolean(supported)]))
            }
            _ => return None,
        })
    }

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
        layout.node_count.set(alloy_primitives::U32::from_limbs([
            u64::from(node_count) + 1
        ]));
        let base = self.node_slot(node_id);
        let mut node = self.node_at(base);
        node.signer.set(signer);
        node.is_canonical.set(false);
        string_storage::store_at(self.vm(), slot_key::offset(base, 1), &signing_public_key_);
        string_storage::store_at(
            self.vm(),
            slot_key::offset(base, 2),
            http_address_.as_bytes(),
        );
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
            &abi_lean::encode(
                None,
                &[
                    Arg::Bytes(&signing_public_key_),
                    Arg::String(&http_address_),
                ],
            ),
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
        self.node(node_id_).is_canonical.set(true);
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
        self.node(node_id_).is_canonical.set(false);
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
    pub fn set_base_uri(&mut self, base_uri_: String) -> Result<(), NodeRegistryError> {
        self.revert_if_not_admin()?;
        if base_uri_.as_bytes().last() != Some(&FORWARD_SLASH) {
            return Err(InvalidURI {}.into());
        }
        string_storage::store(self.vm(), BASE_URI_SLOT, base_uri_.as_bytes());
        events::emit(
            self.vm(),
            &[BaseURIUpdated::SIGNATURE_HASH],
            &abi_lean::encode(None, &[Arg::String(&base_uri_)]),
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
        let slot = slot_key::offset(self.node_slot(node_id_), 2);
        if string_storage::load_bytes_at(self.vm(), slot) == http_address_.as_bytes() {
            return Err(NoChange {}.into());
        }
        string_storage::store_at(self.vm(), slot, http_address_.as_bytes());
        events::emit(
            self.vm(),
            &[
                HttpAddressUpdated::SIGNATURE_HASH,
                events::uint(U256::from(node_id_)),
            ],
            &abi_lean::encode(None, &[Arg::String(&http_address_)]),
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
            .set(alloy_primitives::U8::from_limbs([u64::from(
                max_canonical_nodes,
            )]));
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
        let node_count = self.get_all_nodes_count();
        (1..=node_count)
            .map(|index| {
                let node_id = index * NODE_INCREMENT;
                (node_id, self.node_tuple(node_id))
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
        Ok((self.node_tuple(node_id_),))
    }

    /// Whether the node is canonical (its token must exist).
    pub fn get_is_canonical_node(&self, node_id_: u32) -> Result<bool, NodeRegistryError> {
        self.require_owned(node_id_)?;
        Ok(self.node(node_id_).is_canonical.get())
    }

    /// The node's signer (its token must exist).
    pub fn get_signer(&self, node_id_: u32) -> Result<Address, NodeRegistryError> {
        self.require_owned(node_id_)?;
        Ok(self.node(node_id_).signer.get())
    }

    /// The executing proxy's implementation.
    pub fn implementation(&self) -> Address {
        xmtp_core::storage::implementation(self.vm())
    }

    /// `"1.0.1"`.
    pub fn version() -> String {
        VERSION.into()
    }

    /// `"NodeRegistry"`.
    pub fn contract_name() -> String {
        CONTRACT_NAME.into()
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
    pub fn token_uri(&self, token_id: U256) -> Result<String, NodeRegistryError> {
        let base_uri = string_storage::load(self.vm(), BASE_URI_SLOT);
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

    /// The slot of `nodes[node_id]`: `keccak256(node_id ‖ slot)`, as Solidity places a
    /// mapping entry.
    fn node_slot(&self, node_id: u32) -> B256 {
        let mut key = [0u8; 32];
        key[28..].copy_from_slice(&node_id.to_be_bytes());
        slot_key::mapping(self.vm(), B256::from(key), slot_key::key(NODES_SLOT))
    }

    fn node(&self, node_id: u32) -> NodeStorage {
        self.node_at(self.node_slot(node_id))
    }

    /// The head of the node whose slot is `base`.
    fn node_at(&self, base: B256) -> NodeStorage {
        rooted(self.vm(), U256::from_be_bytes(base.0))
    }

    fn node_tuple(&self, node_id: u32) -> NodeTuple {
        let base = self.node_slot(node_id);
        let node = self.node_at(base);
        (
            node.signer.get(),
            node.is_canonical.get(),
            string_storage::load_bytes_at(self.vm(), slot_key::offset(base, 1)).into(),
            string_storage::load_at(self.vm(), slot_key::offset(base, 2)),
        )
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

/// `Ok` with no return data, or the error's revert data.
fn done(result: Result<(), NodeRegistryError>) -> ArbResult {
    result.map(|()| Vec::new()).map_err(Vec::from)
}

/// An address, or the error's revert data.
fn address_result(result: Result<Address, NodeRegistryError>) -> ArbResult {
    result
        .map(|value| words(&[value.into_word()]))
        .map_err(Vec::from)
}

/// Return data of value types.
fn words(values: &[B256]) -> Vec<u8> {
    events::words(values)
}

fn u32_word(value: u32) -> B256 {
    B256::from(U256::from(value))
}

/// Return data of one `string`.
fn string(value: &str) -> Vec<u8> {
    abi_lean::encode(None, &[Arg::String(value)])
}

/// `abi.encode` of a `Node` (a dynamic tuple: its members' encoding).
fn encode_node((signer, is_canonical, key, http_address): &NodeTuple) -> Vec<u8> {
    abi_lean::encode(
        None,
        &[
            address(*signer),
            Arg::Word(events::boolean(*is_canonical)),
            Arg::Bytes(key),
            Arg::String(http_address),
        ],
    )
}

/// Return data of one `NodeWithId[]`: the offset, the length, each element's offset (from the
/// first one), then each `(nodeId, node)` tuple (the id, the node's offset, the node).
fn encode_all_nodes(nodes: &[(u32, NodeTuple)]) -> Vec<u8> {
    let elements: Vec<Vec<u8>> = nodes
        .iter()
        .map(|(node_id, node)| {
            let mut element = words(&[u32_word(*node_id), u32_word(64)]);
            element.extend(encode_node(node));
            element
        })
        .collect();
    let mut out = words(&[uint_word(32), uint_word(nodes.len())]);
    let mut offset = 32 * nodes.len();
    for element in &elements {
        out.extend_from_slice(&uint_word(offset).0);
        offset += element.len();
    }
    for element in elements {
        out.extend(element);
    }
    out
}

fn uint_word(value: usize) -> B256 {
    B256::from(U256::from(value))
}

/// `uint8(x)`: the low 8 bits, as Solidity's explicit narrowing keeps them.
fn truncate_to_u8(value: usize) -> u8 {
    value.to_le_bytes()[0]
}

#[cfg(test)]
mod tests;
