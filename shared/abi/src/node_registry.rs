//! `INodeRegistry`: the node operators' ERC-721 registry and the canonical network.

solidity! {
    struct Node {
        address signer;
        bool isCanonical;
        bytes signingPublicKey;
        string httpAddress;
    }

    struct NodeWithId {
        uint32 nodeId;
        Node node;
    }

    event AdminUpdated(address indexed admin);
    event BaseURIUpdated(string baseURI);
    event HttpAddressUpdated(uint32 indexed nodeId, string httpAddress);
    event MaxCanonicalNodesUpdated(uint8 maxCanonicalNodes);
    event NodeAdded(
        uint32 indexed nodeId,
        address indexed owner,
        address indexed signer,
        bytes signingPublicKey,
        string httpAddress
    );
    event NodeAddedToCanonicalNetwork(uint32 indexed nodeId);
    event NodeRemovedFromCanonicalNetwork(uint32 indexed nodeId);

    error FailedToAddNodeToCanonicalNetwork();
    error FailedToRemoveNodeFromCanonicalNetwork();
    error InvalidOwner();
    error InvalidHttpAddress();
    error InvalidSigningPublicKey();
    error InvalidURI();
    error MaxCanonicalNodesBelowCurrentCount();
    error MaxCanonicalNodesReached();
    error MaxNodesReached();
    error NotNodeOwner();

    /// Everything the `NodeRegistry` exposes, inherited functions (ERC-721, ERC-165) included.
    ///
    /// `safeTransferFrom` is overloaded: `safeTransferFrom_0` with data, `safeTransferFrom_1` without
    /// (`OpenZeppelin`'s order, as in [`crate::oz_erc721::IERC721`]).
    interface INodeRegistry {
        function initialize() external;
        function addNode(
            address owner_,
            bytes calldata signingPublicKey_,
            string calldata httpAddress_
        ) external returns (uint32 nodeId_, address signer_);
        function addToNetwork(uint32 nodeId_) external;
        function removeFromNetwork(uint32 nodeId_) external;
        function setBaseURI(string calldata baseURI_) external;
        function setHttpAddress(uint32 nodeId_, string calldata httpAddress_) external;
        function updateAdmin() external;
        function updateMaxCanonicalNodes() external;
        function NODE_INCREMENT() external view returns (uint32 nodeIncrement_);
        function version() external pure returns (string memory version_);
        function admin() external view returns (address admin_);
        function adminParameterKey() external pure returns (string memory key_);
        function maxCanonicalNodesParameterKey() external pure returns (string memory key_);
        function migratorParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function maxCanonicalNodes() external view returns (uint8 maxCanonicalNodes_);
        function canonicalNodesCount() external view returns (uint8 canonicalNodesCount_);
        function getAllNodes() external view returns (NodeWithId[] memory allNodes_);
        function getAllNodesCount() external view returns (uint32 nodeCount_);
        function getCanonicalNodes() external view returns (uint32[] memory canonicalNodes_);
        function getNode(uint32 nodeId_) external view returns (Node memory node_);
        function getIsCanonicalNode(uint32 nodeId_) external view returns (bool isCanonicalNode_);
        function getSigner(uint32 nodeId_) external view returns (address signer_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function contractName() external pure returns (string memory contractName_);
        function balanceOf(address owner) external view returns (uint256);
        function ownerOf(uint256 tokenId) external view returns (address);
        function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata data)
            external;
        function safeTransferFrom(address from, address to, uint256 tokenId) external;
        function transferFrom(address from, address to, uint256 tokenId) external;
        function approve(address to, uint256 tokenId) external;
        function setApprovalForAll(address operator, bool approved) external;
        function getApproved(uint256 tokenId) external view returns (address);
        function isApprovedForAll(address owner, address operator) external view returns (bool);
        function name() external view returns (string memory);
        function symbol() external view returns (string memory);
        function tokenURI(uint256 tokenId) external view returns (string memory);
        function supportsInterface(bytes4 interfaceId) external view returns (bool);
    }
}

pub use crate::factory::ZeroParameterRegistry;
pub use crate::parameter_registry::{NotAdmin, ZeroAdmin};
pub use crate::settlement_chain_gateway::NoChange;
