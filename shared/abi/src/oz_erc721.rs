//! `OpenZeppelin` v5 ERC-721: `IERC721`, `IERC721Metadata` and the `IERC721Errors` of ERC-6093.

solidity! {
    /// Same topic 0 as the ERC-20 `Transfer`, but all three fields are indexed.
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    /// Same topic 0 as the ERC-20 `Approval`, but all three fields are indexed.
    event Approval(address indexed owner, address indexed approved, uint256 indexed tokenId);
    event ApprovalForAll(address indexed owner, address indexed operator, bool approved);

    error ERC721InvalidOwner(address owner);
    error ERC721NonexistentToken(uint256 tokenId);
    error ERC721IncorrectOwner(address sender, uint256 tokenId, address owner);
    error ERC721InvalidSender(address sender);
    error ERC721InvalidReceiver(address receiver);
    error ERC721InsufficientApproval(address operator, uint256 tokenId);
    error ERC721InvalidApprover(address approver);
    error ERC721InvalidOperator(address operator);

    /// `safeTransferFrom` is overloaded: `safeTransferFrom_0` with data, `safeTransferFrom_1`
    /// without (`OpenZeppelin`'s order).
    interface IERC721 {
        function balanceOf(address owner) external view returns (uint256 balance);
        function ownerOf(uint256 tokenId) external view returns (address owner);
        function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata data) external;
        function safeTransferFrom(address from, address to, uint256 tokenId) external;
        function transferFrom(address from, address to, uint256 tokenId) external;
        function approve(address to, uint256 tokenId) external;
        function setApprovalForAll(address operator, bool approved) external;
        function getApproved(uint256 tokenId) external view returns (address operator);
        function isApprovedForAll(address owner, address operator) external view returns (bool);
    }

    interface IERC721Metadata {
        function name() external view returns (string memory);
        function symbol() external view returns (string memory);
        function tokenURI(uint256 tokenId) external view returns (string memory);
    }

    /// ERC-721 receivers' acceptance hook, called by `safeTransferFrom`.
    interface IERC721Receiver {
        function onERC721Received(address operator, address from, uint256 tokenId, bytes calldata data)
            external
            returns (bytes4);
    }

    interface IERC165 {
        function supportsInterface(bytes4 interfaceId) external view returns (bool);
    }
}
