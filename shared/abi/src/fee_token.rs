//! `IFeeToken`: the ERC-20 (with EIP-2612 permit) wrapper of the underlying stablecoin.

solidity! {
    error ZeroUnderlying();

    /// Everything the `FeeToken` exposes, inherited functions (`OpenZeppelin` ERC-20, ERC-2612,
    /// ERC-5267) included.
    interface IFeeToken {
        function initialize() external;
        function permit(
            address owner_,
            address spender_,
            uint256 value_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function deposit(uint256 amount_) external;
        function depositWithPermit(
            uint256 amount_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external;
        function depositFor(address recipient_, uint256 amount_) external returns (bool success_);
        function depositForWithPermit(
            address recipient_,
            uint256 amount_,
            uint256 deadline_,
            uint8 v_,
            bytes32 r_,
            bytes32 s_
        ) external returns (bool success_);
        function withdraw(uint256 amount_) external;
        function withdrawTo(address recipient_, uint256 amount_) external returns (bool success_);
        function DOMAIN_SEPARATOR() external view returns (bytes32 domainSeparator_);
        function PERMIT_TYPEHASH() external view returns (bytes32 permitTypehash_);
        function underlying() external view returns (address underlying_);
        function migratorParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function getPermitDigest(
            address owner_,
            address spender_,
            uint256 value_,
            uint256 nonce_,
            uint256 deadline_
        ) external view returns (bytes32 digest_);
        function nonces(address owner_) external view returns (uint256 nonce_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
        function allowance(address owner, address spender) external view returns (uint256);
        function approve(address spender, uint256 value) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
        function decimals() external pure returns (uint8 decimals_);
        function eip712Domain()
            external
            view
            returns (
                bytes1 fields,
                string memory name,
                string memory version,
                uint256 chainId,
                address verifyingContract,
                bytes32 salt,
                uint256[] memory extensions
            );
        function name() external view returns (string memory);
        function symbol() external view returns (string memory);
        function totalSupply() external view returns (uint256);
        function transfer(address to, uint256 value) external returns (bool);
        function transferFrom(address from, address to, uint256 value) external returns (bool);
    }
}

pub use crate::app_chain_gateway::TransferFailed;
pub use crate::factory::ZeroParameterRegistry;
pub use crate::settlement_chain_gateway::{TransferFromFailed, ZeroAmount, ZeroRecipient};
