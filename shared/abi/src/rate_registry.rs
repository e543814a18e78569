//! `IRateRegistry`: the history of messaging rates.

solidity! {
    struct Rates {
        uint64 messageFee;
        uint64 storageFee;
        uint64 congestionFee;
        uint64 targetRatePerMinute;
        uint64 startTime;
    }

    event RatesUpdated(
        uint64 messageFee,
        uint64 storageFee,
        uint64 congestionFee,
        uint64 targetRatePerMinute,
        uint64 startTime
    );

    error ZeroCount();
    error FromIndexOutOfRange();
    error EndIndexOutOfRange();
    error InvalidStartTime(uint64 startTime, uint64 lastStartTime);

    /// Everything the `RateRegistry` exposes, inherited functions included.
    interface IRateRegistry {
        function initialize() external;
        function updateRates() external;
        function getRates(uint256 fromIndex_, uint256 count_)
            external view
            returns (Rates[] memory rates_);
        function getRatesCount() external view returns (uint256 count_);
        function messageFeeParameterKey() external pure returns (string memory key_);
        function storageFeeParameterKey() external pure returns (string memory key_);
        function congestionFeeParameterKey() external pure returns (string memory key_);
        function targetRatePerMinuteParameterKey() external pure returns (string memory key_);
        function ratesInEffectAfterParameterKey() external pure returns (string memory key_);
        function migratorParameterKey() external pure returns (string memory key_);
        function parameterRegistry() external view returns (address parameterRegistry_);
        function migrate() external;
        function implementation() external view returns (address implementation_);
        function version() external pure returns (string memory version_);
        function contractName() external pure returns (string memory contractName_);
    }
}

pub use crate::factory::ZeroParameterRegistry;
pub use crate::settlement_chain_gateway::NoChange;
