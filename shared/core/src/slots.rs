//! Storage roots: the ERC-1967 implementation slot and every ERC-7201 namespace the
//! reference contracts (and the OpenZeppelin v5 bases they inherit) store their state under.
//!
//! Each constant is `erc7201(namespace) = keccak256(abi.encode(uint256(keccak256(namespace)) - 1)) & ~0xff`,
//! written out so no program computes a hash at run time; `tests::every_namespace_slot_is_recomputed`
//! derives each one again from its namespace string.

use alloy_primitives::{uint, U256};

/// `keccak256("eip1967.proxy.implementation") - 1`.
pub const ERC1967_IMPLEMENTATION: U256 =
    uint!(0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc_U256);

/// Declares namespace roots together with the namespace strings they derive from.
macro_rules! namespaces {
    ($($(#[$doc:meta])* $name:ident = $namespace:literal => $slot:literal;)*) => {
        $(
            $(#[$doc])*
            #[doc = concat!("ERC-7201 root of `", $namespace, "`.")]
            pub const $name: U256 = uint!($slot);
        )*

        /// Every namespace root with its namespace string, for tests and tools.
        pub const ALL_NAMESPACES: &[(&str, U256)] = &[$(($namespace, $name)),*];
    };
}

namespaces! {
    OZ_INITIALIZABLE = "openzeppelin.storage.Initializable"
        => 0xf0c57e16840df040f15088dc2f81fe391c3923bec73e23a9662efc9c229c6a00_U256;
    OZ_ERC20 = "openzeppelin.storage.ERC20"
        => 0x52c63247e1f47db19d5ce0460030c497f067ca4cebf71ba98eeadabe20bace00_U256;
    OZ_ERC721 = "openzeppelin.storage.ERC721"
        => 0x80bb2b638cc20bc4d0a60d66940f3ab4a00c1d7b313497ca82fb0b4ab0079300_U256;
    OZ_EIP712 = "openzeppelin.storage.EIP712"
        => 0xa16a46d94261c7517cc8ff89f61c0ce93598e3c849801011dee649a6a557d100_U256;
    OZ_NONCES = "openzeppelin.storage.Nonces"
        => 0x5ab42ced628888259c08ac98db1eb0cf702fc1501344311d8b100cd1bfe4bb00_U256;
    FACTORY = "xmtp.storage.Factory"
        => 0x651b031aaeb8a5a65735ac2bad4001a08e08ce7e1a4736b27ec7d04baeb8f600_U256;
    PARAMETER_REGISTRY = "xmtp.storage.ParameterRegistry"
        => 0xefab3f4eb315eafaa267b58974a509c07c739fbfe8e62b4eff49c4ced6985000_U256;
    PAYLOAD_BROADCASTER = "xmtp.storage.PayloadBroadcaster"
        => 0xeda186f2b85b2c197e0a3ff15dc0c5c16c74d00b5c7f432acaa215db84203b00_U256;
    SETTLEMENT_CHAIN_GATEWAY = "xmtp.storage.SettlementChainGateway"
        => 0xa66588577d68bb28d3fa2c7238607341f39141e4eaf5f706037ae5c1c2a15700_U256;
    APP_CHAIN_GATEWAY = "xmtp.storage.AppChainGateway"
        => 0xf7630100a9c96f7b07fb982ff1e6dad8abbb961bacff2e820fac4ea93b280300_U256;
    NODE_REGISTRY = "xmtp.storage.NodeRegistry"
        => 0xd48713bc7b5e2644bcb4e26ace7d67dc9027725a9a1ee11596536cc6096a2000_U256;
    PAYER_REGISTRY = "xmtp.storage.PayerRegistry"
        => 0x98606aa366980dbfce6aa523610c4eabfe62443511d67e10c2c7afde009fbf00_U256;
    RATE_REGISTRY = "xmtp.storage.RateRegistry"
        => 0x988e236e2caf5758fdf811320ba1d2fca453cb71bd6049ebba876b68af505000_U256;
    PAYER_REPORT_MANAGER = "xmtp.storage.PayerReportManager"
        => 0x26b057ee8e4d60685198828fdf1c618ab8e36b0ab85f54a47b18319f6f718e00_U256;
    DISTRIBUTION_MANAGER = "xmtp.storage.DistributionManager"
        => 0xecaf10aa029fa936ea42e5f15011e2f38c8598ffef434459a36a3d154fde2a00_U256;
    FEE_TOKEN = "xmtp.storage.FeeToken"
        => 0x5671b09487cb30093710a244e87d44c3076fe3dd19f604be8dafc153e2d9cb00_U256;
    ERC712 = "xmtp.storage.ERC712"
        => 0xc7effa11ad597798220888e5d1ba4eeddcc8c2635d01dae8b9f958ac905c1100_U256;
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{keccak256, U256};

    use super::*;

    fn erc7201(namespace: &str) -> U256 {
        let inner = U256::from_be_bytes(keccak256(namespace.as_bytes()).0) - U256::from(1);
        let outer = U256::from_be_bytes(keccak256(inner.to_be_bytes::<32>()).0);
        outer & !U256::from(0xff)
    }

    #[test]
    fn every_namespace_slot_is_recomputed() {
        assert_eq!(ALL_NAMESPACES.len(), 17);
        for (namespace, slot) in ALL_NAMESPACES {
            assert_eq!(erc7201(namespace), *slot, "{namespace}");
        }
    }

    #[test]
    fn erc1967_slot_is_the_hash_minus_one() {
        let hash = U256::from_be_bytes(keccak256("eip1967.proxy.implementation").0);
        assert_eq!(ERC1967_IMPLEMENTATION, hash - U256::from(1));
    }
}
