//! `MockUnderlyingFeeToken`: the reference's testnet stand-in for the underlying stablecoin
//! (`test/utils/Mocks.sol`), an `OpenZeppelin` ERC-20 with permit, 6 decimals and open minting.
//! Not part of the reference manifest (a test contract); its events and errors are the
//! `OpenZeppelin` ones in [`crate::oz_erc20`], [`crate::oz_erc20_permit`] and [`crate::oz_ecdsa`].

solidity! {
    /// Everything the `MockUnderlyingFeeToken` exposes, inherited functions included.
    interface IMockUnderlyingFeeToken {
        function initialize() external;
        function mint(address to_, uint256 amount_) external;
        function migrate() external;
        function decimals() external view returns (uint8 decimals_);
        function migratorParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address);
        function implementation() external view returns (address implementation_);
        function permit(
            address owner,
            address spender,
            uint256 value,
            uint256 deadline,
            uint8 v,
            bytes32 r,
            bytes32 s
        ) external;
        function nonces(address owner) external view returns (uint256);
        function DOMAIN_SEPARATOR() external view returns (bytes32);
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
        function balanceOf(address account) external view returns (uint256);
        function transfer(address to, uint256 value) external returns (bool);
        function allowance(address owner, address spender) external view returns (uint256);
        function approve(address spender, uint256 value) external returns (bool);
        function transferFrom(address from, address to, uint256 value) external returns (bool);
    }
}
